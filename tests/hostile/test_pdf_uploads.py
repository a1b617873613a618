"""The hostile-PDF corpus (tests/attachments/pdfs.py, the list of tests/attachments/
test_inspect.py) through the real upload route and the background check: the upload answers
before any check runs, the worker refuses each file with its explained reason, nothing is
attached to the draft, its bytes are deleted, the check stops at the time limit, and the
checker's memory is bounded (the sandbox does it; this verifies it through the web layer)."""

from __future__ import annotations

import io
import resource
import time
from collections.abc import Callable

import pytest
from flask import Flask
from markupsafe import escape

from portal.attachments.inspect import MESSAGES, check_bytes
from portal.attachments.store import attachment_store
from tests.attachments import pdfs
from tests.attachments.test_inspect import CORPUS
from tests.conftest import run_jobs
from tests.hostile.conftest import Owner, assert_no_leak, token_of
from tests.requests.test_wizard import _content

#: The route's own margin over the checker's time limit (start-up of the sandbox, storage).
MARGIN_SECONDS = 10


def upload(owner: Owner, data: bytes, name: str = "letter.pdf"):  # type: ignore[no-untyped-def]
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    return owner.client.post(f"/requests/{owner.public_id}/attachments", data={
        "csrf_token": token_of(page.text), "document_kind": "request_letter", "language": "en",
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def explained(code: str) -> str:
    """The fixed start of the reason's message (before any parameter), as the page shows it."""
    return str(escape(MESSAGES[code].split("%(")[0].strip()))


def assert_refused_at_once(app: Flask, owner: Owner, data: bytes, code: str) -> None:
    """Bytes that are not a PDF at all (the cheap checks of the raw bytes) are refused by the
    upload itself, with the upload form's error."""
    before = _content(app, owner.public_id)
    response = upload(owner, data)
    assert response.status_code == 400, response.status_code
    assert "The document was not attached" in response.text
    assert explained(code) in response.text, code
    assert 'aria-invalid="true"' in response.text or "usa-error-message" in response.text
    assert_no_leak(response.text)
    assert _content(app, owner.public_id) == before
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert "data-attachment=" not in page.text  # nothing attached


def assert_refused(app: Flask, owner: Owner, data: bytes, code: str, limit: float) -> None:
    if check_bytes(data) is not None:
        assert_refused_at_once(app, owner, data, code)
        return
    before = _content(app, owner.public_id)
    response = upload(owner, data)
    assert response.status_code == 302, response.status_code
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert 'data-check-state="checking"' in page.text and "Being checked" in page.text
    assert explained(code) not in page.text  # no verdict yet: the upload did not wait
    started = time.monotonic()
    run_jobs(app)
    elapsed = time.monotonic() - started
    assert elapsed < limit + MARGIN_SECONDS, f"the check took {elapsed:.1f} s"
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert explained(code) in page.text, code
    assert_no_leak(page.text)
    assert _content(app, owner.public_id) == before
    assert 'data-check-state="refused"' in page.text
    assert 'data-check-state="accepted"' not in page.text and " download>" not in page.text
    with app.app_context():
        assert attachment_store(app.extensions["portal.settings"]).names() == []
    check = owner.client.get(f"/requests/{owner.public_id}/check")
    assert "Continue to the review of your answers" not in check.text


@pytest.mark.parametrize(("label", "make", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_pdf_is_refused_through_the_upload_route(
        app: Flask, owner: Owner, label: str, make: Callable[[], bytes], code: str) -> None:
    limit = app.extensions["portal.settings"].upload_time_limit_seconds
    assert_refused(app, owner, make(), code, limit)


def test_the_decompression_bomb_is_refused_with_bounded_memory(app: Flask,
                                                               owner: Owner) -> None:
    settings = app.extensions["portal.settings"]
    assert_refused(app, owner, pdfs.decompression_bomb_pdf(gigabytes=2), "decompression_bomb",
                   settings.upload_time_limit_seconds)
    # no checking process (children of this one) went past its address-space limit
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < (settings.upload_memory_limit_mb + 88) * 1024, peak_kib


def test_a_slow_file_is_stopped_at_the_time_limit_setting(app: Flask, owner: Owner) -> None:
    app.extensions["portal.settings"] = app.extensions["portal.settings"].with_overrides(
        upload_time_limit_seconds=1)
    assert_refused(app, owner, pdfs.slow_recovery_pdf(), "timeout", 1)


def test_a_valid_pdf_still_goes_through(app: Flask, owner: Owner) -> None:
    response = upload(owner, pdfs.valid_pdf("Ersuchen"))
    assert response.status_code == 302
    assert _content(app, owner.public_id).attachments == ()  # not before its check
    run_jobs(app)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert 'data-check-state="accepted"' in page.text
    assert 'data-check-state="refused"' not in page.text
    assert 'data-check-state="checking"' not in page.text
    assert len(_content(app, owner.public_id).attachments) == 1
