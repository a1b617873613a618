"""The load generator: ``python -m bench.http_load SPEC.json RESULT.json``, a separate process.

A closed loop without think time: each connection sends its next request as soon as the
previous answer is read. The spec names the users (signed in once each, before the measured
window, through the real login forms with CSRF tokens and TOTP codes) and the connections, each
with a user, a plan of request kinds it cycles through and, for submitters, its own draft (saves
of two connections never race for one draft's revision).

Kinds: ``floor`` (GET /healthz), ``section`` (GET a wizard section), ``save`` (POST the section
form back with the current revision and a marker text, expecting 302), ``fresh`` (GET the
section the connection saves, after its save), ``check`` (GET the check page), ``queue`` (GET a
page of the triage queue), ``package`` (GET a triage package view).

The result has, per kind, every measured request's (start, latency, status); every failure with
its wall-clock time and whether the page leaked a stack trace or SQL; and every acknowledged
save (draft, revision, marker), so that a test can prove none was lost.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.http_client import Browser, HttpError, Response

LEAK_MARKERS = ("Traceback", "sqlalchemy", "psycopg", "OperationalError", "SELECT ",
                "INSERT INTO", "UPDATE mla_", 'File "/')
MARKER_FIELD = "facts-summary-text"
MAX_ERROR_SAMPLES = 200


@dataclass
class Draft:
    public_id: str
    slug: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    revision: int = 0
    saves: int = 0
    last_marker: str = ""
    last_acked: bool = True


@dataclass
class Stats:
    samples: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    acks: list[dict[str, Any]] = field(default_factory=list)
    leaks: list[dict[str, Any]] = field(default_factory=list)
    unexpected: dict[str, int] = field(default_factory=dict)


def read_form(page: str) -> list[tuple[str, str]]:
    from tests.requests.htmlform import read_form as reader

    return reader(page, "portal-wizard-form")


async def load_form(browser: Browser, draft: Draft) -> None:
    page = await browser.get(f"/requests/{draft.public_id}/{draft.slug}")
    if page.status != 200:
        raise HttpError(f"section page of {draft.public_id}: {page.status}")
    draft.fields = [(k, v) for k, v in read_form(page.text) if k != "op"]
    draft.revision = int(dict(draft.fields)["revision"])


def _save_fields(draft: Draft, marker: str | None) -> list[tuple[str, str]]:
    out = []
    for key, value in draft.fields:
        if key == "revision":
            value = str(draft.revision)
        elif marker is not None and key == MARKER_FIELD:
            value = marker
        out.append((key, value))
    out.append(("op", "draft"))
    return out


class Runner:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.host = str(spec.get("host", "127.0.0.1"))
        self.port = int(spec["port"])
        self.timeout = float(spec.get("timeout", 30.0))
        self.stats = Stats()
        self.measure_from = 0.0
        self.deadline = 0.0
        self.markers = bool(spec.get("markers", False))
        self.wall_offset = time.time() - time.monotonic()

    def _record(self, kind: str, response: Response | None, error: str = "",
                expected: tuple[int, ...] = (200,)) -> None:
        now = time.monotonic()
        status = response.status if response is not None else 0
        if response is not None and now >= self.measure_from:
            self.stats.samples.setdefault(kind, []).append(
                (response.started - self.measure_from, response.elapsed, status))
        if response is not None and status >= 400:
            body = response.text
            leaked = [m for m in LEAK_MARKERS if m in body]
            if leaked:
                self.stats.leaks.append({"kind": kind, "status": status, "markers": leaked,
                                         "body": body[:2000]})
        if response is None or status >= 500 or status not in expected:
            self.stats.error_count += 1
            if status and status < 500:
                key = f"{kind}:{status}"
                self.stats.unexpected[key] = self.stats.unexpected.get(key, 0) + 1
            if len(self.stats.errors) < MAX_ERROR_SAMPLES:
                entry: dict[str, Any] = {"kind": kind, "status": status, "error": error,
                                         "at": now + self.wall_offset}
                if response is not None and status >= 500:
                    body = response.text
                    entry["translated"] = ('<html lang="en"' in body
                                           and "Error code: 500" in body)
                    entry["json"] = response.headers.get("content-type", "").startswith(
                        "application/json")
                    entry["body"] = body[:300]
                self.stats.errors.append(entry)

    async def _one(self, browser: Browser, kind: str, conn: dict[str, Any], turn: int,
                   draft: Draft | None) -> None:
        try:
            if kind == "floor":
                self._record(kind, await browser.get("/healthz"))
            elif kind == "section" and draft is not None:
                slugs = conn.get("slugs") or [draft.slug]
                slug = slugs[turn % len(slugs)]
                self._record(kind, await browser.get(f"/requests/{draft.public_id}/{slug}"))
            elif kind == "fresh" and draft is not None:  # the section just saved, shown again
                self._record(kind, await browser.get(f"/requests/{draft.public_id}/{draft.slug}"))
            elif kind == "check" and draft is not None:
                self._record(kind, await browser.get(f"/requests/{draft.public_id}/check"))
            elif kind == "queue":
                pages = self.spec["queue_pages"]
                self._record(kind, await browser.get(pages[turn % len(pages)]))
            elif kind == "package":
                ids = self.spec["packages"]
                index = (turn * 7 + int(conn.get("offset", 0))) % len(ids)
                self._record(kind, await browser.get(f"/triage/{ids[index]}"))
            elif kind == "save" and draft is not None:
                await self._save(browser, draft, conn)
            else:
                raise ValueError(f"unknown kind {kind} (or no draft)")
        except HttpError as exc:
            self._record(kind, None, str(exc))
            if draft is not None and kind == "save":
                draft.last_acked = False
            await asyncio.sleep(0.05)  # a refused connection must not spin

    async def _save(self, browser: Browser, draft: Draft, conn: dict[str, Any]) -> None:
        if not draft.fields:
            await load_form(browser, draft)
        draft.saves += 1
        marker = f"{conn['name']} save {draft.saves} {time.time():.6f}" if self.markers else None
        if marker is not None:
            draft.last_marker, draft.last_acked = marker, False
        sent_revision = draft.revision
        try:
            response = await browser.post(f"/requests/{draft.public_id}/{draft.slug}",
                                          _save_fields(draft, marker))
        except HttpError:
            draft.fields = []  # unknown outcome: reload the form (and its revision) next time
            raise
        self._record("save", response, expected=(302,))
        if response.status == 302:
            draft.revision = sent_revision + 1
            draft.last_acked = True
            if marker is not None:
                self.stats.acks.append({"draft": draft.public_id, "revision": draft.revision,
                                        "marker": marker})
        else:
            draft.fields = []

    async def _connection(self, conn: dict[str, Any], browser: Browser) -> None:
        plan: list[str] = conn["plan"]
        draft = None
        if conn.get("draft"):
            draft = Draft(conn["draft"], conn.get("save_slug", "facts"))
        turn = int(conn.get("offset", 0))
        while time.monotonic() < self.deadline:
            kind = plan[turn % len(plan)]
            await self._one(browser, kind, conn, turn, draft)
            turn += 1
        if draft is not None and self.markers:
            self.stats.acks.append({"draft": draft.public_id, "final": True,
                                    "last_marker": draft.last_marker,
                                    "last_acked": draft.last_acked,
                                    "revision": draft.revision})

    async def run(self) -> dict[str, Any]:
        users = self.spec["users"]
        signed: list[Browser] = []
        gate = asyncio.Semaphore(8)

        async def sign_in(user: dict[str, Any]) -> Browser:
            async with gate:
                browser = Browser(self.host, self.port, timeout=self.timeout)
                if user.get("cookies"):
                    browser.cookies.values = dict(user["cookies"])
                    return browser
                await browser.login(user["email"], user["password"], user.get("totp"))
                await browser.close()
                return browser

        signed = list(await asyncio.gather(*(sign_in(u) for u in users)))
        browsers = []
        for conn in self.spec["connections"]:
            browser = Browser(self.host, self.port, timeout=self.timeout)
            browser.cookies.values = dict(signed[conn["user"]].cookies.values)
            browsers.append(browser)
        started = time.monotonic()
        self.measure_from = started + float(self.spec.get("warmup", 2.0))
        self.deadline = self.measure_from + float(self.spec["duration"])
        await asyncio.gather(*(self._connection(conn, browser) for conn, browser
                               in zip(self.spec["connections"], browsers, strict=True)))
        for browser in browsers:
            await browser.close()
        return {
            "duration": float(self.spec["duration"]),
            "measured_from": self.measure_from + self.wall_offset,
            "samples": self.stats.samples,
            "errors": self.stats.errors,
            "error_count": self.stats.error_count,
            "unexpected": self.stats.unexpected,
            "acks": self.stats.acks,
            "leaks": self.stats.leaks,
        }


def queue_pages(page: str, limit: int) -> list[str]:
    """Paths of the first queue pages, found by following the 'next' links."""
    found = re.findall(r'href="(/triage\?[^"]*after=[^"]+)"', page)
    return [p.replace("&amp;", "&") for p in found[:limit]]


def _run(work: Any) -> Any:
    """On uvloop when installed (the test extras): it takes ~0.35 ms of CPU a request where
    asyncio's own loop took ~0.5 (measured against the portal's save), CPU that the server
    under test shares on the same machine."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = _run(Runner(spec).run())
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
