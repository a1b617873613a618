"""A gunicorn worker killed (SIGKILL) in the middle of requests: the master replaces it, and no
partial data is left (every draft a valid contract document, revision counters consistent with
the saves recorded, the audit chain intact), and no acknowledged save is lost."""

from __future__ import annotations

import os
import signal
import time

from bench import http_harness as h
from tests.reliability.conftest import (
    Portal,
    check_acknowledged_saves,
    check_consistency,
    reliability_seconds,
    wait_until,
)


def test_a_killed_worker_leaves_no_partial_data(portal: Portal) -> None:
    seconds = reliability_seconds(20)
    spec = portal.spec(portal.save_connections(12, readers=4), seconds)
    killed: list[tuple[int, float]] = []
    with h.start_load(spec) as (process, out_path):
        time.sleep(1.0 + seconds / 4)  # sign-in and warm-up, then part of the load
        for _ in range(2):
            workers = portal.server.worker_pids()
            assert workers, "no worker to kill"
            victim = workers[0]
            os.kill(victim, signal.SIGKILL)
            killed.append((victim, time.time()))
            assert wait_until(lambda v=victim: len(portal.server.worker_pids()) >= 2
                              and v not in portal.server.worker_pids(), 30)
            time.sleep(seconds / 4)
        process.wait(seconds + 120)
        assert process.returncode == 0
        import json

        result = json.loads(out_path.read_text(encoding="utf-8"))
    assert portal.server.health() == 200
    assert portal.server.process is not None and portal.server.process.poll() is None
    assert result["leaks"] == []
    # the only failures: connections cut by the kills (no answer), never a 5xx page
    assert [e for e in result["errors"] if e["status"] >= 500] == []
    last_kill = killed[-1][1]
    late = [e for e in result["errors"] if e["at"] > last_kill + 5]
    assert late == [], late[:5]
    assert check_acknowledged_saves(portal.url, result) > 0
    check_consistency(portal.url)
