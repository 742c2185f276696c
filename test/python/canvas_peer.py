"""Real Celery 5.2.6 canvas, recorded: for the canvas interop test (test/celery/canvas/python-canvas.test.ts).

Run with Debian's /usr/bin/python3. Reads JSON on stdin: {"scenarios": [name, ...], "dicts": [sig dict, ...]}.
For each scenario it builds the canvas, prints its dict, applies it with app.send_task and
backend.set_chord_size replaced by recorders (nothing is published), and reports the calls in
order plus the result tree. Each dict is read back with Signature.from_dict and dumped again.
Prints one JSON object.
"""
import json
import sys

from celery import Celery, chain, chord, group, signature
from celery.canvas import Signature, _chain, chunks, xmap, xstarmap
from celery.result import GroupResult
from kombu.utils.uuid import uuid

# Arguments of send_task that are not message options, and the execution defaults that
# Task.apply_async of a registered task (celery.map, celery.starmap) adds: app-side, not canvas.
INTERNAL = {"producer", "result_cls", "task_type", "add_to_parent", "route_name", "publisher", "connection", "router", "ignore_result", "serializer"}


def s(name, *args):
    return Signature(name, args=args)


SCENARIOS = {
    "chain_with_links": lambda: (chain(s("add", 2, 2), s("add", 4), s("add", 8)), dict(task_id="last-id", link=s("done"), link_error=s("on_error"))),
    "chain_partial_args": lambda: (chain(s("a", 1), s("b", 2)), dict(args=(0,))),
    "group_nested": lambda: (group(s("a"), group(s("b"), s("c")), s("d")), {}),
    "group_with_chain": lambda: (group(chain(s("a"), s("b")), s("c")), {}),
    "chord_nested_header": lambda: (chord([s("a"), group(s("b"), s("c")), s("d")], s("s")), {}),
    "chord_empty": lambda: (chord([], s("body", 1)), {}),
    "login": lambda: (chain(s("check_device", "u1", "pixel-9"), group(s("notify_user"), s("save_event")), s("post_to_api"), s("post_process")), {}),
    "chain_group_last": lambda: (chain(s("a"), group(s("b"), s("c"))), {}),
    "chain_two_groups": lambda: (chain(s("a"), group(s("b"), s("c")), group(s("d"), s("e")), s("f")), {}),
    "chain_group_first": lambda: (chain(group(s("a"), s("b")), s("c"), s("d")), {}),
    "raw_chain_group_middle": lambda: (_chain(s("a"), group(s("b"), s("c")), s("d")), {}),
    "chord_then_task": lambda: (chord([s("a"), s("b")], s("s")) | s("t"), {}),
    "map_starmap": lambda: (xmap(s("tsum"), [[1, 2], [3]]), {}),
    "chunks": lambda: (chunks(s("add"), [[i, i] for i in range(5)], 2), {}),
}


def tree(result):
    if result is None:
        return None
    node = {"id": result.id, "parent": tree(result.parent)}
    if isinstance(result, GroupResult):
        node["results"] = [r.id for r in result.results]
    return node


def run(name):
    app = Celery("canvas_peer", broker="memory://", backend="cache+memory://", set_as_current=True)
    calls, log = [], []

    def send_task(task_name, args=None, kwargs=None, **options):
        options = {k: v for k, v in options.items() if k not in INTERNAL and v is not None}
        calls.append({"name": task_name, "args": list(args or ()), "kwargs": kwargs or {}, "options": options})
        log.append("send " + task_name)
        return app.AsyncResult(options.get("task_id") or uuid())

    def set_chord_size(group_id, size):
        log.append("chord size %d" % size)

    app.send_task = send_task
    app.backend.set_chord_size = set_chord_size
    with app:
        sig, apply_opts = SCENARIOS[name]()
        before = json.loads(json.dumps(sig))
        args = apply_opts.pop("args", None)
        result = sig.apply_async(args, **apply_opts)
    return {"dict": before, "calls": json.loads(json.dumps(calls)), "log": log, "result": tree(result)}


def main():
    request = json.load(sys.stdin)
    out = {"scenarios": {name: run(name) for name in request.get("scenarios", [])}}
    out["from_dict"] = [json.loads(json.dumps(signature(d))) for d in request.get("dicts", [])]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
