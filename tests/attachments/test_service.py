"""The attachment services on a real database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.attachments import service
from portal.attachments.checking import refusal_message
from portal.attachments.commands import attachments_group
from portal.attachments.crypto import KeyRing, parse_header
from portal.attachments.inspect import MESSAGES, Rejection
from portal.attachments.models import Attachment
from portal.attachments.service import AttachmentNotFound, sanitize_filename
from portal.attachments.store import attachment_store
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain
from portal.db import utcnow
from portal.jobs import worker
from portal.jobs.models import Job
from portal.requests import drafts
from portal.requests.drafts import NotEditable
from portal.requests.models import MlaRequest, Status
from tests.attachments import pdfs
from tests.attachments.conftest import Draft, key_entry
from tests.conftest import Accounts

MB = 1024 * 1024


@contextmanager
def opened(draft: Draft) -> Iterator[tuple[Session, User, MlaRequest]]:
    with draft.db.session() as db:
        user = draft.user(db)
        yield db, user, drafts.get_request(db, user, draft.public_id, audit_view=False)


def add(draft: Draft, data: bytes, *, name: str = "letter.pdf", kind: str = "request_letter",
        checked: bool = True, **overrides: int) -> Attachment | Rejection:
    """Upload ``data``; with ``checked``, the worker's check runs too (the attachment as it
    is after its verdict)."""
    settings = draft.settings.with_overrides(**overrides) if overrides else draft.settings
    with opened(draft) as (db, user, request):
        added = service.add_attachment(db, settings, user, request, name, kind, data,
                                       ip="192.0.2.1")
    if checked and isinstance(added, Attachment):
        worker.drain(draft.db.engine, settings)
        return reloaded(draft, added)
    return added


def check(draft: Draft) -> worker.Summary:
    """What the background worker does next: the waiting checks run."""
    return worker.drain(draft.db.engine, draft.settings)


def reloaded(draft: Draft, attachment: Attachment) -> Attachment:
    with draft.db.session() as db:
        row = db.get(Attachment, attachment.id)
        assert row is not None
        return row


def actions(draft: Draft) -> list[tuple[str, dict[str, object]]]:
    with draft.db.session() as db:
        rows = db.execute(select(AuditEvent.action, AuditEvent.details)
                          .where(AuditEvent.action.like("attachment.%"))
                          .order_by(AuditEvent.id)).all()
        assert verify_chain(db) == []
        return [(action, json.loads(details)) for action, details in rows]


def test_add_list_open_remove_with_audit(draft: Draft) -> None:
    data = pdfs.valid_pdf()
    added = add(draft, data, name="C:\\Users\\x\\Carta rogatoria.pdf", checked=False)
    assert isinstance(added, Attachment)
    assert added.filename == "Carta rogatoria.pdf" and added.check_state == "checking"
    assert added.size == len(data) and added.key_id == "dev1" and added.pages == 0
    with opened(draft) as (db, user, request):
        assert service.pending_checks(db, request) == (1, 0)
        assert service.list_attachments(db, request, accepted_only=True) == []
        with pytest.raises(AttachmentNotFound):  # no one reads a file before its check
            service.open_attachment(db, draft.settings, user, request, added.public_id)
    check(draft)
    added = reloaded(draft, added)
    assert added.check_state == "accepted" and added.pages == 1 and added.checked_at
    with opened(draft) as (db, user, request):
        listed = service.list_attachments(db, request)
        assert [a.public_id for a in listed] == [added.public_id]
        assert service.used_bytes(db, request) == len(data)
        assert service.open_attachment(db, draft.settings, user, request,
                                       added.public_id) == data
    stored = attachment_store(draft.settings)
    assert stored.exists(added.storage_name)
    assert data not in stored.read_raw(added.storage_name)
    with opened(draft) as (db, user, request):
        service.remove_attachment(db, draft.settings, user, request, added.public_id)
    with draft.db.session() as db:
        assert db.scalar(select(Attachment)) is None
    assert not stored.exists(added.storage_name)
    logged = actions(draft)
    assert [a for a, _ in logged] == ["attachment.added", "attachment.accepted",
                                      "attachment.downloaded", "attachment.removed"]
    details = logged[0][1]
    assert details["sha256"] == added.sha256 and details["request"] == draft.public_id
    assert details["kind"] == "request_letter"
    assert logged[1][1]["pages"] == 1 and logged[1][1]["uploaded_by"] == draft.user_id


def test_hostile_file_is_refused_by_its_check_and_its_bytes_deleted(draft: Draft) -> None:
    added = add(draft, pdfs.javascript_open_action_pdf(), checked=False)
    assert isinstance(added, Attachment) and added.check_state == "checking"
    assert attachment_store(draft.settings).exists(added.storage_name)
    check(draft)
    refused = reloaded(draft, added)
    assert (refused.check_state, refused.check_reason) == ("refused", "javascript")
    assert refusal_message(refused) == (MESSAGES["javascript"], {})
    assert attachment_store(draft.settings).names() == []
    with opened(draft) as (db, _user, request):
        assert service.pending_checks(db, request) == (0, 1)
        assert service.used_bytes(db, request) == 0
    logged = actions(draft)
    assert [a for a, _ in logged] == ["attachment.added", "attachment.rejected"]
    assert logged[1][1]["reason"] == "javascript"
    check(draft)  # (the job ran once: nothing left to do)
    assert len(actions(draft)) == 2


def test_a_file_that_is_not_a_pdf_is_refused_at_once(draft: Draft) -> None:
    result = add(draft, b"MZ\x90\x00 an executable, not a PDF" * 50)
    assert isinstance(result, Rejection) and result.code == "not_pdf"
    with draft.db.session() as db:
        assert db.scalar(select(Attachment)) is None
    assert attachment_store(draft.settings).names() == []
    assert [a for a, _ in actions(draft)] == ["attachment.rejected"]


def test_a_user_has_few_checks_in_flight(draft: Draft) -> None:
    first = add(draft, pdfs.valid_pdf("one"), checked=False, max_checks_in_flight=2)
    second = add(draft, pdfs.valid_pdf("two"), checked=False, max_checks_in_flight=2)
    third = add(draft, pdfs.valid_pdf("three"), checked=False, max_checks_in_flight=2)
    assert isinstance(first, Attachment) and isinstance(second, Attachment)
    assert isinstance(third, Rejection) and third.code == "too_many_checks"
    assert third.render() == ("2 of your documents are still being checked. Wait until their "
                              "checks end, then attach this one again.")
    check(draft)
    assert isinstance(add(draft, pdfs.valid_pdf("three"), max_checks_in_flight=2), Attachment)


def test_a_file_removed_while_it_is_checked_is_left_alone(draft: Draft) -> None:
    added = add(draft, pdfs.valid_pdf(), checked=False)
    assert isinstance(added, Attachment)
    with opened(draft) as (db, user, request):
        service.remove_attachment(db, draft.settings, user, request, added.public_id)
    check(draft)
    with draft.db.session() as db:
        assert db.scalar(select(Attachment)) is None
        assert db.scalar(select(Job.state).where(Job.kind == "attachment.check")) == "done"
    assert [a for a, _ in actions(draft)] == ["attachment.added", "attachment.removed"]


def test_command_line_uploads_are_checked_at_once(draft: Draft) -> None:
    with opened(draft) as (db, user, request):
        added = service.add_attachment(db, draft.settings, user, request, "a.pdf", "other",
                                       pdfs.valid_pdf(), check_now=True)
        assert isinstance(added, Attachment)
        assert (added.check_state, added.pages) == ("accepted", 1)
    with draft.db.session() as db:
        assert db.scalar(select(Job.id).where(Job.kind == "attachment.check")) is None


def test_per_file_limit(draft: Draft) -> None:
    result = add(draft, pdfs.padded_pdf(MB + 10_000), max_file_mb=1)
    assert isinstance(result, Rejection) and result.code == "file_too_large"
    assert result.render() == ("The file is larger than 1 MB. Reduce its size or split it "
                               "into several files.")
    assert isinstance(add(draft, pdfs.padded_pdf(MB - 10_000), max_file_mb=1), Attachment)


def test_per_request_limit(draft: Draft) -> None:
    first = add(draft, pdfs.padded_pdf(900_000), max_file_mb=1, max_request_mb=2)
    second = add(draft, pdfs.padded_pdf(900_000), max_file_mb=1, max_request_mb=2)
    assert isinstance(first, Attachment) and isinstance(second, Attachment)
    third = add(draft, pdfs.padded_pdf(900_000), max_file_mb=1, max_request_mb=2)
    assert isinstance(third, Rejection) and third.code == "request_too_large"
    assert third.params == {"max": 2}
    with opened(draft) as (db, user, request):
        service.remove_attachment(db, draft.settings, user, request, first.public_id)
    fourth = add(draft, pdfs.padded_pdf(900_000), max_file_mb=1, max_request_mb=2)
    assert isinstance(fourth, Attachment)


def test_unknown_document_kind_is_refused(draft: Draft) -> None:
    result = add(draft, pdfs.valid_pdf(), kind="selfie")
    assert isinstance(result, Rejection) and result.code == "document_kind"


def test_not_editable_request_refuses_add_and_remove(draft: Draft) -> None:
    added = add(draft, pdfs.valid_pdf())
    assert isinstance(added, Attachment)
    with draft.db.session() as db:
        request = db.scalar(select(MlaRequest))
        assert request is not None
        request.status = Status.SUBMITTED.value
    with pytest.raises(NotEditable):
        add(draft, pdfs.valid_pdf())
    with opened(draft) as (db, user, request), pytest.raises(NotEditable):
        service.remove_attachment(db, draft.settings, user, request, added.public_id)
    with opened(draft) as (db, user, request):  # still readable
        assert service.open_attachment(db, draft.settings, user, request, added.public_id)


def test_removing_a_submitted_attachment_keeps_it_for_the_version(draft: Draft) -> None:
    added = add(draft, pdfs.valid_pdf())
    assert isinstance(added, Attachment)
    with draft.db.session() as db:
        request = db.scalar(select(MlaRequest))
        assert request is not None
        request.submitted_at = utcnow()
        request.status = Status.RETURNED.value
    with opened(draft) as (db, user, request):
        service.remove_attachment(db, draft.settings, user, request, added.public_id)
    with opened(draft) as (db, user, request):
        assert service.list_attachments(db, request) == []
        with pytest.raises(AttachmentNotFound):
            service.open_attachment(db, draft.settings, user, request, added.public_id)
        assert service.open_attachment(db, draft.settings, user, request, added.public_id,
                                       include_removed=True) == pdfs.valid_pdf()
    assert attachment_store(draft.settings).exists(added.storage_name)


def test_attachment_of_another_request_is_not_found(draft: Draft, accounts: Accounts) -> None:
    added = add(draft, pdfs.valid_pdf())
    assert isinstance(added, Attachment)
    other = accounts.create(Role.SUBMITTER, country="FR")
    with draft.db.session() as db:
        user = db.get(User, other.id)
        assert user is not None
        other_request = drafts.create_draft(db, user)
        with pytest.raises(AttachmentNotFound):
            service.open_attachment(db, draft.settings, user, other_request, added.public_id)
        with pytest.raises(AttachmentNotFound):
            service.remove_attachment(db, draft.settings, user, other_request, added.public_id)


def test_a_rolled_back_upload_leaves_no_file(draft: Draft) -> None:
    with pytest.raises(RuntimeError), opened(draft) as (db, user, request):
        added = service.add_attachment(db, draft.settings, user, request, "a.pdf", "other",
                                       pdfs.valid_pdf())
        assert isinstance(added, Attachment)
        assert attachment_store(draft.settings).exists(added.storage_name)
        raise RuntimeError("the caller fails after the upload")
    assert attachment_store(draft.settings).names() == []
    with draft.db.session() as db:
        assert db.scalar(select(Attachment)) is None


def test_a_rolled_back_removal_keeps_the_file(draft: Draft) -> None:
    added = add(draft, pdfs.valid_pdf())
    assert isinstance(added, Attachment)
    with pytest.raises(RuntimeError), opened(draft) as (db, user, request):
        service.remove_attachment(db, draft.settings, user, request, added.public_id)
        raise RuntimeError("the caller fails after the removal")
    with opened(draft) as (db, user, request):
        assert service.open_attachment(db, draft.settings, user, request, added.public_id)


def test_rotate_keys_service(draft: Draft) -> None:
    added = [add(draft, pdfs.valid_pdf(f"document {i}")) for i in range(3)]
    assert all(isinstance(a, Attachment) for a in added)
    old = attachment_store(draft.settings).keyring
    rotated_settings = draft.settings.with_overrides(
        attachment_keys=f"{key_entry('k2026')},dev1:{_key_b64(old)}")
    result = service.rotate_keys(draft.db, rotated_settings)
    assert (result.rotated, result.current, result.failed) == (3, 0, [])
    with draft.db.session() as db:
        assert set(db.scalars(select(Attachment.key_id))) == {"k2026"}
    new_only = rotated_settings.with_overrides(
        attachment_keys=rotated_settings.attachment_keys.split(",")[0])
    store = service.attachment_store(new_only)
    with opened(draft) as (db, user, request):
        for index, attachment in enumerate(added):
            assert isinstance(attachment, Attachment)
            assert parse_header(store.read_raw(attachment.storage_name)).key_id == "k2026"
            assert service.open_attachment(db, new_only, user, request,
                                           attachment.public_id) == \
                pdfs.valid_pdf(f"document {index}")
    assert service.rotate_keys(draft.db, rotated_settings).rotated == 0
    assert actions(draft)[-1][0] == "attachment.keys_rotated"


def _key_b64(ring: KeyRing) -> str:
    import base64

    return base64.b64encode(dict(ring.keys)["dev1"]).decode()


@pytest.mark.parametrize(("raw", "expected"), [
    ("letter.pdf", "letter.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Windows\\evil.PDF", "evil.pdf"),
    ("\u202egnp.pdf", "gnp.pdf"),
    ("a\u200b\x00b\x1f\tc.pdf", "abc.pdf"),
    ("طلب المساعدة.pdf", "طلب المساعدة.pdf"),
    ("Ordonnance du juge d’instruction", "Ordonnance du juge d’instruction.pdf"),
    ("نامه\u200cها.pdf", "نامه\u200cها.pdf"),
    ('a<b>c:"d|e?f*.pdf', "a_b_c__d_e_f_.pdf"),
    ("...", "document.pdf"),
    ("", "document.pdf"),
    (" .hidden.pdf ", "hidden.pdf"),
])
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_length() -> None:
    name = sanitize_filename("é" * 500 + ".pdf")
    assert len(name) == 200 and name.endswith("é.pdf")


def test_request_limit_is_checked_again_after_the_insert(draft: Draft,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent upload took the space between the first check and the insert."""
    first = add(draft, pdfs.padded_pdf(900_000), max_file_mb=1, max_request_mb=1)
    assert isinstance(first, Attachment)
    real = service.used_bytes
    calls: list[int] = []

    def stale_then_real(db: Session, request: MlaRequest) -> int:
        calls.append(1)
        return 0 if len(calls) == 1 else real(db, request)

    monkeypatch.setattr(service, "used_bytes", stale_then_real)
    second = add(draft, pdfs.padded_pdf(300_000), max_file_mb=1, max_request_mb=1)
    assert isinstance(second, Rejection) and second.code == "request_too_large"
    with draft.db.session() as db:
        assert db.scalars(select(Attachment.public_id)).all() == [first.public_id]
    assert attachment_store(draft.settings).names() == [first.storage_name]


def test_rotate_keys_command(app: Flask, draft: Draft) -> None:
    assert isinstance(add(draft, pdfs.valid_pdf()), Attachment)
    result = app.test_cli_runner().invoke(attachments_group, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 0 file(s); 1 already under the current key" in result.output


def test_a_stored_upload_altered_before_its_check_is_refused_as_damaged(draft: Draft) -> None:
    added = add(draft, pdfs.valid_pdf(), checked=False)
    assert isinstance(added, Attachment)
    store = attachment_store(draft.settings)
    blob = bytearray(store.read_raw(added.storage_name))
    blob[-1] ^= 0xFF  # one bit of the ciphertext's tag
    store.write_raw(added.storage_name, bytes(blob), replace=True)
    summary = check(draft)
    assert summary.failed == 0 and summary.retrying == 0  # judged, not retried
    refused = reloaded(draft, added)
    assert (refused.check_state, refused.check_reason) == ("refused", "damaged")
