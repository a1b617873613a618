"""OIA's side of the API and the files: the triage queue in pages with its filters, a package's
download (a real submission, its bag built by a worker), the receipt as a real PDF, and a
status change seen by polling with updated_since."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select, update

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.requests import thread
from portal.requests.models import MlaRequest, Status
from portal.triage import operations as ops
from portal.triage.models import TriageEntry
from tests.api.conftest import ApiClient, submitted
from tests.api.test_api import _assert_problem
from tests.conftest import Accounts, run_jobs
from tests.packages import helpers

Api = Callable[..., ApiClient]


def _pages(api: ApiClient, url: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    next_url: str | None = url
    while next_url:
        response = api.open("GET", next_url)
        assert response.status_code == 200, response.text[:300]
        rows += response.get_json()["items"]
        next_url = response.get_json()["next"]
        assert len(rows) < 100
    return rows


def test_the_queue_in_pages_and_its_filters(app: Flask, accounts: Accounts,
                                            api_client: Api) -> None:
    spain = accounts.create(Role.SUBMITTER, country="ES")
    france = accounts.create(Role.SUBMITTER, country="FR")
    made = [submitted(app, spain.id) for _ in range(3)]
    made += [submitted(app, france.id, requesting_authority={"name": "Parquet",
                                                              "country": "FR"})]
    api = api_client(Role.TRIAGE)
    rows = _pages(api, "/api/v1/queue?limit=2")
    assert sorted(r["reference"] for r in rows) == sorted(ref for _id, ref in made)
    row = rows[0]
    assert row["status"] == "submitted" and row["links"] == {
        "package": f"/api/v1/queue/{row['reference']}/package"}
    assert {"urgency_date", "age_days", "blockers", "service_target", "held"} <= set(row)
    assert {r["country"] for r in _pages(api, "/api/v1/queue?country=fr")} == {"FR"}
    assert len(_pages(api, "/api/v1/queue?country=ES&limit=1")) == 3
    # assigned to me / to no one
    settings = app.extensions["portal.settings"]
    me = api.account_id
    with app.extensions["portal.db"].session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == made[0][0]))
        officer = db.get(User, me)
        ops.open_request(db, settings, officer, request)
        ops.accept(db, settings, officer, request)
        ops.assign(db, settings, officer, request, officer)
    mine = _pages(api, "/api/v1/queue?assignee=me")
    assert [r["reference"] for r in mine] == [made[0][1]] and mine[0]["status"] == "assigned"
    assert mine[0]["assignee"].startswith("Test Triage")
    assert made[0][1] not in {r["reference"] for r in _pages(api, "/api/v1/queue?assignee=none")}
    assert [r["reference"] for r in _pages(api, "/api/v1/queue?status=assigned")] == \
        [made[0][1]]
    for query, parameter in (("status=draft", "status"), ("country=Spain", "country"),
                             ("country=1X", "country"), ("assignee=someone", "assignee"),
                             ("limit=500", "limit"), ("cursor=abc", "cursor")):
        body = _assert_problem(api.open("GET", f"/api/v1/queue?{query}"), 400,
                               "invalid-parameter")
        assert body["parameter"] == parameter
    with app.extensions["portal.db"].session() as db:
        viewed = list(db.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "triage.queue_viewed")))
    assert viewed and json.loads(viewed[0])["filters"]["api"] == "1"
    # a submitter's token: refused
    submitter = api_client(Role.SUBMITTER)
    _assert_problem(submitter.open("GET", "/api/v1/queue"), 403, "forbidden")
    _assert_problem(submitter.open("GET", f"/api/v1/queue/{made[0][1]}/package"), 403,
                    "forbidden")


def test_package_receipt_and_digest_of_a_real_submission(app: Flask, accounts: Accounts,
                                                         api_client: Api) -> None:
    database, settings = app.extensions["portal.db"], app.extensions["portal.settings"]
    owner = api_client(Role.SUBMITTER, country="DE")
    staff = api_client(Role.TRIAGE)
    public_id = helpers.draft_with_attachments(database, settings, owner.account_id,
                                               [helpers.letter()])
    # before submission: no receipt, no package, no version
    _assert_problem(owner.open("GET", f"/api/v1/requests/{public_id}/receipt.pdf"), 404,
                    "not-found")
    _assert_problem(staff.open("GET", f"/api/v1/queue/{public_id}/package"), 404, "not-found")
    reference = helpers.submit(database, settings, owner.account_id, public_id, work=False)
    # submitted, the bag not built yet: 503, and a worker is asked
    waiting = staff.open("GET", f"/api/v1/queue/{reference}/package")
    _assert_problem(waiting, 503, "being-prepared")
    assert waiting.headers["Retry-After"] == "60"
    run_jobs(app)
    response = staff.open("GET", f"/api/v1/queue/{reference}/package")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"{reference}-v1.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        manifest = archive.read(f"{reference}-v1/tagmanifest-sha256.txt")
    assert f"{reference}-v1/bagit.txt" in names
    response.close()
    _assert_problem(staff.open("GET", f"/api/v1/queue/{reference}/package?version=2"), 404,
                    "not-found")
    _assert_problem(staff.open("GET", f"/api/v1/queue/{reference}/package?version=x"), 400,
                    "invalid-parameter")
    # the submitter's view: the version with the package's digest, and the receipt
    detail = owner.open("GET", f"/api/v1/requests/{reference}").get_json()
    [version] = detail["versions"]
    assert version["number"] == 1 and version["package_digest"].startswith("sha256:")
    assert detail["updated_at"] == detail["submitted_at"]  # a submission is a change
    assert version["package_digest"] == "sha256:" + hashlib.sha256(manifest).hexdigest()
    receipt = owner.open("GET", detail["links"]["receipt"], headers={"Accept-Language": "es"})
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert reference in text and "eferencia" in text
    with database.session() as db:
        audited = {(a, o) for a, o in db.execute(select(AuditEvent.action,
                                                        AuditEvent.object_id))}
    assert ("request.exported", public_id) in audited
    assert any(a == "package.downloaded" for a, _o in audited)


def test_a_status_change_is_seen_with_updated_since(app: Flask, api_client: Api) -> None:
    api = api_client(Role.SUBMITTER)
    public_id, reference = submitted(app, api.account_id)
    long_ago = datetime(2026, 1, 5, tzinfo=UTC)
    with app.extensions["portal.db"].session() as db:
        db.execute(update(MlaRequest).values(updated_at=long_ago))
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"/api/v1/requests?updated_since={since}"
    assert api.open("GET", url).get_json()["items"] == []
    with app.extensions["portal.db"].session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        thread.withdraw(db, app.extensions["portal.settings"], db.get(User, api.account_id),
                        request, "No longer needed.")
        assert db.get(TriageEntry, request.id) is not None
    [row] = api.open("GET", url).get_json()["items"]
    assert row["reference"] == reference and row["status"] == Status.WITHDRAWN.value


def test_oias_message_and_ask_are_seen_with_updated_since(app: Flask,
                                                         api_client: Api) -> None:
    from portal.asks import service as asks

    api = api_client(Role.SUBMITTER)
    staff = api_client(Role.TRIAGE)
    settings = app.extensions["portal.settings"]
    public_id, reference = submitted(app, api.account_id)
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"/api/v1/requests?updated_since={since}"
    for news in ("message", "ask"):
        with app.extensions["portal.db"].session() as db:
            db.execute(update(MlaRequest).values(updated_at=datetime(2026, 1, 5, tzinfo=UTC)))
        assert api.open("GET", url).get_json()["items"] == []
        with app.extensions["portal.db"].session() as db:
            request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            oia = db.get(User, staff.account_id)
            if news == "message":
                thread.post_message(db, settings, oia, request, "Please confirm the dates.")
            else:
                asks.ask_for_documents(db, settings, oia, request, "Send the order.",
                                       ["court_order"])
        [row] = api.open("GET", url).get_json()["items"]
        assert row["reference"] == reference, news

