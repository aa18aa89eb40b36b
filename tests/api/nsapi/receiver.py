"""A real HTTP receiver on loopback for the server's outgoing webhooks: it
records every POST (headers, body, when) and answers as told, slowly,
with an error or a redirect; it can stop listening and start again on the
same port (a receiver that is down, then up)."""
import http.server
import json
import socket
import threading
import time

from .harness import check


class Receiver:
    def __init__(self, port=None):
        self.port = port or _free_port()
        self.got = []            # [{"path", "headers", "body", "at"}], in arrival order
        self.status = 200        # what to answer
        self.delay = 0.0         # seconds before answering
        self.location = None     # a Location header (for a redirect status)
        self.hold = None         # a threading.Event the handler waits on before answering
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with receiver._lock:
                    receiver.got.append({"path": self.path, "headers": dict(self.headers),
                                         "body": body, "at": time.time()})
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    if receiver.location:
                        self.send_header("Location", receiver.location)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up (timed out, or was killed)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self):
        """The JSON bodies received so far."""
        with self._lock:
            return [json.loads(g["body"]) for g in self.got]

    def wait_for(self, predicate, timeout=20, what="the deliveries"):
        """Until @predicate(self.got) is true; fails the test after @timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(list(self.got)):
                    return list(self.got)
            time.sleep(0.05)
        with self._lock:
            got = [(g["headers"].get("X-Nextstage-Event"), g["body"][:200]) for g in self.got]
        check(False, f"{what} did not arrive within {timeout} s; received: {got}")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
