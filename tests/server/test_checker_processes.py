"""Uploads are checked by ``portal worker``, never by a web worker, and no PDF checking process
outlives its job: not when the client cuts the upload off, not when the check reaches its time
limit, not when the worker that started it is killed (another takes the job over)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.worker_process import WorkerProcess
from tests.attachments import pdfs
from tests.server.conftest import Served, ServeFactory


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def _wait_for_checker(served: Served, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    checkers = served.worker.children()
    while not checkers and time.monotonic() < deadline:
        time.sleep(0.05)
        checkers = served.worker.children()
    return checkers


def test_uploads_are_checked_by_the_worker_and_leave_no_checker(serve: ServeFactory) -> None:
    served = serve(PORTAL_UPLOAD_TIME_LIMIT_SECONDS="2")
    served.cut_off_upload(pdfs.padded_pdf(8 * 1024 * 1024), fraction=0.5)
    served.cut_off_upload(pdfs.valid_pdf(), fraction=0.9)
    assert served.wait_without_children(3) == []

    response = served.upload(pdfs.slow_recovery_pdf())
    assert response.status == 302  # answered without waiting for the check
    checkers = _wait_for_checker(served, 10)
    assert checkers, "the worker started no check"
    assert served.web_children() == []  # the web workers never run one
    time.sleep(0.5)  # (past the checker's start-up, where it lowers its priority)
    policies = [os.sched_getscheduler(pid) for pid in checkers if alive(pid)]
    assert policies and set(policies) == {os.SCHED_IDLE}, policies  # it yields to the web
    autogroups = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if autogroups.exists() and autogroups.read_text().strip() == "1":
        # and so does its session's scheduling group (else nice counts inside it only)
        groups = [Path(f"/proc/{pid}/autogroup").read_text() for pid in checkers if alive(pid)]
        assert groups and all(g.strip().endswith("nice 19") for g in groups), groups
    [verdict] = served.wait_for_verdicts(2 + 10)
    assert verdict["state"] == "refused"
    assert "could not be checked within 2 seconds" in verdict["message"]
    assert served.wait_without_children(3) == []

    assert served.upload(pdfs.valid_pdf()).status == 302
    assert [v["state"] for v in served.wait_for_verdicts(10)] == ["refused", "accepted"]
    assert served.wait_without_children(3) == []


def test_a_checker_dies_with_the_worker_that_started_it(serve: ServeFactory) -> None:
    served = serve(PORTAL_UPLOAD_TIME_LIMIT_SECONDS="30", PORTAL_JOBS_LEASE_SECONDS="2",
                   PORTAL_JOBS_BACKOFF_BASE_SECONDS="1")
    assert served.upload(pdfs.slow_recovery_pdf(megabytes=20)).status == 302
    checkers = _wait_for_checker(served, 30)
    assert checkers, "no checking process was started"
    time.sleep(1.5)  # the checker has read the whole file (it would stop at a cut-off input)
    served.worker.kill()  # as the machine's OOM killer might
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in checkers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in checkers), "the checker outlived its worker"
    assert [v["state"] for v in served.verdicts()] == ["checking"]
    # another worker takes the job over once its lease ends, and judges the file
    replacement = WorkerProcess({**served.worker.env, "PORTAL_UPLOAD_TIME_LIMIT_SECONDS": "2"},
                                log=served.worker.log)
    served.worker = replacement
    replacement.start()
    [verdict] = served.wait_for_verdicts(30)
    assert verdict["state"] == "refused" and "within 2 seconds" in verdict["message"]
    assert served.wait_without_children(3) == []
