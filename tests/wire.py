"""PostgreSQL's wire protocol as libpq's trace shows it: what a client waited for.

Each Sync (the end of an extended-protocol batch or pipeline) or simple Query the client sends
is one round trip: the tests that pin a page's round trips count them here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def traced(driver: Any, trace: Path) -> Iterator[None]:
    """libpq's trace of a psycopg connection into ``trace`` while the block runs."""
    from psycopg.pq import Trace  # (PostgreSQL only)

    with trace.open("a") as out:
        driver.pgconn.trace(out.fileno())
        driver.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        try:
            yield
        finally:
            driver.pgconn.untrace()


def round_trips(trace: Path) -> list[str]:
    """The messages the client waited for after (Sync or Query), in order."""
    # each line: F (sent) or B (received), the length, the message and its fields
    sent = [line.split("\t")[2].split(" ")[0] for line in trace.read_text().splitlines()
            if line.startswith("F\t")]
    return [kind for kind in sent if kind in ("Sync", "Query")]
