"""The users, drafts and submitted requests of the HTTP benchmark, and the jobs made of them.

Submitter ``n`` owns ``drafts_each`` drafts imported from examples/requests: the first stays
unchanged (its pages are cache hits, reported apart), the next ``EDITORS_EACH`` are edited by
the editing run, the rest form a pool whose texts :meth:`Workload.change_pool` changes before
each run, so that every view of a pool draft is the first view of that content. The newest
``SEEN_PACKAGES`` submitted requests are opened again and again (cache hits); the others are
handed out once each (packages not opened before). A run with ``portal worker`` beside the
server first calls :meth:`Workload.mark_packaged`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, create_engine, insert, select, update

from bench import http_harness as h
from bench.http_client import Browser

SECTION_SLUGS = ["authority", "legal-basis", "proceedings", "offences", "facts", "assistance",
                 "preservation"]
EDITORS_EACH = 2
SEEN_PACKAGES = 200


@dataclass(frozen=True)
class Sizes:
    submitters: int = 100
    drafts_each: int = 32
    triage: int = 10
    volume: int = 20_000


def _queue_pages(port: int, cookies: dict[str, str], pages: int = 5) -> list[str]:
    async def walk() -> list[str]:
        browser = Browser("127.0.0.1", port)
        browser.cookies.values = dict(cookies)
        found, path = ["/triage"], "/triage"
        for _ in range(pages - 1):
            page = await browser.get(path)
            match = re.search(r'rel="next" href="([^"]+)"', page.text)
            if page.status != 200 or not match:
                break
            path = match.group(1).replace("&amp;", "&")
            found.append(path)
        await browser.close()
        return found

    return asyncio.run(walk())


def settle(port: int, limit: float = 30.0) -> None:
    """Wait until the server has worked off what an earlier run left queued: /healthz answers
    within 50 ms twice in a row."""
    deadline, quick = time.monotonic() + limit, 0
    while time.monotonic() < deadline and quick < 2:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                        timeout=10) as response:
                response.read()
            quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        except OSError:
            quick = 0
        time.sleep(0.2)


class Workload:
    def __init__(self, url: str, sizes: Sizes) -> None:
        self.url = url
        self.sizes = sizes
        self.data = h.prepare(url, submitters=sizes.submitters, drafts_each=sizes.drafts_each,
                              triage=sizes.triage, volume=sizes.volume, submitted_limit=None)
        self.cookies: list[dict[str, str]] = []
        self.queue_pages: list[str] = ["/triage"]
        submitters = len(self.data.submitters)
        # pool drafts interleaved by owner: neighbours in the list belong to different users
        self.pool = [(self.data.drafts[u][k], u) for k in range(1 + EDITORS_EACH,
                                                                 sizes.drafts_each)
                     for u in range(submitters)]
        self.editors: list[dict[str, Any]] = [
            {"user": u, "draft": self.data.drafts[u][1 + k], "slugs": SECTION_SLUGS,
             "tag": f"E{u}.{k}"}
            for k in range(EDITORS_EACH) for u in range(submitters)]
        self.seen = self.data.submitted[:SEEN_PACKAGES]
        self.unseen = self.data.submitted[SEEN_PACKAGES:]
        self.next_unseen = 0
        self.generation = 0
        self._bases: dict[str, str] = {}
        self._engine = create_engine(url)

    def close(self) -> None:
        self._engine.dispose()

    def credentials(self) -> list[h.Credential]:
        return [*self.data.submitters, *self.data.triage]

    def sign_in(self, port: int) -> None:
        """Once: sessions live in the database."""
        self.cookies = h.sign_in_all(port, self.credentials())
        if self.data.submitted:
            self.queue_pages = _queue_pages(port, self.cookies[len(self.data.submitters)])

    def triage_user(self, n: int) -> int:
        return len(self.data.submitters) + n % len(self.data.triage)

    # -- targets: [kind, path, user] -----------------------------------------------------------
    def floor(self) -> list[list[Any]]:
        return [["floor", "/healthz", u] for u in range(len(self.data.submitters))]

    def pool_views(self, view: str) -> list[list[Any]]:
        """Each pool draft once: its section page (the sections in turn), task list or check."""
        out: list[list[Any]] = []
        for n, (draft, user) in enumerate(self.pool):
            if view == "overview":
                path = f"/requests/{draft}"
            elif view == "check":
                path = f"/requests/{draft}/check"
            else:
                path = f"/requests/{draft}/{SECTION_SLUGS[n % len(SECTION_SLUGS)]}"
            out.append([view, path, user])
        return out

    def unchanged_sections(self) -> list[list[Any]]:
        return [["section", f"/requests/{self.data.drafts[u][0]}/{slug}", u]
                for slug in SECTION_SLUGS for u in range(len(self.data.submitters))]

    def queue(self) -> list[list[Any]]:
        return [["queue", page, self.triage_user(n)]
                for n, page in enumerate(self.queue_pages * len(self.data.triage))]

    def seen_packages(self) -> list[list[Any]]:
        return [["package", f"/triage/{p}", self.triage_user(n)]
                for n, p in enumerate(self.seen)]

    def unseen_packages(self, count: int) -> list[list[Any]]:
        """The next ``count`` packages never handed out before (fewer when the volume is
        used up); :meth:`used_unseen` moves past the ones a run asked for."""
        chosen = self.unseen[self.next_unseen:self.next_unseen + count]
        return [["package", f"/triage/{p}", self.triage_user(n)]
                for n, p in enumerate(chosen)]

    def used_unseen(self, count: int) -> None:
        self.next_unseen += count

    # -- changing the pool ---------------------------------------------------------------------
    def change_pool(self) -> None:
        """A new text in the facts of every pool draft (and the next revision), written to
        the database directly: the portal's caches are keyed by content, so each draft's
        next view is the first of that content. Saves themselves are timed in the editing
        run."""
        from portal.requests.models import MlaRequest

        self.generation += 1
        table = cast(Table, MlaRequest.__table__)
        index = {draft: n for n, (draft, _user) in enumerate(self.pool)}
        with self._engine.begin() as conn:
            rows = conn.execute(select(table.c.id, table.c.public_id, table.c.draft_json)
                                .where(table.c.public_id.in_(list(index)))).all()
            changes = []
            for row_id, public_id, text in rows:
                doc = json.loads(text)
                summary = doc["facts"]["summary"]
                base = self._bases.setdefault(public_id, summary["text"])
                summary["text"] = f"{base} [P{index[public_id]}-{self.generation}]"
                changes.append({"row": row_id, "text": json.dumps(doc, ensure_ascii=False)})
            conn.execute(update(table).where(table.c.id == bindparam("row"))
                         .values(draft_json=bindparam("text"), revision=table.c.revision + 1),
                         changes)

    # -- a worker beside the server ------------------------------------------------------------
    def mark_packaged(self, packages: Path) -> int:
        """Give every submitted version its package, built, and its hand-off, sent, as a
        deployment holds requests submitted long ago; each bag's directory under
        ``packages`` holds only its (empty) tag manifest, which is what the repair pass looks
        for (no page of the runs opens a bag). Otherwise the worker's scheduled repair and
        hand-off passes would spend the run packaging the generated volume. The number of
        packages written."""
        from portal.accounts.models import new_public_id
        from portal.db import utcnow
        from portal.packages.models import Handoff, HandoffState, Package, PackageState
        from portal.requests.models import MlaRequest, RequestVersion

        now = utcnow()
        with self._engine.begin() as conn:
            versions = conn.execute(
                select(RequestVersion.id, RequestVersion.request_id, RequestVersion.number,
                       MlaRequest.reference, MlaRequest.training)
                .join(MlaRequest, MlaRequest.id == RequestVersion.request_id)
                .outerjoin(Package, Package.version_id == RequestVersion.id)
                .where(Package.id.is_(None))).all()
            if not versions:
                return 0
            conn.execute(insert(Package), [
                {"public_id": new_public_id(), "request_id": request_id,
                 "version_id": version_id, "version": number, "reference": reference or "",
                 "training": training, "state": PackageState.BUILT.value,
                 "attachments_json": "[]", "created_at": now, "built_at": now}
                for version_id, request_id, number, reference, training in versions])
            handoffs = conn.execute(
                select(Package.id).outerjoin(Handoff, Handoff.package_id == Package.id)
                .where(Handoff.id.is_(None), Package.training.is_(False))).scalars().all()
            if handoffs:
                conn.execute(insert(Handoff), [
                    {"package_id": package_id, "state": HandoffState.SENT.value, "attempts": 1,
                     "next_attempt_at": now, "created_at": now, "updated_at": now,
                     "sent_at": now} for package_id in handoffs])
        for _version, _request, number, reference, _training in versions:
            bag = packages / f"{reference or ''}-v{number}"
            bag.mkdir(parents=True, exist_ok=True)
            (bag / "tagmanifest-sha256.txt").touch()
        return len(versions)
