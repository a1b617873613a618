"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread that answers
each POST with the next status of its script (then 200) and keeps what it received, and two
verifiers of Standard Webhooks signatures that share no code with the portal: the
``standardwebhooks`` package, and one written here from the specification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    extra_headers: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@contextmanager
def receiver(statuses: list[int] | None = None, *, path: str = "/hooks/mla"
             ) -> Iterator[Receiver]:
    """A receiver at ``http://127.0.0.1:<port><path>`` for the length of the block."""
    state = Receiver(url="", statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.received.append(Received(self.path, {k.lower(): v for k, v in
                                                           self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def verify_with_package(secret: str, received: Received) -> object:
    """The ``standardwebhooks`` package's verification (raises when it fails)."""
    return Webhook(secret).verify(received.body, received.headers)


def verify_by_hand(secret: str, received: Received) -> bool:
    """The specification's check written out: HMAC-SHA256 with the base64-decoded secret over
    ``id.timestamp.body``, compared in constant time with each ``v1,`` signature."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = b".".join([received.headers["webhook-id"].encode(),
                        received.headers["webhook-timestamp"].encode(), received.body])
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(version == "v1" and hmac.compare_digest(value, expected)
               for version, _, value in (item.partition(",") for item in
                                         received.headers["webhook-signature"].split(" ")))
