"""The Flower benchmark's stand-in when no Flower source is at hand: Flower's core without its pages,
Celery's celery.events.state.State fed by app.events.Receiver in a thread, as Flower's Events class
does, behind a small HTTP server answering the two requests the benchmark makes of Flower.

Usage: /usr/bin/python3 bench/python/flower_core_peer.py <broker-url> <port>
GET /metrics: flower_events_total{...} lines (one per event type); GET /api/tasks?limit=n: the n newest
tasks as Flower's API lists them. Prints "Visit me at" once listening, as Flower does.
"""
import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from celery import Celery
from celery.events.state import State

broker_url, port = sys.argv[1], int(sys.argv[2])
app = Celery("flower_core_peer", broker=broker_url)
app.conf.update(accept_content=["json"])
state = State(max_tasks_in_memory=10000)  # Flower's default max_tasks
counts = Counter()
lock = threading.Lock()


def on_event(event):
    with lock:
        state.event(event)
        counts[event["type"]] += 1


def consume():
    with app.connection() as conn:
        app.events.Receiver(conn, handlers={"*": on_event}).capture(limit=None, timeout=None, wakeup=True)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, content_type):
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        with lock:
            if url.path == "/metrics":
                self.reply("".join('flower_events_total{type="%s"} %d\n' % item for item in counts.items()), "text/plain")
            elif url.path == "/api/tasks":
                limit = int(parse_qs(url.query).get("limit", ["20"])[0])
                tasks = {uuid: task.as_dict() for uuid, task in state.tasks_by_time(limit=limit)}
                self.reply(json.dumps(tasks, default=str), "application/json")
            else:
                self.reply("ok", "text/plain")


threading.Thread(target=consume, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("Visit me at http://127.0.0.1:%d" % port, flush=True)
server.serve_forever()
