"""The practice sandbox: the normal wizard marked TRAINING everywhere, invisible to OIA's queue
and statistics, owned by a submitter's authority or a trainer's own sandbox, and purged."""

from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.accounts.models import Authority, Role
from portal.attachments import service as attachment_service
from portal.attachments.models import Attachment
from portal.attachments.store import attachment_store
from portal.audit.models import AuditEvent
from portal.packages.models import Handoff, Package
from portal.requests import drafts
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion
from portal.training import sandbox
from portal.triage.models import TriageEntry
from tests.attachments import pdfs
from tests.conftest import Accounts, csrf_token, login, run_jobs
from tests.pdf.pdftext import pages_text
from tests.training.conftest import session, user_of
from tests.training.helpers import long_ago, row, start, submit

WIZARD = ("", "/authority", "/legal-basis", "/proceedings", "/offences", "/facts",
          "/assistance", "/preservation", "/procedures", "/check", "/review")
GOOD = "05-stored-content-good-de"


def test_submitter_practises_from_a_sample_through_the_wizard(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    login(client, submitter)
    response = client.post("/training/practice", data={
        "csrf_token": csrf_token(client, "/training/practice"), "sample": GOOD})
    assert response.status_code == 303
    public_id = response.headers["Location"].rstrip("/").split("/")[-1]
    req = row(app, public_id)
    assert req.training and req.authority_id == submitter.authority_id
    for suffix in WIZARD:
        page = client.get(f"/requests/{public_id}{suffix}")
        assert page.status_code == 200, suffix
        assert "portal-training-banner" in page.text and "TRAINING" in page.text, suffix
    assert public_id not in client.get("/requests").text  # "My requests" shows real ones
    assert public_id in client.get("/training/practice").text
    reference = submit(app, submitter, public_id)
    confirmation = client.get(f"/requests/{public_id}/submitted")
    assert confirmation.status_code == 200 and "portal-training-banner" in confirmation.text
    receipt = client.get(f"/requests/{public_id}/receipt.pdf")
    assert receipt.status_code == 200 and "TRAINING" in "".join(pages_text(receipt.data))
    with session(app) as db:
        req_id = row(app, public_id).id
        assert db.get(TriageEntry, req_id) is None
        package = db.scalar(select(Package).where(Package.request_id == req_id))
        assert package is not None and package.training
        assert db.scalar(select(Handoff).where(Handoff.package_id == package.id)) is None
    bag_info = next(Path(app.extensions["portal.settings"].packages_path).glob(
        f"{reference}-v1/bag-info.txt"))
    assert "MLA-Training: yes" in bag_info.read_text(encoding="utf-8")
    # OIA never sees it
    triage = app.test_client()
    login(triage, accounts.create(Role.TRIAGE, manager=True))
    assert reference not in triage.get("/triage").text
    assert triage.get(f"/triage/{public_id}").status_code == 404
    assert reference not in triage.get("/triage/dashboard").text


def test_blank_practice_request_and_unknown_sample(app: Flask, client: FlaskClient,
                                                   accounts: Accounts) -> None:
    login(client, accounts.create(Role.SUBMITTER))
    token = csrf_token(client, "/training/practice")
    assert client.post("/training/practice",
                       data={"csrf_token": token, "sample": "99-nope"}).status_code == 400
    response = client.post("/training/practice", data={"csrf_token": token, "sample": ""})
    assert response.status_code == 303
    public_id = response.headers["Location"].rstrip("/").split("/")[-1]
    assert row(app, public_id).training


def test_trainer_owns_practice_requests_in_a_sandbox_of_their_own(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    trainer, other = accounts.create(Role.TRAINER), accounts.create(Role.TRAINER)
    mine = start(app, trainer, "06-stored-content-deficient-gb")
    again = start(app, trainer)
    theirs = start(app, other)
    with session(app) as db:
        first, second = row(app, mine), row(app, again)
        assert first.authority_id == second.authority_id != row(app, theirs).authority_id
        authority = db.get(Authority, first.authority_id)
        assert authority is not None and not authority.active and authority.country == "US"
        seen = set(db.scalars(drafts.visible_requests(user_of(db, trainer))
                              .with_only_columns(MlaRequest.public_id)))
        assert seen == {mine, again}
    login(client, trainer)
    for suffix in WIZARD:
        assert client.get(f"/requests/{mine}{suffix}").status_code == 200, suffix
    assert client.get(f"/requests/{theirs}").status_code == 404
    page = client.get("/training/practice")
    assert mine in page.text and theirs not in page.text


def test_a_trainer_uploads_to_a_practice_request(app: Flask, client: FlaskClient,
                                                 accounts: Accounts) -> None:
    trainer = accounts.create(Role.TRAINER)
    public_id = start(app, trainer)
    login(client, trainer)
    token = csrf_token(client, f"/requests/{public_id}/procedures")
    response = client.post(f"/requests/{public_id}/attachments", data={
        "csrf_token": token, "document_kind": "request_letter", "language": "en",
        "file": (io.BytesIO(pdfs.valid_pdf()), "letter.pdf")}, content_type="multipart/form-data")
    assert response.status_code in (302, 303), response.text[:500]
    with session(app) as db:
        assert db.scalar(select(func.count()).select_from(Attachment)) == 1


def test_purge_deletes_old_practice_requests_and_everything_they_own(
        app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    old = start(app, submitter, GOOD, created_at=long_ago(31))
    with session(app) as db:
        req = db.scalar(select(MlaRequest).where(MlaRequest.public_id == old))
        assert req is not None
        stored = attachment_service.add_attachment(db, settings, user_of(db, submitter), req,
                                                   "letter.pdf", "request_letter",
                                                   pdfs.valid_pdf(), check_now=True)
        assert isinstance(stored, Attachment)
        stored_name = stored.storage_name
    submit(app, submitter, old)
    recent = start(app, submitter, GOOD, created_at=long_ago(29))
    real = start(app, submitter)  # a real draft is never purged by this
    with session(app) as db:
        row_real = db.scalar(select(MlaRequest).where(MlaRequest.public_id == real))
        assert row_real is not None
        row_real.training = False
        row_real.created_at = long_ago(400)
    old_id = row(app, old).id
    bags = list(settings.packages_path.glob("*-v1"))
    assert len(bags) == 1
    store = attachment_store(settings)
    assert store.exists(stored_name)
    with app.extensions["portal.db"].sessionmaker() as db:
        report = sandbox.purge(db, settings)
    assert report.requests == [old] and report.bags == 1 and report.files == 1
    assert not store.exists(stored_name)
    with session(app) as db:
        left = set(db.scalars(select(MlaRequest.public_id)))
        assert left == {recent, real}
        for table in (RequestVersion, RequestEvent, Attachment):
            assert db.scalar(select(func.count()).select_from(table)
                             .where(table.request_id == old_id)) == 0
        assert db.scalar(select(func.count()).select_from(Package)) == 0
        audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "training.purged"))
        assert audit is not None and audit.object_id == old
    assert not any(p.exists() for p in bags)


def test_purge_command(app: Flask, accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER)
    start(app, submitter, created_at=long_ago(45))
    keep = start(app, submitter, created_at=long_ago(3))
    runner = CliRunner()
    from portal.cli import main

    result = runner.invoke(main, ["training", "purge"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert re.search(r"purged 1 practice request", result.output)
    with session(app) as db:
        assert set(db.scalars(select(MlaRequest.public_id))) == {keep}


def _script_info(app: Flask) -> object:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_a_trainer_opening_the_sandbox_purges_old_practice(app: Flask, client: FlaskClient,
                                                           accounts: Accounts) -> None:
    trainer = accounts.create(Role.TRAINER)
    old = start(app, trainer, created_at=long_ago(60))
    login(client, trainer)
    assert client.get("/training/practice").status_code == 200
    assert run_jobs(app).kinds == {"training.purge": 1}  # a worker purges soon after
    with session(app) as db:
        assert db.scalar(select(MlaRequest).where(MlaRequest.public_id == old)) is None
    assert client.get("/training/practice").status_code == 200
    assert run_jobs(app).kinds == {}  # once an hour, however often it is asked


def test_retention_follows_the_setting(app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"].with_overrides(training_retention_days=5)
    submitter = accounts.create(Role.SUBMITTER)
    gone, kept = start(app, submitter, created_at=long_ago(6)), start(app, submitter,
                                                                     created_at=long_ago(4))
    with app.extensions["portal.db"].sessionmaker() as db:
        assert sandbox.purge(db, settings).requests == [gone]
    with session(app) as db:
        assert set(db.scalars(select(MlaRequest.public_id))) == {kept}


def test_sandbox_authorities_stay_out_of_the_admin_and_queue_lists(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    trainer, real = accounts.create(Role.TRAINER), accounts.create(Role.SUBMITTER)
    practice = start(app, trainer)
    with session(app) as db:
        sandbox_name = db.get(Authority, row(app, practice).authority_id).name  # type: ignore[union-attr]
        real_name = db.get(Authority, user_of(db, real).authority_id).name  # type: ignore[union-attr]
    assert sandbox_name.startswith(sandbox.SANDBOX_PREFIX)
    login(client, accounts.create(Role.ADMIN))
    page = client.get("/admin/authorities")
    assert page.status_code == 200
    assert real_name in page.text
    assert sandbox_name not in page.text
    triage = app.test_client()
    login(triage, accounts.create(Role.TRIAGE))
    queue = triage.get("/triage")
    assert queue.status_code == 200
    assert real_name in queue.text  # the queue's authority filter
    assert sandbox_name not in queue.text
