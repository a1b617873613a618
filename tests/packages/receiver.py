"""A tiny case-system endpoint for the forwarder tests: a threaded HTTP server on 127.0.0.1 that
checks each multipart upload (the zip's SHA-256, a bag inside) and deduplicates deliveries by
their ``Idempotency-Key``. ``decide`` lets a test make it fail or drop connections."""

from __future__ import annotations

import contextlib
import hashlib
import io
import socket
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: (number of this POST overall, idempotency key, number of this POST for the key) -> what to do:
#: "ok" (accept, or say "already have it"), "fail" (503, nothing kept), "drop" (accept, then
#: close the connection without an answer), "refuse" (403).
Decide = Callable[[int, str, int], str]


class Receiver:
    def __init__(self, decide: Decide | None = None) -> None:
        self.decide: Decide = decide or (lambda _n, _key, _nth: "ok")
        self.lock = threading.Lock()
        self.posts: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.bad: list[str] = []
        self.total = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                problem = receiver.check(body, self.headers.get("Content-Type", ""),
                                         self.headers.get("X-MLA-Package-SHA256", ""))
                with receiver.lock:
                    receiver.total += 1
                    receiver.posts[key] += 1
                    action = receiver.decide(receiver.total, key, receiver.posts[key])
                    if problem:
                        receiver.bad.append(f"{key}: {problem}")
                        action = "bad"
                    duplicate = receiver.accepted[key] > 0
                    if action in ("ok", "drop") and not duplicate:
                        receiver.accepted[key] += 1
                if action == "drop":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status = {"ok": 200, "fail": 503, "refuse": 403, "bad": 400}[action]
                text = b"duplicate" if action == "ok" and duplicate else b"done"
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/intake"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def check(body: bytes, content_type: str, sha256: str) -> str:
        if "boundary=" not in content_type:
            return "not multipart"
        boundary = content_type.split("boundary=", 1)[1].encode()
        for part in body.split(b"--" + boundary):
            head, _, data = part.partition(b"\r\n\r\n")
            if b'name="package"' in head:
                data = data.removesuffix(b"\r\n")
                if hashlib.sha256(data).hexdigest() != sha256:
                    return "zip SHA-256 differs from its header"
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    if not any(n.endswith("/bagit.txt") for n in archive.namelist()):
                        return "no bag in the zip"
                    if archive.testzip() is not None:
                        return "corrupt zip"
                return ""
        return "no package part"
