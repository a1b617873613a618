"""The portal under a real gunicorn started with ./gunicorn.conf.py alone (the production
configuration), on a copy of the test database with a signed-in submitter's draft.

These tests run once in ``make test``: on the SQLite pass (the PostgreSQL pass skips them:
gunicorn and the checker processes are the same whatever the database)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from bench import http_harness as h
from bench.worker_process import WorkerProcess
from portal.accounts import totp
from portal.accounts.models import Role
from portal.app import create_app
from portal.config import Settings
from tests.conftest import PG_URL, Accounts
from tests.requests.test_wizard import _import

SQLITE_PASS_ONLY = pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the server and its checker processes "
                         "do not depend on the database")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "server" in Path(str(item.fspath)).parts:
            item.add_marker(SQLITE_PASS_ONLY)
            item.add_marker(pytest.mark.server)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Served:
    """gunicorn and a ``portal worker`` beside it, a submitter signed in through its forms, and
    their draft."""

    server: h.Gunicorn
    worker: WorkerProcess
    public_id: str
    cookie: str

    def verdicts(self) -> list[dict[str, str]]:
        """The state of each document of the draft (what the page's script asks for)."""
        answer = self.get(f"/requests/{self.public_id}/attachments/checks")
        assert answer.status == 200, answer.status
        return list(json.loads(answer.body)["attachments"])

    def wait_for_verdicts(self, seconds: float) -> list[dict[str, str]]:
        """The documents' states once none is being checked (or after ``seconds``)."""
        deadline = time.monotonic() + seconds
        states = self.verdicts()
        while any(s["state"] == "checking" for s in states) and time.monotonic() < deadline:
            time.sleep(0.2)
            states = self.verdicts()
        return states

    def get(self, path: str) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie})
            answer = conn.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            answer.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def upload_request(self, data: bytes, name: str = "letter.pdf") -> tuple[bytes, bytes]:
        """The head and the multipart body of an upload of ``data`` to the draft."""
        page = self.get(f"/requests/{self.public_id}/procedures")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        assert match, page.body[:500]
        boundary = "----portal-test-boundary-7d91"
        fields = [("csrf_token", match[1]), ("document_kind", "request_letter"),
                  ("language", "en")]
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                        f"{v}\r\n".encode() for k, v in fields)
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n').encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        head = (f"POST /requests/{self.public_id}/attachments HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{self.server.port}\r\nCookie: {self.cookie}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        return head, body

    def upload(self, data: bytes, *, seconds: float = 0.0, chunk: int = 256 * 1024,
               name: str = "letter.pdf") -> Response:
        """Send an upload over a raw socket, spread over ``seconds``; the answer."""
        head, body = self.upload_request(data, name)
        chunks = range(0, len(body), chunk)
        pause = seconds / max(1, len(chunks))
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=120) as sock:
            sock.sendall(head)
            for start in chunks:
                sock.sendall(body[start:start + chunk])
                if pause:
                    time.sleep(pause)
            return read_response(sock)

    def cut_off_upload(self, data: bytes, fraction: float = 0.5) -> None:
        """Send part of an upload's body, then close the connection."""
        head, body = self.upload_request(data)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as sock:
            sock.sendall(head + body[:int(len(body) * fraction)])
            time.sleep(0.5)

    def web_children(self) -> list[int]:
        """The child processes of every gunicorn worker (each thread's children)."""
        found: list[int] = []
        for worker in self.server.worker_pids():
            for task in Path(f"/proc/{worker}/task").glob("*/children"):
                try:
                    found += [int(p) for p in task.read_text().split()]
                except OSError:
                    continue
        return found

    def checker_processes(self) -> list[int]:
        """Every process the web workers and the background worker started."""
        return self.web_children() + self.worker.children()

    def wait_without_children(self, seconds: float) -> list[int]:
        """The servers' children once they are gone, or after ``seconds``, whichever first."""
        deadline = time.monotonic() + seconds
        children = self.checker_processes()
        while children and time.monotonic() < deadline:
            time.sleep(0.1)
            children = self.checker_processes()
        return children


def read_response(sock: socket.socket) -> Response:
    data = b""
    while True:
        part = sock.recv(65536)
        if not part:
            break
        data += part
    if not data:
        raise ConnectionResetError("the server closed the connection without an answer")
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _s, v in
               (line.partition(":") for line in lines[1:])}
    return Response(status, headers, body.decode("utf-8", "replace"))


def sign_in(port: int, email: str, password: str, totp_secret: str | None = None) -> str:
    """Sign in through the login form (and the code step with ``totp_secret``); the Cookie
    header of the signed-in session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    form = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": match[1]}).encode()
    answer = opener.open(f"{base}/login", data=form, timeout=30)
    if totp_secret:
        assert answer.geturl().endswith("/login/code"), answer.geturl()
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.read().decode())
        assert match
        form = urllib.parse.urlencode({"code": totp.current_code(totp_secret),
                                       "csrf_token": match[1]}).encode()
        opener.open(f"{base}/login/code", data=form, timeout=30).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "portal=" in cookie
    return cookie


ServeFactory = Callable[..., Served]


@pytest.fixture()
def serve(database_url: str, tmp_path: Path) -> Iterator[ServeFactory]:
    """Start gunicorn with the production configuration and the given ``PORTAL_*``
    variables, and sign a submitter with a draft in."""
    started: list[h.Gunicorn | WorkerProcess] = []
    made: list[Served] = []

    def _serve(workers: int = 1, **env: str) -> Served:
        settings = Settings(env="testing", data_dir=tmp_path, database_url=database_url,
                            secret_key=h.SECRET_KEY, audit_keys=h.AUDIT_KEYS,
                            argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
        app = create_app(settings)
        account = Accounts(app).create(Role.SUBMITTER, country="DE")
        public_id = _import(app, account, "05-stored-content-good-de.json", documents=False)
        app.extensions["portal.db"].dispose()
        environment = h.server_env(database_url, tmp_path / "server",
                                   **{"PORTAL_JOBS_POLL_SECONDS": "0.2", **env})
        server = h.Gunicorn(environment, workers=workers, threads=4, log=tmp_path / "gunicorn.log",
                            production_config=True)
        worker = WorkerProcess(environment, log=tmp_path / "worker.log")
        started.extend((server, worker))
        server.start()
        worker.start()
        served = Served(server, worker, public_id,
                        sign_in(server.port, account.email, account.password))
        made.append(served)
        return served

    yield _serve
    # (a test may have put another worker in place of the first)
    for process in [*started, *(s.worker for s in made if s.worker not in started)]:
        process.stop()
