"""PostgreSQL stopped and started again in the middle of a load: the portal recovers by
itself (same gunicorn workers, no restart), errors happen only while the database is down,
and then /healthz answers 503 and pages get the translated 500 page, never a stack trace.

The server is a cluster of the test's own (tests/reliability/conftest.py): restarting the
suite's shared server would break the tests running beside this one."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable
from typing import TypeVar

from bench import http_harness as h
from bench.http_client import Browser
from tests.reliability.conftest import (
    PrivateServer,
    check_acknowledged_saves,
    check_consistency,
    reliability_seconds,
    serve,
)

T = TypeVar("T")
DOWN_SECONDS = 3.0
GRACE_SECONDS = 3.0  # after pg_ctl start returns: pools notice dead connections on checkout


async def _once(browser: Browser, work: Awaitable[T]) -> T:
    """Run one call of the browser in its own event loop (its connection closed after)."""
    try:
        return await work
    finally:
        await browser.close()


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode(), \
                response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode(), exc.headers.get("Content-Type", "")


def test_the_portal_recovers_from_a_database_restart(private_postgres: PrivateServer) -> None:
    seconds = reliability_seconds(20)
    for portal in serve(private_postgres.url, submitters=12):
        workers_before = sorted(portal.server.worker_pids())
        spec = portal.spec(portal.save_connections(10, readers=6), seconds)
        signed_in = Browser("127.0.0.1", portal.server.port)
        credential = portal.data.submitters[-1]
        asyncio.run(_once(signed_in, signed_in.login(credential.email, credential.password)))
        with h.start_load(spec) as (process, out_path):
            time.sleep(1.0 + seconds / 3)
            down_at = time.time()
            private_postgres.stop()
            try:
                status, body, kind = _get(f"{portal.server.base}/healthz")
                assert status == 503 and kind.startswith("application/json"), (status, body)
                assert json.loads(body)["database"] == "unavailable"
                response = asyncio.run(_once(signed_in, signed_in.get("/requests")))
                status, body = response.status, response.text
                assert status == 500, status
                assert '<html lang="en"' in body and "Error code: 500" in body
                assert "Traceback" not in body and "psycopg" not in body
                assert "SELECT" not in body and "sqlalchemy" not in body
                time.sleep(DOWN_SECONDS)
            finally:
                private_postgres.start()
            up_at = time.time()
            process.wait(seconds + 120)
            assert process.returncode == 0
            result = json.loads(out_path.read_text(encoding="utf-8"))
        assert sorted(portal.server.worker_pids()) == workers_before  # nothing restarted
        assert portal.server.health() == 200
        assert result["leaks"] == []
        outside = [e for e in result["errors"]
                   if not down_at - 0.5 <= e["at"] <= up_at + GRACE_SECONDS]
        assert outside == [], outside[:5]
        pages = [e for e in result["errors"] if e["status"] >= 500]
        assert all(e["translated"] or e["json"] for e in pages), [e["body"] for e in pages[:3]]
        after = [s for samples in result["samples"].values() for s in samples
                 if s[0] + result["measured_from"] > up_at + GRACE_SECONDS]
        assert after and all(s[2] < 500 for s in after), "no traffic served after the restart"
        check_acknowledged_saves(portal.url, result)
        check_consistency(portal.url)
