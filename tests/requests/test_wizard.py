"""The wizard through its pages: every section reads and writes the request contract without
loss, repeatable parts are added and removed without JavaScript, hidden fields are refused,
findings are shown and explained, warnings are acknowledged, and the request is submitted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Role
from portal.contract.load import load_request_json
from portal.contract.model import Request
from portal.db import Database
from portal.requests import drafts
from portal.requests.models import MlaRequest, RequestVersion, Status
from portal.requests.sections import SECTIONS
from tests.conftest import Account, Accounts, login, run_jobs
from tests.packages.helpers import import_with_documents
from tests.requests.htmlform import read_form

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"


def _db(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def _import(app: Flask, account: Account, name: str, *, documents: bool = True) -> str:
    """A draft imported from a sample, with a stored PDF for each document it lists (or
    none)."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    with _db(app).session() as db:
        from portal.accounts.models import User

        user = db.get(User, account.id)
        assert user is not None
        if not documents:
            created, errors = drafts.import_json(db, user, text)
            assert created is not None and not errors, errors
            return created.public_id
        created = import_with_documents(db, app.extensions["portal.settings"], user, text)
        return created.public_id


def _content(app: Flask, public_id: str) -> Request:
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        return drafts.content_of(row)


def _post_section(client: FlaskClient, url: str, changes: dict[str, str] | None = None,
                  op: str = "draft", extra: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    page = client.get(url)
    assert page.status_code == 200, page.text[:2000]
    fields = [(k, v) for k, v in read_form(page.text, "portal-wizard-form")]
    if changes:
        fields = [(k, changes.pop(k, v)) for k, v in fields] + list(changes.items())
    fields.append(("op", op))
    fields.extend(extra or [])
    return client.post(url, data=MultiDict(fields))


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_section_round_trips_through_its_page(app: Flask, client: FlaskClient,
                                                    submitter: Account, example: str) -> None:
    public_id = _import(app, submitter, example)
    before = _content(app, public_id)
    for section in SECTIONS:
        response = _post_section(client, f"/requests/{public_id}/{section.slug}")
        assert response.status_code == 302, (section.slug, response.text[:3000])
    assert _content(app, public_id) == before


def test_edit_add_and_remove_entries_without_javascript(app: Flask, client: FlaskClient,
                                                        submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/assistance"
    count = len(_content(app, public_id).assistance[0].identifiers)
    response = _post_section(client, url, op="add:assistance[0].identifiers")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#f-assistance-0-identifiers-{count}")
    assert len(_content(app, public_id).assistance[0].identifiers) == count + 1
    response = _post_section(client, url, op=f"remove:assistance[0].identifiers[{count}]")
    assert len(_content(app, public_id).assistance[0].identifiers) == count
    response = _post_section(client, url, {"new_item_type": "witness"}, op="add:assistance")
    content = _content(app, public_id)
    assert content.assistance[-1].type == "witness"
    response = _post_section(client, url, {
        f"assistance-{len(content.assistance) - 1}-witness_name": "Jane Roe"})
    assert _content(app, public_id).assistance[-1].witness_name == "Jane Roe"
    response = _post_section(client, f"/requests/{public_id}/authority",
                             op="add:requesting_authority.case_references")
    refs = _content(app, public_id).requesting_authority.case_references
    assert refs[-1] == ""


def test_data_for_a_hidden_field_is_refused(app: Flask, client: FlaskClient,
                                            submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    before = _content(app, public_id)
    response = _post_section(client, f"/requests/{public_id}/assistance",
                             {"assistance-0-witness_name": "Smuggled"})
    assert response.status_code == 400
    assert "fields that are not on it" in response.text
    assert "assistance-0-witness_name" in response.text
    assert _content(app, public_id) == before


def test_invalid_input_is_explained_and_kept(app: Flask, client: FlaskClient,
                                             submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    before = _content(app, public_id)
    response = _post_section(client, f"/requests/{public_id}/facts", {
        "facts-summary-text": "Mein neuer Text, nicht verloren",
    })
    assert response.status_code == 302
    response = _post_section(client, f"/requests/{public_id}/proceedings", {
        "persons-0-date_of_birth": "1984-13-45", "persons-0-name": "Typed but invalid",
    })
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Typed but invalid" in response.text and "1984-13-45" in response.text
    assert _content(app, public_id).persons == before.persons


def test_second_save_from_a_stale_page_is_told_the_draft_changed(
        app: Flask, client: FlaskClient, accounts: Accounts, submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/facts"
    stale = read_form(client.get(url).text, "portal-wizard-form")
    colleague_client = client.application.test_client()
    colleague = accounts.create(Role.SUBMITTER, country="DE")
    login(colleague_client, colleague)
    response = _post_section(colleague_client, url, {"facts-summary-text": "Colleague's"})
    assert response.status_code == 302
    mine = [(k, "Mine" if k == "facts-summary-text" else v) for k, v in stale]
    response = client.post(url, data=MultiDict([*mine, ("op", "draft")]))
    assert response.status_code == 409
    assert "saved this draft after you opened this page" in response.text
    assert "Mine" in response.text  # what I typed is still on the page
    assert _content(app, public_id).facts.summary.text == "Colleague's"


def _progress(app: Flask, public_id: str) -> dict[str, str]:
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        return json.loads(row.progress_json)  # type: ignore[no-any-return]


def test_a_save_records_the_sections_progress(app: Flask, client: FlaskClient,
                                              accounts: Accounts, submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    facts, parties = f"/requests/{public_id}/facts", f"/requests/{public_id}/authority"
    before = _progress(app, public_id)
    assert _post_section(client, facts).status_code == 302  # saved: started
    assert _progress(app, public_id) == {**before, "facts": "started"}
    assert _post_section(client, facts, op="continue").status_code == 302
    assert _progress(app, public_id)["facts"] == "done"
    assert _post_section(client, facts).status_code == 302  # a done section stays done
    assert _progress(app, public_id)["facts"] == "done"
    response = _post_section(client, parties, op="add:requesting_authority.case_references")
    assert response.status_code == 302
    assert _progress(app, public_id) == {**before, "facts": "done", "authority": "started"}
    # a save refused as stale changes neither the draft nor the progress
    stale = read_form(client.get(f"/requests/{public_id}/proceedings").text,
                      "portal-wizard-form")
    other = client.application.test_client()
    login(other, accounts.create(Role.SUBMITTER, country="DE"))
    assert _post_section(other, facts).status_code == 302
    response = client.post(f"/requests/{public_id}/proceedings",
                           data=MultiDict([*stale, ("op", "continue")]))
    assert response.status_code == 409
    assert _progress(app, public_id).get("proceedings") == before.get("proceedings") != "done"


def test_a_save_is_confirmed_on_the_page_it_returns_to(app: Flask, client: FlaskClient,
                                                       accounts: Accounts,
                                                       submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/facts"
    response = _post_section(client, url)
    assert response.status_code == 302 and "Set-Cookie" not in response.headers  # no flash
    revision = _revision(app, public_id)
    assert response.headers["Location"].endswith(f"{url}?saved={revision}")
    page = client.get(response.headers["Location"])
    assert "Your draft was saved at" in page.text and 'usa-alert--success' in page.text
    assert "Your draft was saved at" not in client.get(url).text
    # once a colleague saved after it, the address no longer says "saved"
    other = client.application.test_client()
    login(other, accounts.create(Role.SUBMITTER, country="DE"))
    assert _post_section(other, url).status_code == 302
    assert "Your draft was saved at" not in client.get(response.headers["Location"]).text
    assert "Your draft was saved at" not in client.get(f"{url}?saved=nonsense").text


def _revision(app: Flask, public_id: str) -> int:
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        return row.revision


def test_other_authority_gets_404_everywhere(app: Flask, client: FlaskClient,
                                             accounts: Accounts) -> None:
    owner = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _import(app, owner, "05-stored-content-good-de.json")
    login(client, accounts.create(Role.SUBMITTER, country="FR"))
    for path in ["", "/facts", "/check", "/review", "/export.json", "/submitted"]:
        assert client.get(f"/requests/{public_id}{path}").status_code == 404, path
    token = _token(client.get("/requests").text)
    for path in ["/facts", "/check", "/submit"]:
        response = client.post(f"/requests/{public_id}{path}", data={"csrf_token": token})
        assert response.status_code == 404, path


def test_findings_are_shown_with_links_on_section_and_task_list(
        app: Flask, client: FlaskClient, submitter: Account) -> None:
    public_id = _import(app, submitter, "06-stored-content-deficient-gb.json")
    page = client.get(f"/requests/{public_id}")
    assert "Has problems" in page.text
    page = client.get(f"/requests/{public_id}/assistance")
    assert "Stored content needs probable cause" in page.text
    assert 'href="#f-assistance-0-nexus"' in page.text
    assert 'id="f-assistance-0-nexus"' in page.text


def test_warning_needs_tick_and_justification_then_submission(
        app: Flask, client: FlaskClient, submitter: Account) -> None:
    public_id = _import(app, submitter, "22-subscriber-info-good-tr.json")
    page = client.get(f"/requests/{public_id}/check")
    warnings = re.findall(r'name="ack-([^"]+)"', page.text)
    assert warnings, "the sample is expected to carry a warning"
    token = _token(page.text)
    # tick without text: refused, nothing saved
    response = client.post(f"/requests/{public_id}/check",
                           data={"csrf_token": token, f"ack-{warnings[0]}": "y"})
    assert response.status_code == 400
    assert "Write why you submit despite this warning." in response.text
    response = client.post(f"/requests/{public_id}/submit", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    data = {"csrf_token": token}
    for key in warnings:
        data[f"ack-{key}"] = "y"
        data[f"why-{key}"] = "The conduct is a true threat, not protected speech."
    response = client.post(f"/requests/{public_id}/check", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    review = client.get(f"/requests/{public_id}/review")
    assert "Check your answers" in review.text
    revision = re.search(r'name="revision" value="(\d+)"', review.text)
    assert revision
    response = client.post(f"/requests/{public_id}/submit",
                           data={"csrf_token": token, "revision": revision.group(1)})
    assert response.status_code == 302, response.text[:2000]
    assert client.get(response.headers["Location"]).status_code == 200
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None and row.status == Status.SUBMITTED.value
        assert row.reference is not None and re.fullmatch(r"MLA-\d{4}-\d{6}", row.reference)
        version = db.scalar(select(RequestVersion).where(RequestVersion.request_id == row.id))
        assert version is not None and version.number == 1
        stored = json.loads(version.findings_json)
        acknowledged = [f for f in stored if f["severity"] == "warning"]
        assert acknowledged and all(f["acknowledgement"] for f in acknowledged)
        frozen = load_request_json(version.content_json)
        assert frozen.ok and frozen.request is not None
        assert frozen.request.reference == row.reference
    # frozen: the section pages no longer accept changes
    response = client.get(f"/requests/{public_id}/facts")
    assert response.status_code == 302
    run_jobs(app)  # a worker delivers the e-mail
    outbox = list((Path(app.extensions["portal.settings"].data_dir) / "outbox").glob("*.eml"))
    assert any(row.reference.encode() in p.read_bytes() for p in outbox)


def test_blockers_prevent_submission(app: Flask, client: FlaskClient,
                                     submitter: Account) -> None:
    public_id = _import(app, submitter, "06-stored-content-deficient-gb.json")
    token = _token(client.get(f"/requests/{public_id}/check").text)
    response = client.post(f"/requests/{public_id}/submit",
                           data={"csrf_token": token, "revision": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    assert _content(app, public_id).reference == ""


def test_import_page_reports_precise_errors(client: FlaskClient, submitter: Account) -> None:
    import io

    page = client.get("/requests/import")
    token = _token(page.text)
    bad = json.dumps({"assistance": [{"type": "witness", "provider": "Google"}]})
    response = client.post("/requests/import", data={
        "csrf_token": token, "file": (io.BytesIO(bad.encode()), "bad.json")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "assistance[0]" in response.text and "provider" in response.text
    response = client.post("/requests/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"{not json"), "bad.json")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "line 1" in response.text


def _submit(app: Flask, account: Account, example: str) -> str:
    """Import a good sample and submit it through the service (no warnings to acknowledge)."""
    from portal.accounts.models import User
    from portal.requests import submission

    public_id = _import(app, account, example)
    with _db(app).session() as db:
        user = db.get(User, account.id)
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and row is not None
        submission.submit(db, app.extensions["portal.settings"], user, row,
                          expected_revision=row.revision, locale="en")
    return public_id


def test_message_thread_and_withdrawal(app: Flask, client: FlaskClient,
                                       submitter: Account, accounts: Accounts) -> None:
    triage = accounts.create(Role.TRIAGE, locale="es")
    public_id = _submit(app, submitter, "05-stored-content-good-de.json")
    page = client.get(f"/requests/{public_id}")
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title and "<" not in title.group(1)  # the page title is text, not the forms
    token = _token(page.text)
    response = client.post(f"/requests/{public_id}/messages",
                           data={"csrf_token": token, "body": ""})
    assert response.status_code == 400 and "Write your message." in response.text
    response = client.post(f"/requests/{public_id}/messages",
                           data={"csrf_token": token, "body": "Das Konto wurde gesperrt."})
    assert response.status_code == 302
    assert "Das Konto wurde gesperrt." in client.get(f"/requests/{public_id}").text
    run_jobs(app)  # a worker delivers the e-mail
    outbox = Path(app.extensions["portal.settings"].data_dir) / "outbox"
    mails = [p.read_text(encoding="utf-8", errors="replace") for p in outbox.glob("*.eml")]
    to_triage = [m for m in mails if triage.email in m]
    assert to_triage and all("gesperrt" not in m for m in mails)  # no case content by e-mail
    response = client.post(f"/requests/{public_id}/withdraw",
                           data={"csrf_token": token, "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/requests/{public_id}/withdraw",
                           data={"csrf_token": token, "reason": "Suspect confessed."})
    assert response.status_code == 302
    page = client.get(f"/requests/{public_id}")
    assert "Withdrawn" in page.text and "Suspect confessed." in page.text
    response = client.post(f"/requests/{public_id}/withdraw",
                           data={"csrf_token": token, "reason": "again"})
    assert response.status_code == 400


def test_draft_has_no_thread(app: Flask, client: FlaskClient, submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    token = _token(client.get(f"/requests/{public_id}").text)
    response = client.post(f"/requests/{public_id}/messages",
                           data={"csrf_token": token, "body": "hello"})
    assert response.status_code == 400


def test_input_survives_an_ended_session(app: Flask, client: FlaskClient,
                                         submitter: Account) -> None:
    from datetime import timedelta

    from portal.accounts.models import UserSession
    from portal.db import utcnow

    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/facts"
    fields = read_form(client.get(url).text, "portal-wizard-form")
    with _db(app).session() as db:  # the user went for lunch
        for row in db.scalars(select(UserSession)).all():
            row.last_seen_at = utcnow() - timedelta(hours=2)
    typed = [(k, "Typed before the session ended" if k == "facts-summary-text" else v)
             for k, v in fields]
    response = client.post(url, data=MultiDict([*typed, ("op", "draft")]))
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    assert _content(app, public_id).facts.summary.text != "Typed before the session ended"
    login(client, submitter)
    page = client.get(url)
    assert "Typed before the session ended" in page.text
    assert "We kept what you typed" in page.text
    resubmit = read_form(page.text, "portal-wizard-form")
    response = client.post(url, data=MultiDict([*resubmit, ("op", "draft")]))
    assert response.status_code == 302
    assert _content(app, public_id).facts.summary.text == "Typed before the session ended"
    assert "We kept what you typed" not in client.get(url).text  # used once


def test_input_survives_an_expired_form(app: Flask, client: FlaskClient,
                                        submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/facts"
    fields = [(k, "wrong-token" if k == "csrf_token" else
               ("Kept despite the token" if k == "facts-summary-text" else v))
              for k, v in read_form(client.get(url).text, "portal-wizard-form")]
    response = client.post(url, data=MultiDict([*fields, ("op", "draft")]))
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    page = client.get(url)
    assert "Kept despite the token" in page.text
    assert "Your form had expired" in page.text


def test_another_user_never_gets_someone_elses_kept_input(
        app: Flask, client: FlaskClient, accounts: Accounts, submitter: Account) -> None:
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    url = f"/requests/{public_id}/facts"
    fields = [(k, "bad" if k == "csrf_token" else ("Private draft" if k ==
                                                   "facts-summary-text" else v))
              for k, v in read_form(client.get(url).text, "portal-wizard-form")]
    client.post(url, data=MultiDict([*fields, ("op", "draft")]))
    colleague = client.application.test_client()
    login(colleague, accounts.create(Role.SUBMITTER, country="DE"))
    assert "Private draft" not in colleague.get(url).text
