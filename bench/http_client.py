"""A small asyncio HTTP/1.1 client for the load generator and the reliability tests.

Why not ``urllib`` or a load tool's own client: the load runs need keep-alive connections held
one per virtual user, exact per-request latencies, and per-connection state (its session cookie,
its draft, the revision it last saved), with the least CPU taken from the server under test on
the same machine. It speaks only what the portal's gunicorn sends: ``Content-Length`` or
chunked bodies, ``Connection: close`` (the sync worker closes after every response).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class HttpError(RuntimeError):
    """The connection failed or the server sent something this client cannot read."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    started: float  # time.monotonic() when the request was sent
    elapsed: float  # seconds until the whole body was read

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Cookies:
    """A cookie jar for one site (name -> value); enough for the portal's one session cookie."""

    values: dict[str, str] = field(default_factory=dict)

    def update(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(header)
            except Exception:  # noqa: S112 - a cookie this jar cannot read is ignored
                continue
            for name, morsel in parsed.items():
                expires = morsel.get("expires", "")
                if morsel.value == "" or (expires and "1970" in expires):
                    self.values.pop(name, None)
                else:
                    self.values[name] = morsel.value

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.values.items())


class Connection:
    """One keep-alive connection (reopened when the server closes it)."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      body: bytes = b"") -> Response:
        started = time.monotonic()
        try:
            return await asyncio.wait_for(self._exchange(method, path, headers or {}, body,
                                                         started), self.timeout)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError,
                ValueError) as exc:
            await self.close()
            raise HttpError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes,
                        started: float) -> Response:
        if self._writer is None:
            await self._open()
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Accept-Language: en", "User-Agent: portal-bench"]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self._writer.drain()
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        parts = status_line.decode("latin-1").split(" ", 2)
        status = int(parts[1])
        received: dict[str, str] = {}
        cookies: list[str] = []
        while True:
            line = (await self._reader.readline()).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _sep, value = line.partition(":")
            key, value = name.strip().lower(), value.strip()
            if key == "set-cookie":
                cookies.append(value)
            received[key] = value
        if received.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self._reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    await self._reader.readline()
                    break
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readexactly(2)
            data = b"".join(chunks)
        elif "content-length" in received:
            data = await self._reader.readexactly(int(received["content-length"]))
        elif method == "HEAD" or status in (204, 304):
            data = b""
        else:
            data = await self._reader.read()
            received["connection"] = "close"
        if cookies:
            received["set-cookie"] = "\n".join(cookies)
        if received.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, received, data, started, time.monotonic() - started)


class Browser:
    """A signed-in user: a connection and a cookie jar, following nothing automatically."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.connection = Connection(host, port, timeout=timeout)
        self.cookies = Cookies()

    async def close(self) -> None:
        await self.connection.close()

    async def get(self, path: str) -> Response:
        return await self.send("GET", path)

    async def post(self, path: str, fields: list[tuple[str, str]]) -> Response:
        return await self.send("POST", path, urlencode(fields).encode("utf-8"),
                               "application/x-www-form-urlencoded")

    async def send(self, method: str, path: str, body: bytes = b"",
                   content_type: str = "") -> Response:
        headers = {"Cookie": self.cookies.header()} if self.cookies.values else {}
        if content_type:
            headers["Content-Type"] = content_type
        response = await self.connection.request(method, path, headers=headers, body=body)
        if "set-cookie" in response.headers:
            self.cookies.update(response.headers["set-cookie"].split("\n"))
        return response

    async def login(self, email: str, password: str, totp_secret: str | None = None) -> None:
        page = await self.get("/login")
        token = csrf_of(page.text)
        response = await self.post("/login", [("email", email), ("password", password),
                                              ("csrf_token", token)])
        if response.status != 302:
            raise HttpError(f"login of {email} failed: {response.status}")
        if response.location.endswith("/login/code"):
            if totp_secret is None:
                raise HttpError(f"{email} needs a second factor")
            import pyotp

            for attempt in range(2):
                page = await self.get("/login/code")
                response = await self.post("/login/code", [
                    ("code", pyotp.TOTP(totp_secret).now()),
                    ("csrf_token", csrf_of(page.text))])
                if response.status == 302 or attempt:
                    break
                # this step's code was used by an earlier sign-in: wait for the next step
                await asyncio.sleep(30.5 - time.time() % 30)
            if response.status != 302:
                raise HttpError(f"second factor of {email} failed: {response.status}")
        # A browser follows the redirect: the page it lands on puts the form token in the
        # session cookie, which the browser then sends back unchanged. Without this, every
        # later request of a fixed cookie (wrk) would start a new form token and send the
        # session cookie again, which no browser makes the portal do.
        landing = urlsplit(response.location).path or "/"
        page = await self.get(landing)
        if page.status != 200:
            raise HttpError(f"landing page of {email} failed: {page.status}")


def csrf_of(page: str) -> str:
    match = CSRF_PATTERN.search(page)
    if match is None:
        raise HttpError("no CSRF token on the page")
    return match.group(1)
