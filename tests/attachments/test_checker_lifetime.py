"""The checking process never outlives the check that started it: an interrupted check (the
way gunicorn stops a sync worker past its timeout: SystemExit raised by a signal handler) kills
it at once instead of waiting for it."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.attachments.inspect import inspect_pdf
from tests.attachments import pdfs


def children() -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        found |= {int(p) for p in task.read_text().split()}
    return found


@pytest.fixture()
def alarm() -> Iterator[None]:
    def abort(_signum: int, _frame: object) -> None:
        raise SystemExit(1)  # gunicorn's worker does this on SIGABRT

    previous = signal.signal(signal.SIGALRM, abort)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_an_interrupted_check_kills_its_checker_at_once(alarm: None) -> None:
    data = pdfs.slow_recovery_pdf(megabytes=20)  # some 20 s of checking
    before = children()
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    started = time.monotonic()
    with pytest.raises(SystemExit):
        inspect_pdf(data, max_pages=2000, time_limit=60)
    assert time.monotonic() - started < 5
    assert children() - before == set()
