"""Documents after submission through the services: OIA asks, the requester uploads and sends,
a minor version (1.1) with its package (verified), its diff, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select

from portal.asks import service as asks
from portal.asks.models import DocumentAsk
from portal.attachments.inspect import Rejection
from portal.attachments.models import Attachment, CheckState
from portal.audit.models import AuditEvent
from portal.db_reads import read_together
from portal.jobs import worker
from portal.mail.models import OutboxEmail
from portal.packages.commands import package_group
from portal.packages.models import Package, PackageState
from portal.packages.payload import attachment_payload_name
from portal.packages.verify import verify_package
from portal.requests import versions
from portal.requests.models import RequestEvent, RequestVersion, Status
from portal.triage import package as triage_package
from tests.asks.conftest import Case
from tests.attachments.pdfs import javascript_open_action_pdf
from tests.packages import helpers

TRANSLATION = helpers.pdf("translation of the court order", pages=2)


def _ask(case: Case, text: str = "Please send the court order's translation.",
         kinds: list[str] | None = None) -> None:
    with case.database.session() as db:
        request, _submitter, staff = case.load(db)
        asks.ask_for_documents(db, case.settings, staff, request, text,
                               ["translation"] if kinds is None else kinds)


def _upload(case: Case, data: bytes = TRANSLATION, name: str = "Übersetzung.pdf",
            check_now: bool = True) -> Attachment | Rejection:
    with case.database.session() as db:
        request, submitter, _staff = case.load(db)
        return asks.upload(db, case.settings, submitter, request, asks.open_ask(db, request),
                           name, "translation", data, language="en", check_now=check_now)


def _answer(case: Case, text: str = "Here is the translation.") -> str:
    with case.database.session() as db:
        request, submitter, _staff = case.load(db)
        done = asks.answer(db, case.settings, submitter, request, asks.open_ask(db, request),
                           text)
        return done.version.label


def test_the_answer_makes_version_1_1_and_its_verified_package(case: Case) -> None:
    _ask(case)
    with case.database.session() as db:
        mails = list(db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "documents_asked")))
        assert [m.to_addr for m in mails] == [case.submitter.email]
        assert "translation" not in mails[0].body.lower()  # no case content by e-mail
    uploaded = _upload(case)
    assert isinstance(uploaded, Attachment)
    assert _answer(case) == "1.1"
    worker.drain(case.database.engine, case.settings)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        assert request.status == Status.SUBMITTED.value  # a minor version changes no status
        v1 = versions.version_of(db, request, 1)
        v11 = versions.version_of(db, request, 1, 1)
        assert v1 is not None and v11 is not None
        assert [v.label for v in request.versions] == ["1", "1.1"]
        one, eleven = json.loads(v1.content_json), json.loads(v11.content_json)
        assert eleven["attachments"][:-1] == one["attachments"]
        assert eleven["attachments"][-1]["filename"] == "Übersetzung.pdf"
        assert {k: v for k, v in eleven.items() if k != "attachments"} == \
            {k: v for k, v in one.items() if k != "attachments"}
        assert v11.findings_json == v1.findings_json
        # the diff: only the new list entry, and the document it adds
        changes = triage_package.version_diff(v1, v11)
        assert changes and all(c.path.startswith("attachments[1]") and c.kind == "added"
                               for c in changes)
        added = triage_package.documents_added(v1, v11, [uploaded])
        assert [(d.filename, d.public_id) for d in added] == [("Übersetzung.pdf",
                                                              uploaded.public_id)]
        # the working copy lists the file too (a later resubmission keeps it)
        assert json.loads(request.draft_json)["attachments"][-1]["sha256"] == uploaded.sha256
        packages = list(db.scalars(select(Package).where(Package.request_id == request.id)
                                   .order_by(Package.version, Package.minor)))
        assert [(p.version, p.minor, p.state) for p in packages] == [
            (1, 0, PackageState.BUILT.value), (1, 1, PackageState.BUILT.value)]
        bag = case.settings.packages_path / f"{case.reference}-v1.1"
        assert packages[1].bag_name == bag.name
        assert verify_package(bag, db) == []
        assert verify_package(case.settings.packages_path / f"{case.reference}-v1", db) == []
        info = bagit.Bag(str(bag)).info
        assert info["MLA-Request-Version"] == "1.1"
        assert (bag / attachment_payload_name(2, "Übersetzung.pdf")).read_bytes() == TRANSLATION
        assert json.loads((bag / "data/findings.json").read_text())["version"] == "1.1"
        ask = db.scalar(select(DocumentAsk))
        assert ask is not None and not ask.is_open and ask.version_id == v11.id
        kinds = [e.kind for e in db.scalars(select(RequestEvent)
                                            .where(RequestEvent.request_id == request.id))]
        assert "documents_asked" in kinds and "documents_added" in kinds
        actions = set(db.scalars(select(AuditEvent.action)
                                 .where(AuditEvent.object_id == request.public_id)))
        assert {"request.documents_asked", "request.documents_added"} <= actions


def test_files_are_checked_by_the_worker_before_they_can_be_sent(case: Case) -> None:
    _ask(case)
    uploaded = _upload(case, check_now=False)
    assert isinstance(uploaded, Attachment) and uploaded.check_state == CheckState.CHECKING
    with pytest.raises(asks.AskRefused) as refused:
        _answer(case)
    assert refused.value.code == "checking"
    worker.drain(case.database.engine, case.settings)
    with case.database.session() as db:
        assert db.scalars(select(Attachment.check_state)
                          .where(Attachment.public_id == uploaded.public_id)).one() == \
            CheckState.ACCEPTED.value
    assert _answer(case) == "1.1"


def test_refusals(case: Case, accounts) -> None:  # type: ignore[no-untyped-def]
    from portal.accounts.models import Role, User

    with case.database.session() as db:
        request, submitter, staff = case.load(db)
        with pytest.raises(PermissionError):  # only OIA asks
            asks.ask_for_documents(db, case.settings, submitter, request, "x", [])
        with pytest.raises(asks.AskRefused, match="text"):
            asks.ask_for_documents(db, case.settings, staff, request, "  ", [])
        with pytest.raises(asks.AskRefused, match="kinds"):
            asks.ask_for_documents(db, case.settings, staff, request, "x", ["nonsense"])
        with pytest.raises(asks.AskRefused, match="closed"):  # nothing asked yet
            asks.upload(db, case.settings, submitter, request, None, "a.pdf", "translation",
                        TRANSLATION)
    _ask(case)
    with pytest.raises(asks.AskRefused, match="open"):
        _ask(case)
    with pytest.raises(asks.AskRefused, match="no_files"):
        _answer(case)
    refused = _upload(case, data=javascript_open_action_pdf(), name="script.pdf")
    assert isinstance(refused, Attachment) and refused.check_state == CheckState.REFUSED.value
    with pytest.raises(asks.AskRefused, match="refused"):
        _answer(case)
    with case.database.session() as db:
        request, submitter, _staff = case.load(db)
        asks.remove_file(db, case.settings, submitter, request, asks.open_ask(db, request),
                         refused.public_id)
    other = accounts.create(Role.SUBMITTER, country="FR")
    _upload(case)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        stranger = db.get(User, other.id)
        assert stranger is not None
        with pytest.raises(PermissionError):  # another authority never answers
            asks.answer(db, case.settings, stranger, request, asks.open_ask(db, request), "x")
    assert _answer(case) == "1.1"
    with pytest.raises(asks.AskRefused, match="closed"):
        _answer(case)
    # a second ask, a second minor version
    _ask(case, kinds=[])
    _upload(case, data=helpers.pdf("another"), name="another.pdf")
    assert _answer(case) == "1.2"


def test_unsent_files_are_part_of_no_version_and_oia_cannot_open_them(case: Case) -> None:
    _ask(case)
    uploaded = _upload(case)
    assert isinstance(uploaded, Attachment)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        files = [row.public_id for row in
                 read_together(db, triage_package.attachments_read(request.id))[0]]
        assert uploaded.public_id not in files
        row = db.scalar(select(Attachment).where(Attachment.public_id == uploaded.public_id))
        assert row is not None and asks.unsent_file(db, row)
    _answer(case)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        files = [row.public_id for row in
                 read_together(db, triage_package.attachments_read(request.id))[0]]
        assert uploaded.public_id in files


def test_a_resubmission_closes_the_open_ask(case: Case) -> None:
    from sqlalchemy import update

    from portal.requests.models import MlaRequest

    _ask(case)
    with case.database.session() as db:
        db.execute(update(MlaRequest).where(MlaRequest.public_id == case.public_id)
                   .values(status=Status.RETURNED.value))
    helpers.submit(case.database, case.settings, case.submitter.id, case.public_id)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        assert asks.open_ask(db, request) is None
        ask = db.scalar(select(DocumentAsk))
        version = db.scalar(select(RequestVersion).where(RequestVersion.number == 2))
        assert ask is not None and version is not None and ask.version_id == version.id



def test_an_ask_is_oias_first_action_and_the_answer_is_not(case: Case) -> None:
    from portal.triage import targets
    from portal.triage.models import TriageEntry

    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        entry = db.get(TriageEntry, request.id)
        assert entry is not None and entry.acted_at is None
        assert entry.target_due == entry.action_due  # first action owed
    _ask(case)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        ask = db.scalar(select(DocumentAsk))
        entry = db.get(TriageEntry, request.id)
        assert ask is not None and entry is not None
        assert entry.acted_at == ask.asked_at and entry.first_action_at == ask.asked_at
        assert entry.decided_at is None and entry.target_due == entry.decision_due
    _upload(case)
    _answer(case)
    with case.database.session() as db:
        request, _submitter, _staff = case.load(db)
        entry = db.get(TriageEntry, request.id)
        assert entry is not None and entry.decided_at is None
        # the clock read again from the timeline agrees (the answer is not OIA's action)
        clock = targets.from_events(db, request.id, case.settings.targets)
        assert clock is not None and clock.acted_at == entry.acted_at
        assert clock.decided_at is None


def test_the_cli_builds_a_minor_version_again(case: Case, tmp_path: Path) -> None:
    _ask(case)
    _upload(case)
    _answer(case)
    worker.drain(case.database.engine, case.settings)
    runner = case.app.test_cli_runner()
    built = case.settings.packages_path
    for option, name in ((["--version", "1.1"], "v1.1"), (["--version", "1"], "v1"),
                         ([], "v1.1")):
        out = tmp_path / (name + str(len(option)))
        result = runner.invoke(package_group, ["build", case.reference, *option,
                                               "--out", str(out)])
        assert result.exit_code == 0, result.output
        rebuilt = out / f"{case.reference}-{name}"
        for part in ("manifest-sha256.txt", "tagmanifest-sha256.txt", "bag-info.txt"):
            assert (rebuilt / part).read_bytes() == \
                (built / f"{case.reference}-{name}" / part).read_bytes(), (name, part)
    for wrong, said in (("1.2", "no submitted version 1.2"), ("1.x", "a version such as")):
        result = runner.invoke(package_group, ["build", case.reference, "--version", wrong,
                                               "--out", str(tmp_path / "no")])
        assert result.exit_code != 0 and said in result.output, result.output
