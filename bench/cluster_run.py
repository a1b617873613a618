"""Runs an HTTP benchmark on a PostgreSQL cluster of its own, configured as production would be
(every commit flushed to disk), unless ``BENCH_HTTP_DURABLE=0`` (the test cluster of
scripts/ensure-postgres.sh); and prints its rows."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from bench import http_harness as h


class Measurable(Protocol):
    def measure(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


B = TypeVar("B", bound=Measurable)
Rows = list[dict[str, Any]]


def on_own_cluster(db_name: str, make: Callable[[str, bool], B],
                   report: Callable[[B, dict[str, Any]], Rows]) -> Rows:
    """``report(bench, bench.measure())`` for ``make(admin_url, durable)``; the bench is closed
    whatever happens."""
    def once(admin_url: str, durable: bool) -> Rows:
        bench = make(admin_url, durable)
        try:
            measured = bench.measure()
        finally:
            bench.close()
        return report(bench, measured)

    if os.environ.get("BENCH_HTTP_DURABLE", "1") == "0":
        return once(h.ensure_postgres(), False)
    with h.private_postgres(db_name, durable=True, max_connections=200) as server:
        return once(server.admin_url, True)


def print_rows(rows: Rows) -> None:
    for row in rows:
        if "markdown" in row:
            print(row["markdown"])
            continue
        mark = "ok " if row["ok"] else "FAIL"
        print(f"[{mark}] {row['what']}: {row['result']} (target {row['target']})")
