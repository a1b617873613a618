"""Concurrent draft saves through a real gunicorn against PostgreSQL: zero server errors, and
every acknowledged save (302 after the POST) is in the database afterwards."""

from __future__ import annotations

from bench import http_harness as h
from tests.reliability.conftest import (
    Portal,
    check_acknowledged_saves,
    check_consistency,
    reliability_seconds,
)


def test_no_server_error_and_no_lost_save_under_load(portal: Portal) -> None:
    seconds = reliability_seconds(30)
    result = h.run_load(portal.spec(portal.save_connections(12, readers=8), seconds))
    assert result["leaks"] == []
    server_errors = [e for e in result["errors"] if e["status"] >= 500 or e["status"] == 0]
    assert server_errors == [], server_errors[:5]
    assert result["unexpected"] == {}, result["unexpected"]  # no 409: each its own draft
    assert result["error_count"] == 0
    acknowledged = check_acknowledged_saves(portal.url, result)
    assert acknowledged >= 12 * seconds / 10, "the load hardly ran"
    check_consistency(portal.url)
    figures = h.summarize(result)
    assert figures["save"]["count"] > 0 and figures["section"]["count"] > 0
