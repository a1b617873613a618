"""Submitters uploading hostile PDFs in a loop: ``python -m bench.hostile_uploads SPEC RESULT``,
a process of its own beside the load generator (started and stopped by :class:`Uploaders`).

Each uploader is a signed-in submitter with a draft of its own and loops: upload a PDF that is
slow or dangerous to check (the form's POST with its CSRF token, expecting 302), open the
page it is sent back to, ask the checks' JSON every ``poll`` seconds until no document is being
checked, then remove each document (POST with the CSRF token, expecting 302) and open the page
again. The files alternate between the ones of :data:`FILES`. Every request's latency and
status are recorded; SIGTERM ends the loops (an upload under way is answered first).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.http_client import Browser, HttpError, Response, csrf_of
from bench.http_harness import ROOT
from bench.http_load import _run

BOUNDARY = "----portal-bench-hostile-4f1c"
MAX_ERROR_SAMPLES = 20


def _slow_recovery() -> bytes:
    from tests.attachments import pdfs

    return pdfs.slow_recovery_pdf()


def _decompression_bomb() -> bytes:
    from tests.attachments import pdfs

    return pdfs.decompression_bomb_pdf()


#: name -> (file name sent, builder): a 5 MB stream of noise that pypdf's recovery feeds to
#: the inflater byte by byte (the check runs into its time limit), and 2 MB that inflate to
#: 2 GiB of zeros (tests/attachments/pdfs.py).
FILES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "slow recovery": ("slow-recovery.pdf", _slow_recovery),
    "decompression bomb": ("decompression-bomb.pdf", _decompression_bomb),
}


def multipart(token: str, filename: str, data: bytes) -> bytes:
    """The upload form's body: CSRF token, type, language and the file."""
    fields = [("csrf_token", token), ("document_kind", "request_letter"), ("language", "en")]
    body = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    f"{v}\r\n".encode() for k, v in fields)
    body += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    return body + data + f"\r\n--{BOUNDARY}--\r\n".encode()


@dataclass
class Uploader:
    index: int
    draft: str
    browser: Browser
    token: str = ""
    bodies: dict[str, bytes] = field(default_factory=dict)
    cycles: int = 0


class Runner:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.port = int(spec["port"])
        self.poll = float(spec.get("poll", 1.0))
        self.patience = float(spec.get("patience", 180.0))
        self.files = {name: (filename, build()) for name, (filename, build) in FILES.items()}
        self.stop = asyncio.Event()
        self.t0 = 0.0
        self.samples: dict[str, list[list[float]]] = {}
        self.errors: list[dict[str, Any]] = []
        self.accepted = 0
        self.refused_at_once: dict[str, int] = {}
        self.verdicts: list[dict[str, Any]] = []
        self.started: list[bool] = []

    # -- requests --------------------------------------------------------------------------
    def _record(self, kind: str, response: Response | None, ok: bool, error: str = "") -> None:
        """[start, latency, status, ok]: seconds from the start of the run."""
        now = time.monotonic()
        started = response.started if response is not None else now
        latency = response.elapsed if response is not None else 0.0
        status = response.status if response is not None else 0
        self.samples.setdefault(kind, []).append(
            [started - self.t0, latency, float(status), 1.0 if ok else 0.0])
        if not ok and len(self.errors) < MAX_ERROR_SAMPLES:
            self.errors.append({"kind": kind, "status": status,
                                "error": error or f"status {status}"})

    async def _send(self, up: Uploader, kind: str, method: str, path: str, expected: int,
                    body: bytes = b"", content_type: str = "") -> Response | None:
        try:
            response = await up.browser.send(method, path, body, content_type)
        except HttpError as exc:
            self._record(kind, None, False, str(exc)[:300])
            return None
        self._record(kind, response, response.status == expected)
        return response

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)

    # -- the loop --------------------------------------------------------------------------
    async def _prepare(self, up: Uploader) -> None:
        page = await up.browser.get(f"/requests/{up.draft}/procedures")
        if page.status != 200:
            raise HttpError(f"procedures page of {up.draft}: {page.status}")
        up.token = csrf_of(page.text)
        up.bodies = {name: multipart(up.token, filename, data)
                     for name, (filename, data) in self.files.items()}

    async def _cycle(self, up: Uploader) -> None:
        names = list(self.files)
        name = names[(up.index + up.cycles) % len(names)]
        up.cycles += 1
        base = f"/requests/{up.draft}"
        answer = await self._send(up, "upload", "POST", f"{base}/attachments", 302,
                                  up.bodies[name], f"multipart/form-data; boundary={BOUNDARY}")
        self.started[up.index] = True
        if answer is None or answer.status != 302:
            if answer is not None and answer.status < 500:
                key = str(answer.status)
                self.refused_at_once[key] = self.refused_at_once.get(key, 0) + 1
            await self._pause(1.0)
            return
        self.accepted += 1
        uploaded = time.monotonic()
        await self._send(up, "page", "GET", f"{base}/procedures", 200)
        states: list[dict[str, Any]] = []
        while not self.stop.is_set():
            await self._pause(self.poll)
            polled = await self._send(up, "poll", "GET", f"{base}/attachments/checks", 200)
            if polled is not None and polled.status == 200:
                states = list(json.loads(polled.text)["attachments"])
                if states and all(s["state"] != "checking" for s in states):
                    break
            if time.monotonic() - uploaded > self.patience:
                self.verdicts.append({"file": name, "state": "no verdict",
                                      "seen_after": time.monotonic() - uploaded})
                break
        if self.stop.is_set():
            return
        for state in states:
            if state["state"] != "checking":
                self.verdicts.append({"file": name, "state": state["state"],
                                      "seen_after": time.monotonic() - uploaded})
            body = f"csrf_token={up.token}".encode()
            await self._send(up, "remove", "POST",
                             f"{base}/attachments/{state['id']}/remove", 302, body,
                             "application/x-www-form-urlencoded")
        await self._send(up, "page", "GET", f"{base}/procedures", 200)

    async def _loop(self, up: Uploader) -> None:
        await self._prepare(up)
        while not self.stop.is_set():
            await self._cycle(up)

    async def _announce(self, ready: Path) -> None:
        """Write ``ready`` once every uploader's first upload was answered."""
        while not all(self.started) and not self.stop.is_set():
            await asyncio.sleep(0.05)
        ready.write_text("ready", encoding="utf-8")

    async def run(self) -> dict[str, Any]:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.stop.set)
        uploaders = []
        for n, entry in enumerate(self.spec["uploaders"]):
            browser = Browser("127.0.0.1", self.port, timeout=float(self.spec.get("timeout",
                                                                                  60.0)))
            browser.cookies.values = dict(entry["cookies"])
            uploaders.append(Uploader(n, str(entry["draft"]), browser))
        self.started = [False] * len(uploaders)
        self.t0 = time.monotonic()
        announce = asyncio.create_task(self._announce(Path(self.spec["ready"])))
        await asyncio.gather(*(self._loop(up) for up in uploaders))
        await announce
        for up in uploaders:
            await up.browser.close()
        return {"seconds": time.monotonic() - self.t0, "samples": self.samples,
                "errors": self.errors, "accepted": self.accepted,
                "refused_at_once": self.refused_at_once, "verdicts": self.verdicts,
                "cycles": sum(up.cycles for up in uploaders),
                "files": {name: len(data) for name, (_f, data) in self.files.items()}}


class Uploaders:
    """The uploaders' process: :meth:`start`, :meth:`wait_ready`, then :meth:`stop` for the
    result."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-uploaders-"))
        self.ready = self.tmp / "ready"
        self.out = self.tmp / "result.json"
        self.spec = {**spec, "ready": str(self.ready)}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        spec_path = self.tmp / "spec.json"
        spec_path.write_text(json.dumps(self.spec), encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.hostile_uploads", str(spec_path), str(self.out)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def wait_ready(self, seconds: float = 120.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while not self.ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"the uploaders exited ({self.process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError("the uploaders' first uploads got no answer")
            time.sleep(0.05)

    def stop(self, seconds: float = 120.0) -> dict[str, Any]:
        """End the loops (the requests under way are answered first); the result."""
        assert self.process is not None
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            self.process.wait(seconds)
            if self.process.returncode != 0:
                raise RuntimeError(f"the uploaders failed ({self.process.returncode})")
            return dict(json.loads(self.out.read_text(encoding="utf-8")))
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(5)
            for path in self.tmp.iterdir():
                path.unlink()
            self.tmp.rmdir()


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = _run(Runner(spec).run())
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
