"""The triage pages: access per role, the queue page and its CSV, the package view, each
action through its form, messages, portfolios and the dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask, g, render_template
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.requests.models import MlaRequest, Status
from portal.triage.models import Portfolio
from tests.conftest import Account, Accounts, login
from tests.triage.conftest import content, drawn_charts, make_submitted, resubmit, session, user
from tests.web.test_access import url_arguments

FINDINGS = [
    {"code": "GEN-CONTACT", "severity": "blocker", "path": "requesting_authority.contact.email",
     "acknowledgement": ""},
    {"code": "ELEC-IP-TIME", "severity": "warning", "path": "assistance[0].identifiers[0]",
     "acknowledgement": "Provider logs are in UTC."},
]


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def _triage_routes(app: Flask) -> list[tuple[str, str]]:
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("triage."):
                path = rule.build(url_arguments(rule))[1]  # type: ignore[index]
                for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                    out.append((method, path))
    return out


@pytest.mark.parametrize("role", [Role.SUBMITTER, Role.TRAINER, Role.ADMIN])
def test_only_triage_staff_reach_triage_pages(app: Flask, client: FlaskClient,
                                              accounts: Accounts, settings_obj: Settings,
                                              role: Role) -> None:
    owner = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, owner), content("ES"))
        public_id = req.public_id
    login(client, accounts.create(role))
    routes = _triage_routes(app)
    assert len(routes) >= 8
    routes.append(("GET", f"/triage/{public_id}"))
    for method, path in routes:
        response = client.open(path, method=method, data={})
        assert response.status_code in (400, 403), (method, path, response.status_code)
        assert response.status_code == 403 or method == "POST"


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/triage")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_triage_never_sees_drafts_or_training(app: Flask, client: FlaskClient,
                                              accounts: Accounts, staff: Account,
                                              settings_obj: Settings) -> None:
    owner = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        training = make_submitted(db, settings_obj, user(db, owner), content("ES"),
                                  training=True)
        draft = MlaRequest(authority_id=owner.authority_id, status=Status.DRAFT.value,
                           draft_json="{}", created_by_id=owner.id)
        db.add(draft)
        db.flush()
        hidden = [training.public_id, draft.public_id]
        hidden_refs = [training.reference]
    login(client, staff)
    page = client.get("/triage")
    assert page.status_code == 200
    for ref in hidden_refs:
        assert ref not in page.text
    for public_id in hidden:
        assert client.get(f"/triage/{public_id}").status_code == 404
        token = _token(page.text)
        assert client.post(f"/triage/{public_id}/action/open",
                           data={"csrf_token": token}).status_code == 404


def test_review_flow_through_the_pages(app: Flask, client: FlaskClient, accounts: Accounts,
                                       manager: Account, settings_obj: Settings) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="ES", locale="es")
    body = content("ES", persons=("Lucía Pérez",), types=("stored_content",),
                   identifiers=(("ip", "198.51.100.7", ""),), provider="Google")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), body, findings=FINDINGS)
        public_id, reference, rid = req.public_id, req.reference, req.id
    login(client, manager)
    queue = client.get("/triage?q=lucia+perez")
    assert queue.status_code == 200 and reference in queue.text
    page = client.get(f"/triage/{public_id}")
    assert page.status_code == 200
    assert "Provider logs are in UTC." in page.text  # acknowledged warning and justification
    token = _token(page.text)
    url = f"/triage/{public_id}/action"
    # refused transition: accept before opening
    response = client.post(f"{url}/accept", data={"csrf_token": token, "note": ""})
    assert response.status_code == 303
    assert "not possible" in client.get(f"/triage/{public_id}").text
    assert client.post(f"{url}/open", data={"csrf_token": token}).status_code == 303
    # a return needs a finding or a note
    response = client.post(f"{url}/return", data={"csrf_token": token})
    assert response.status_code == 400 and "Choose at least one finding" in response.text
    keys = [f"{f['code']}@{f['path']}" for f in FINDINGS]
    response = client.post(f"{url}/return", data={"csrf_token": token, "findings": keys,
                                                  "notes": "Dos puntos a corregir."})
    assert response.status_code == 303
    with app.test_request_context("/?lang=es"), session(app) as db:
        g.db = db
        returned = db.get(MlaRequest, rid)
        assert returned is not None and returned.status == "returned"
        html = render_template("triage/_return_for_submitter.html", req=returned)
        assert "Dos puntos a corregir." in html
        assert "No hay persona de contacto con dirección de correo electrónico" in html
        assert html.count("portal-finding__title") == 2
        # the submitter fixes the IP address and resubmits
        changed = content("ES", persons=("Lucía Pérez",), types=("stored_content",),
                          identifiers=(("ip", "198.51.100.7", "2026-01-01T10:00:00Z"),),
                          provider="Google")
        resubmit(db, settings_obj, returned, changed)
    page = client.get(f"/triage/{public_id}?a=1&b=2")
    assert "assistance[0].identifiers[0].datetime" in page.text
    assert "2026-01-01T10:00:00Z" in page.text
    assert "Resubmitted without changing" not in page.text  # the named field changed
    for action, data in (("open", {}), ("accept", {"note": "Complete now."}),
                         ("assign", {"assignee": manager.public_id, "note": "mine"}),
                         ("refer", {"district": "CAN",
                                    "due": (date.today() + timedelta(days=30)).isoformat()}),
                         ("complete", {})):
        response = client.post(f"{url}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 303, (action, response.text[:3000])
    page = client.get(f"/triage/{public_id}")
    for label in ("Submitted to OIA", "Opened for triage", "Returned for changes",
                  "Submitted again after changes", "Accepted by OIA", "Assigned to an attorney",
                  "Referred to a U.S. Attorney", "Completed"):
        assert label in page.text, label
    assert "OIA note:" in page.text and "mine" in page.text
    with session(app) as db:
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"request.viewed", "triage.open", "triage.return", "triage.accept",
                "triage.assign", "triage.refer", "triage.complete"} <= actions


def test_resubmitted_unchanged_is_flagged(app: Flask, client: FlaskClient, accounts: Accounts,
                                          staff: Account, settings_obj: Settings) -> None:
    from portal.triage import operations as ops

    submitter = accounts.create(Role.SUBMITTER, country="ES")
    body = content("ES", types=("stored_content",), identifiers=(("ip", "198.51.100.7", ""),))
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), body, findings=FINDINGS,
                             status=Status.IN_TRIAGE)
        ops.return_for_deficiency(db, settings_obj, user(db, staff), req,
                                  [f"{FINDINGS[1]['code']}@{FINDINGS[1]['path']}"], "")
        resubmit(db, settings_obj, req, {**body, "facts": {"summary": {"text": "more"}}})
        public_id = req.public_id
    login(client, staff)
    page = client.get(f"/triage/{public_id}")
    assert "Resubmitted without changing what the return named" in page.text
    assert "Resubmitted unchanged" in client.get("/triage").text
    # the package view reads the flag from the queue entry: an entry rebuilt (maintenance,
    # portal.triage.intake.rebuild) has it again
    from portal.triage import intake
    from portal.triage.models import TriageEntry

    with session(app) as db:
        request_id = db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == public_id))
        db.execute(delete(TriageEntry).where(TriageEntry.request_id == request_id))
    with session(app) as db:
        assert intake.rebuild(db, [request_id], settings=settings_obj) == 1
    with session(app) as db:
        assert db.get(TriageEntry, request_id).resubmit_unchanged  # type: ignore[union-attr]
    assert "Resubmitted without changing what the return named" in client.get(
        f"/triage/{public_id}").text


def test_messages_csv_portfolios_and_dashboard(app: Flask, client: FlaskClient,
                                               accounts: Accounts, manager: Account,
                                               settings_obj: Settings) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), content("ES"))
        public_id, reference = req.public_id, req.reference
    login(client, manager)
    page = client.get(f"/triage/{public_id}")
    token = _token(page.text)
    response = client.post(f"/triage/{public_id}/messages",
                           data={"csrf_token": token, "body": "Please send the order."})
    assert response.status_code == 303
    assert "Please send the order." in client.get(f"/triage/{public_id}").text
    assert client.post(f"/triage/{public_id}/messages",
                       data={"csrf_token": token, "body": ""}).status_code == 400
    exported = client.get("/triage/export.csv?country=ES")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert reference in exported.text
    folios = client.get("/triage/portfolios")
    assert folios.status_code == 200
    response = client.post("/triage/portfolios", data={
        "csrf_token": _token(folios.text), "user": manager.public_id, "countries": "es, fr"})
    assert response.status_code == 303
    response = client.post("/triage/portfolios", data={
        "csrf_token": _token(folios.text), "user": manager.public_id, "countries": "zz"})
    assert response.status_code == 400
    with session(app) as db:
        assert sorted(db.scalars(select(Portfolio.country))) == ["ES", "FR"]
    board = client.get("/triage/dashboard?from=2020-01-01&to=2030-01-01")
    assert board.status_code == 200
    assert len(drawn_charts(board.text)) == 7 and board.text.count("<table") >= 8
    assert client.get("/triage/dashboard?from=nonsense").status_code == 200
    table = client.get("/triage/dashboard/ages.csv")
    assert table.status_code == 200 and table.text.startswith("Age (days)")
    assert client.get("/triage/dashboard/nothing.csv").status_code == 404
    with session(app) as db:
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"triage.queue_exported", "triage.dashboard_viewed",
                "triage.dashboard_exported", "triage.portfolio_changed",
                "request.message_posted"} <= actions


def test_portfolios_are_edited_by_managers_only(client: FlaskClient, staff: Account) -> None:
    login(client, staff)
    page = client.get("/triage/portfolios")
    assert page.status_code == 200 and 'name="countries"' not in page.text
    response = client.post("/triage/portfolios", data={
        "csrf_token": _token(page.text), "user": staff.public_id, "countries": "ES"})
    assert response.status_code == 403


def test_version_summary_in_each_language(app: Flask, client: FlaskClient, accounts: Accounts,
                                           staff: Account, settings_obj: Settings) -> None:
    """The package view shows a version's content with names in the page's language, again
    and again."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), content("ES"))
        public_id = req.public_id
    login(client, staff)
    for _ in range(2):
        english = client.get(f"/triage/{public_id}?lang=en").text
        french = client.get(f"/triage/{public_id}?lang=fr").text
        assert "Spain" in english and "Spain" not in french
        assert "Espagne" in french and "Espagne" not in english


def test_each_version_shows_its_own_content(app: Flask, client: FlaskClient, accounts: Accounts,
                                            staff: Account, settings_obj: Settings) -> None:
    """``?v=`` chooses the version shown: each with its own content."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter),
                             content("ES", persons=("Lucía Pérez",)), status=Status.RETURNED)
        resubmit(db, settings_obj, req, content("ES", persons=("Marta Gómez",)))
        public_id = req.public_id
    login(client, staff)

    def shown(query: str) -> str:
        page = client.get(f"/triage/{public_id}{query}").text
        return page.split('id="request-heading"')[1].split('id="versions-heading"')[0]

    assert "Lucía Pérez" in shown("?v=1") and "Marta Gómez" not in shown("?v=1")
    assert "Marta Gómez" in shown("?v=2") and "Lucía Pérez" not in shown("?v=2")
    assert shown("") == shown("?v=2")


def test_queue_filter_options_in_the_pages_language(client: FlaskClient, staff: Account) -> None:
    from markupsafe import escape

    from portal.requests.labels import choice_label
    from portal.web.triage.labels import STATUS_LABELS

    login(client, staff)
    pages = {lang: client.get(f"/triage?lang={lang}").text for lang in ("fr", "en", "fr")}
    for lang in ("en", "fr"):
        with client.application.test_request_context(f"/?lang={lang}"):
            assigned = str(escape(str(STATUS_LABELS["assigned"])))
            records = str(escape(str(choice_label("subscriber_info", "type"))))
        assert f'<option value="assigned">{assigned}</option>' in pages[lang]
        assert f'<option value="subscriber_info">{records}</option>' in pages[lang]
    assert pages["fr"] != pages["en"]


@pytest.mark.parametrize(("lang", "germany"), [("en", "Germany (DE)"), ("es", "Alemania (DE)"),
                                               ("ar", "ألمانيا (DE)")])
def test_the_queues_country_filter_names_countries_in_the_pages_language(
        client: FlaskClient, accounts: Accounts, lang: str, germany: str) -> None:
    login(client, accounts.create(Role.TRIAGE))
    page = client.get(f"/triage?lang={lang}&country=DE").text
    select_box = page.split('id="f-country"')[1].split("</select>")[0]
    assert f'<option value="DE" selected>{germany}</option>' in select_box
    names = re.findall(r'<option value="[A-Z]{2}"[^>]*>([^<]+) \([A-Z]{2}\)</option>', select_box)
    assert len(names) > 100 and names == sorted(names)


def test_a_referral_reads_as_one_sentence_in_each_language(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    from portal.triage import operations as ops

    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), content("ES"),
                             status=Status.ASSIGNED)
        ops.refer(db, settings_obj, user(db, manager), req, "CAN",
                  date.today() + timedelta(days=30))
        public_id = req.public_id
    login(client, manager)
    english = client.get(f"/triage/{public_id}?lang=en").text
    assert re.search(r'<bdi dir="ltr">[^<]*CAN[^<]*</bdi>, due ', english)
    assert re.search(r'<bdi dir="ltr">[^<]*CAN[^<]*</bdi> – referred .+, due ', english)
    arabic = client.get(f"/triage/{public_id}?lang=ar").text
    assert re.search(r'<bdi dir="ltr">[^<]*CAN[^<]*</bdi>، الموعد النهائي ', arabic)
    assert re.search(r'</bdi> – أُحيل في .+، الموعد النهائي ', arabic)
    assert ", due" not in arabic
