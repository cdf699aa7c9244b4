"""A local HTTP server that stands in for a webhook: it records what it is sent."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers each POST with the next of `statuses` (then 200) and keeps (headers, body)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.requests.append((self.headers, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/quality"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def alert_ids(self):
        """The ids of the alerts received, one per request, duplicates included."""
        with self._lock:
            return [json.loads(body)["id"] for _, body in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
