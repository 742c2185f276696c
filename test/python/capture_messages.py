"""Publishes a set of task messages with real Celery into kombu's in-process memory:// transport
and prints them as JSON: the golden vectors that test/celery/protocol pins our encoding against.

Run with Debian's interpreter (the one python3-celery serves): /usr/bin/python3 capture_messages.py
Each case prints what was asked (args, kwargs, options) and what Celery put on the wire.
"""
import base64
import json

from celery import Celery

app = Celery("capture", broker="memory://", backend=None)
app.conf.task_serializer = "json"


@app.task(name="capture.add")
def add(*args, **kwargs):
    return sum(args)


CASES = [
    ("delay", [2, 3], {}, {}),
    ("priority", [2, 3], {}, {"priority": 5}),
    ("countdown", [1, 1], {}, {"countdown": 5}),
    ("expires", [1, 1], {}, {"expires": 60}),
    ("time limits", [7], {}, {"time_limit": 30, "soft_time_limit": 20}),
    ("kwargs and text", ["it's", 'say "hi"'], {"name": "Zoë \u2028 😀", "n": 1.5e20, "flag": True, "none": None}, {}),
    ("custom headers and shadow", [1, 2], {}, {"headers": {"x-tenant": "acme", "n": 3}, "shadow": "add-shadow"}),
    ("link and link_error", [2, 2], {}, {"link": "add.s(4)", "link_error": "add.si(0, 0)"}),
    ("group fields", [0, 0], {}, {"group_id": "11111111-2222-3333-4444-555555555555", "group_index": 2}),
    ("long args", ["x" * 2000, list(range(300))], {"deep": {"a": {"b": {"c": [1]}}}}, {}),
    ("ignore_result", [1, 2], {}, {"ignore_result": True}),
]


def options_for_celery(options):
    out = dict(options)
    for key in ("link", "link_error"):
        if key in out:
            out[key] = eval(out[key], {"add": add})  # noqa: S307 - fixed strings above
    return out


def main():
    results = []
    with app.connection() as conn:
        queue = conn.SimpleQueue("celery", no_ack=True)
        for name, args, kwargs, options in CASES:
            celery_options = options_for_celery(options)
            add.apply_async(tuple(args), kwargs, connection=conn, **celery_options)
            message = queue.get(timeout=1)
            body = message.body if isinstance(message.body, bytes) else message.body.encode("utf-8")
            results.append({
                "name": name,
                "args": args,
                "kwargs": kwargs,
                "options": {k: (dict(v) if k in ("link", "link_error") else v) for k, v in celery_options.items()},
                "headers": message.headers,
                "properties": {k: v for k, v in message.properties.items() if k not in ("delivery_info", "body_encoding", "delivery_tag")},
                "content_type": message.content_type,
                "content_encoding": message.content_encoding,
                "body": base64.b64encode(body).decode("ascii"),
            })
        queue.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
