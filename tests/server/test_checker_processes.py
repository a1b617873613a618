"""No PDF checking process outlives its upload: not when the client cuts the upload off, not
when the check reaches its time limit, not when the worker that started it is killed."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from tests.attachments import pdfs
from tests.server.conftest import Response, ServeFactory


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def test_cut_off_and_timed_out_uploads_leave_no_checker(serve: ServeFactory) -> None:
    served = serve(PORTAL_UPLOAD_TIME_LIMIT_SECONDS="2")
    served.cut_off_upload(pdfs.padded_pdf(8 * 1024 * 1024), fraction=0.5)
    served.cut_off_upload(pdfs.valid_pdf(), fraction=0.9)
    assert served.wait_without_children(3) == []

    started = time.monotonic()
    response = served.upload(pdfs.slow_recovery_pdf())
    assert time.monotonic() - started < 2 + 10
    assert response.status == 400
    assert "could not be checked within 2 seconds" in response.body
    assert served.wait_without_children(3) == []

    # the server still serves: a valid file goes through
    assert served.upload(pdfs.valid_pdf()).status == 302
    assert served.wait_without_children(3) == []


def test_a_checker_dies_with_the_worker_that_started_it(serve: ServeFactory) -> None:
    served = serve(PORTAL_UPLOAD_TIME_LIMIT_SECONDS="30")
    answers: list[Response | Exception] = []

    def send() -> None:
        try:
            answers.append(served.upload(pdfs.slow_recovery_pdf(megabytes=20)))
        except OSError as exc:
            answers.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 30
    checkers = served.checker_processes()
    while not checkers and time.monotonic() < deadline:
        time.sleep(0.05)
        checkers = served.checker_processes()
    assert checkers, "no checking process was started"
    time.sleep(1.5)  # the checker has read the whole file (it would stop at a cut-off input)
    [worker] = served.server.worker_pids()
    os.kill(worker, signal.SIGKILL)  # as gunicorn does to a worker past its timeout
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in checkers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in checkers), "the checker outlived its worker"
    sender.join(30)
    assert len(answers) == 1 and isinstance(answers[0], OSError)  # its worker was killed
    assert served.upload(pdfs.valid_pdf()).status == 302  # the next worker serves
    assert served.wait_without_children(3) == []
