"""The hostile-PDF corpus (generated in ``tests/attachments/pdfs.py``): every file is refused
with its own reason, the checker never outlives its time limit and its memory is bounded."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

import pytest

from portal.attachments.inspect import MESSAGES, PdfReport, Rejection, check_bytes, inspect_pdf
from tests.attachments import pdfs

LIMITS = {"max_pages": 2000, "time_limit": 20.0}


def _check(data: bytes, **overrides: float) -> PdfReport | Rejection:
    return inspect_pdf(data, **{**LIMITS, **overrides})  # type: ignore[arg-type]


CORPUS: list[tuple[str, Callable[[], bytes], str]] = [
    ("truncated", pdfs.truncated_pdf, "damaged"),
    ("wrong xref and a broken object", pdfs.wrong_xref_broken_object_pdf, "damaged"),
    ("recursive page tree", pdfs.recursive_kids_pdf, "recursive_structure"),
    ("page listed 5000 times", pdfs.wide_page_tree_pdf, "recursive_structure"),
    ("outline that loops", pdfs.looping_outline_pdf, "recursive_structure"),
    ("100k pages declared", pdfs.huge_page_tree_pdf, "too_many_pages"),
    ("no page", pdfs.zero_pages_pdf, "no_pages"),
    ("100,000 x 100,000 image", pdfs.huge_image_pdf, "decompression_bomb"),
    ("deeply nested arrays", pdfs.deep_nesting_pdf, "too_complex"),
    ("JavaScript in OpenAction", pdfs.javascript_open_action_pdf, "javascript"),
    ("JavaScript in the names tree", pdfs.javascript_names_pdf, "javascript"),
    ("JavaScript in an annotation", pdfs.javascript_annotation_pdf, "javascript"),
    ("JavaScript in a form field", pdfs.javascript_form_field_pdf, "javascript"),
    ("JavaScript hidden by a repaired xref", pdfs.javascript_unreferenced_repaired_pdf,
     "javascript"),
    ("launch action", pdfs.launch_action_pdf, "launch_action"),
    ("remote go-to action", pdfs.remote_goto_pdf, "launch_action"),
    ("embedded file", pdfs.embedded_file_pdf, "embedded_file"),
    ("file attachment annotation", pdfs.file_attachment_annotation_pdf, "embedded_file"),
    ("XFA form", pdfs.xfa_form_pdf, "active_content"),
    ("encrypted, empty user password (AES-256)", lambda: pdfs.encrypted_pdf(""), "encrypted"),
    ("encrypted with a password (AES-256)", lambda: pdfs.encrypted_pdf("s3cret"), "encrypted"),
    ("encrypted, empty user password (RC4)", lambda: pdfs.encrypted_pdf("", "RC4-128"),
     "encrypted"),
    ("PDF with a ZIP appended", pdfs.pdf_zip_polyglot, "polyglot"),
    ("ZIP inside whose comment covers the tail", pdfs.zip_inside_pdf_polyglot, "polyglot"),
    ("HTML before %PDF-", pdfs.html_before_pdf, "polyglot"),
    ("HTML in the header comment", pdfs.html_in_header_comment_pdf, "polyglot"),
    ("PNG named .pdf", pdfs.png_named_pdf, "not_pdf"),
    ("text named .pdf", pdfs.text_named_pdf, "not_pdf"),
    ("empty file", lambda: b"", "not_pdf"),
]


@pytest.mark.parametrize(("label", "make", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_file_is_refused_with_its_reason(label: str, make: Callable[[], bytes],
                                                 code: str) -> None:
    result = _check(make())
    assert isinstance(result, Rejection), f"{label} was accepted: {result}"
    assert result.code == code, f"{label}: {result.code} ({result.detail})"
    assert result.message == MESSAGES[code]
    assert result.render()  # every message formats with its parameters


def test_every_reason_has_a_distinct_message() -> None:
    assert len(set(MESSAGES.values())) == len(MESSAGES)


def test_valid_one_page_pdf_is_accepted_with_its_page_count() -> None:
    result = _check(pdfs.valid_pdf())
    assert isinstance(result, PdfReport)
    assert result == PdfReport(pages=1, repaired=False, elapsed_ms=result.elapsed_ms)


def test_a_200_page_pdf_is_accepted() -> None:
    result = _check(pdfs.multi_page_pdf(200))
    assert isinstance(result, PdfReport) and result.pages == 200


def test_too_many_real_pages_are_refused_with_the_limit() -> None:
    result = _check(pdfs.multi_page_pdf(30), max_pages=25)
    assert isinstance(result, Rejection) and result.code == "too_many_pages"
    assert result.params == {"max": 25}
    assert result.render() == "The PDF has more than 25 pages. Split it into several files."


@pytest.mark.parametrize("make", [pdfs.wrong_xref_pdf, pdfs.wrong_startxref_pdf],
                         ids=["wrong offsets", "wrong startxref"])
def test_wrong_xref_is_repaired_and_accepted_when_everything_then_parses(
        make: Callable[[], bytes]) -> None:
    # The decision (see portal/attachments/_sandbox.py): pypdf's repair is accepted when the
    # repaired document passes every check; the file is marked as repaired.
    result = _check(make())
    assert isinstance(result, PdfReport) and result.pages == 1 and result.repaired


def test_trailing_whitespace_after_eof_is_tolerated() -> None:
    assert check_bytes(pdfs.valid_pdf() + b"\r\n\0\0  \n") is None
    assert check_bytes(pdfs.valid_pdf() + b"\n" * 2000) is not None


def test_decompression_bomb_is_refused_with_bounded_memory() -> None:
    bomb = pdfs.decompression_bomb_pdf(gigabytes=2)
    assert len(bomb) < 3_000_000
    result = _check(bomb)
    assert isinstance(result, Rejection) and result.code == "decompression_bomb"
    # No checking process ever used more than its address-space limit (512 MiB).
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 600 * 1024


def test_memory_limit_stops_the_checker_not_the_caller() -> None:
    result = _check(pdfs.decompression_bomb_pdf(gigabytes=1), memory_mb=128)
    assert isinstance(result, Rejection) and result.code == "too_complex"


def test_a_slow_file_is_stopped_at_the_time_limit() -> None:
    started = time.monotonic()
    result = _check(pdfs.slow_recovery_pdf(), time_limit=1.0)
    elapsed = time.monotonic() - started
    assert isinstance(result, Rejection) and result.code == "timeout"
    assert result.params == {"seconds": 1}
    assert elapsed < 10  # it returned: the process was killed, not waited for


def test_the_checker_gets_no_secrets_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_ATTACHMENT_KEYS", "leak:AAAA")
    monkeypatch.setenv("PYTHONPATH", "/nonexistent")
    assert isinstance(_check(pdfs.valid_pdf()), PdfReport)
