"""Reliability tests: the portal under a real gunicorn against a real PostgreSQL server, loaded
by the load generator of bench/ (bench.http_load) in a separate process.

They need the PostgreSQL server (``PORTAL_TEST_DATABASE_URL``): on the SQLite pass of ``make
test`` they are skipped with that reason, on the PostgreSQL pass they run. Their load lasts
``PORTAL_RELIABILITY_SECONDS`` (default 20-30 s each: the short form of ``make test``);
``make soak`` runs them for minutes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench import http_harness as h
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain
from portal.contract.load import load_request_json
from portal.requests.models import MlaRequest
from tests.conftest import PG_URL

NEEDS_POSTGRES = pytest.mark.skipif(
    not PG_URL, reason="needs the real PostgreSQL server and gunicorn: runs on the PostgreSQL "
                       "pass (make test-postgres, PORTAL_TEST_DATABASE_URL)")


def reliability_seconds(default: float) -> float:
    raw = os.environ.get("PORTAL_RELIABILITY_SECONDS", "")
    return float(raw) if raw.strip() else default


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "reliability" in Path(str(item.fspath)).parts:
            item.add_marker(NEEDS_POSTGRES)
            item.add_marker(pytest.mark.postgres)


@dataclass
class Portal:
    """A migrated database with submitters and drafts, served by gunicorn."""

    url: str
    data: h.Dataset
    server: h.Gunicorn

    def users(self) -> list[dict[str, Any]]:
        return [c.as_spec() for c in self.data.submitters]

    def save_connections(self, count: int, *, readers: int = 0) -> list[dict[str, Any]]:
        """``count`` connections saving their own draft; ``readers`` more opening pages."""
        conns: list[dict[str, Any]] = [
            {"name": f"saver{n}", "user": n, "plan": ["save"], "draft": self.data.drafts[n][0]}
            for n in range(count)]
        conns += [{"name": f"reader{n}", "user": n % count, "offset": n,
                   "plan": ["section", "check", "floor"], "draft": self.data.drafts[n % count][0],
                   "slugs": ["facts", "assistance", "proceedings"]} for n in range(readers)]
        return conns

    def spec(self, connections: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
        return {"port": self.server.port, "duration": seconds, "warmup": 1.0,
                "users": self.users(), "connections": connections, "markers": True,
                "timeout": 30, "queue_pages": ["/triage"], "packages": ["none"]}


def _database_name(request: pytest.FixtureRequest) -> str:
    worker = re.sub(r"[^a-z0-9]", "", os.environ.get("PYTEST_XDIST_WORKER", "main"))
    test = re.sub(r"[^a-z0-9]", "", request.node.name.lower())[:30]
    return f"portal_rel_{worker}_{test}"


def serve(url: str, workers: int = 2, submitters: int = 16,
          log: Path | None = None) -> Iterator[Portal]:
    data = h.prepare(url, submitters=submitters, drafts_each=1, triage=0, volume=0,
                     authorities=4)
    data_dir = Path(tempfile.mkdtemp(prefix="portal-rel-"))
    server = h.Gunicorn(h.server_env(url, data_dir), workers=workers, worker_class="gthread",
                        threads=4, log=log)
    try:
        server.start()
        yield Portal(url, data, server)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture()
def portal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Portal]:
    """A fresh database on the test PostgreSQL server and gunicorn (2 gthread workers)."""
    name = _database_name(request)
    url = h.fresh_database(PG_URL, name)
    try:
        yield from serve(url, log=tmp_path / "gunicorn.log")
    finally:
        h.drop_database(PG_URL, name)


# ------------------------------------------------------------------ a private PostgreSQL server

PrivateServer = h.PrivateServer


@pytest.fixture()
def private_postgres() -> Iterator[PrivateServer]:
    """A cluster of the test's own, so that restarting it disturbs no other test (the shared
    server of the suite keeps serving the other xdist worker)."""
    if not sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("no PostgreSQL binaries (scripts/ensure-postgres.sh installs them)")
    with h.private_postgres("portal_rel") as server:
        yield server


# --------------------------------------------------------------------------- checks on the data

def check_acknowledged_saves(url: str, result: dict[str, Any]) -> int:
    """Every acknowledged save is in the database: its audit record (same transaction) is
    there, and a draft whose last save was acknowledged holds that save's text and revision.
    Returns the number of acknowledged saves."""
    database = h.open_database(url)
    try:
        with database.session() as db:
            saved: set[tuple[str, int]] = set()
            for event in db.scalars(select(AuditEvent).where(
                    AuditEvent.action == "request.saved")):
                saved.add((event.object_id, int(json.loads(event.details)["revision"])))
            acks = [a for a in result["acks"] if "marker" in a]
            missing = [a for a in acks if (a["draft"], a["revision"]) not in saved]
            assert missing == [], f"{len(missing)} acknowledged saves lost: {missing[:5]}"
            for final in (a for a in result["acks"] if a.get("final")):
                row = db.scalar(select(MlaRequest).where(
                    MlaRequest.public_id == final["draft"]))
                assert row is not None
                if final["last_acked"] and final["last_marker"]:
                    content = json.loads(row.draft_json)
                    assert content["facts"]["summary"]["text"] == final["last_marker"], final
                    assert row.revision == final["revision"], (row.revision, final)
            return len(acks)
    finally:
        database.dispose()


def check_consistency(url: str) -> int:
    """No partial data: every draft is a valid contract document, each revision counter
    matches the saves recorded for it (revisions 2..n, once each), the audit chain verifies.
    Returns the number of drafts checked."""
    database = h.open_database(url)
    try:
        with database.session() as db:
            revisions: dict[str, list[int]] = {}
            for event in db.scalars(select(AuditEvent).where(
                    AuditEvent.action == "request.saved")):
                revisions.setdefault(event.object_id, []).append(
                    int(json.loads(event.details)["revision"]))
            rows = list(db.scalars(select(MlaRequest)))
            for row in rows:
                loaded = load_request_json(row.draft_json)
                assert loaded.ok, (row.public_id, loaded.errors[:3])
                saved = sorted(revisions.get(row.public_id, []))
                assert saved == list(range(2, row.revision + 1)), \
                    (row.public_id, row.revision, saved[-5:])
            problems = verify_chain(db)
            assert problems == [], problems[:5]
            return len(rows)
    finally:
        database.dispose()


def url_on(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def wait_until(predicate: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
