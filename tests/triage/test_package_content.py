"""The package view shows what its reads bring (portal.db_reads): the authority, the assignee,
the messages with their authors, the referral, the return with its findings, the history with
OIA's internal note, the duplicates and the caseload suggestion; and the submitter's page shows
the thread with its authors."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Authority, Role
from portal.config import Settings
from portal.db import utcnow
from portal.requests import thread
from portal.requests.models import Status
from portal.triage import operations, referrals
from portal.triage.models import TriageEntry
from tests.conftest import Account, Accounts, login
from tests.triage.conftest import content, make_submitted, session, user

EMAIL = (("email", "shared@mail.example", ""),)


def test_package_view_shows_every_part(app: Flask, client: FlaskClient, accounts: Accounts,
                                       manager: Account, staff: Account,
                                       settings_obj: Settings) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    district = referrals.district_choices()[0][0]
    with session(app) as db:
        author, boss, attorney = (user(db, submitter), user(db, manager), user(db, staff))
        authority = db.get(Authority, author.authority_id)
        assert authority is not None
        req = make_submitted(db, settings_obj, author, content("ES", identifiers=EMAIL))
        other = make_submitted(db, settings_obj, author, content("ES", identifiers=EMAIL))
        returned = make_submitted(db, settings_obj, author, content("ES"), findings=[
            {"code": "GEN-CONTACT", "severity": "blocker",
             "path": "requesting_authority.contact"}], status=Status.IN_TRIAGE)
        thread.post_message(db, settings_obj, author, req, "Here is the order.")
        thread.post_message(db, settings_obj, boss, req, "Received, thank you.")
        operations.assign(db, settings_obj, boss, req, attorney, note="Urgent look please")
        operations.accept(db, settings_obj, attorney, req)
        operations.assign(db, settings_obj, boss, req, attorney)
        operations.refer(db, settings_obj, attorney, req, district,
                         utcnow().date() + timedelta(days=30), note="Evidence in the district")
        operations.return_for_deficiency(db, settings_obj, boss, returned,
                                         ["GEN-CONTACT@requesting_authority.contact"],
                                         "Say why it matters")
        ids = (req.public_id, other.reference, returned.public_id, other.public_id)
        names = (author.name, boss.name, attorney.name, authority.name)
    public_id, other_reference, returned_id, other_id = ids
    author_name, boss_name, attorney_name, authority_name = names
    login(client, manager)
    page = client.get(f"/triage/{public_id}")
    assert page.status_code == 200
    text = page.text
    assert (f"<dt>Requesting authority</dt><dd>{escape(authority_name)} "
            '(<bdi dir="ltr">ES</bdi>)</dd>') in text
    assert f"<dt>Assigned to</dt><dd>{escape(attorney_name)}</dd>" in text
    assert (f'<dt>Referral</dt><dd><bdi dir="ltr">{escape(referrals.district_label(district))}'
            "</bdi>, due ") in text
    assert f"<strong>{escape(author_name)}</strong> · " in text
    assert f"<strong>OIA – {escape(boss_name)}</strong> · " in text
    assert '<div class="portal-thread__body" dir="auto">Here is the order.</div>' in text
    history = text.split('id="history-heading"')[1]
    assert f"(UTC) – {escape(boss_name)} – Accepted → Assigned" in history
    assert '<p dir="auto"><strong>OIA note:</strong> Urgent look please</p>' in history
    shared = text.split("Shared with other open requests")[1].split("</table>")[0]
    assert f"{other_reference}</bdi></a> (<bdi dir=\"ltr\">ES</bdi>)" in shared
    page = client.get(f"/triage/{returned_id}")
    assert page.status_code == 200
    returns = page.text.split('id="returns-heading"')[1].split("</section>")[0]
    assert "Return of version 1" in returns and "Say why it matters" in returns
    assert "GEN-CONTACT" in returns
    # the assign form suggests the lightest caseload (read with the page's other reads)
    page = client.get(f"/triage/{other_id}")
    assert "Suggested:" in page.text and "weighted load" in page.text
    # the submitter's own page: the thread with OIA's messages signed "OIA"
    own = app.test_client()
    login(own, submitter)
    mine = own.get(f"/requests/{public_id}").text
    assert f"<strong>{escape(author_name)}</strong>" in mine
    assert "<strong>OIA</strong>" in mine and escape(boss_name) not in mine.split(
        'class="portal-thread"')[1].split("</ol>")[0]


def test_a_request_missing_from_the_queue_is_put_back_when_viewed(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        req = make_submitted(db, settings_obj, user(db, submitter), content("ES"))
        public_id, request_id = req.public_id, req.id
    with session(app) as db:
        entry = db.get(TriageEntry, request_id)
        assert entry is not None
        db.delete(entry)
    login(client, manager)
    page = client.get(f"/triage/{public_id}")
    assert page.status_code == 200
    assert "(UTC) – 0 days ago</dd>" in page.text  # the entry's first submission, read again
    with session(app) as db:
        assert db.get(TriageEntry, request_id) is not None


def test_the_reply_form_is_on_open_requests_only(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    """A withdrawn request takes no reply: its page has no message form (and no hand-off to
    retry, so no retry form either); an open request's page has the form."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        author = user(db, submitter)
        open_id = make_submitted(db, settings_obj, author, content("ES")).public_id
        closed = make_submitted(db, settings_obj, author, content("ES"))
        thread.withdraw(db, settings_obj, author, closed, "Solved locally.")
        closed_id = closed.public_id
    login(client, manager)
    reply_form = 'class="usa-form usa-form--large" novalidate>'
    opened = client.get(f"/triage/{open_id}")
    assert opened.status_code == 200
    assert f'action="/triage/{open_id}/messages" {reply_form}' in opened.text
    assert "Send the message" in opened.text
    shut = client.get(f"/triage/{closed_id}")
    assert shut.status_code == 200
    assert "Withdrawn" in shut.text
    assert "/messages" not in shut.text and "Send the message" not in shut.text
    assert "Retry the hand-off" not in shut.text and "/retry" not in shut.text


def _without_tokens(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', page)


def test_a_page_read_ahead_with_the_session_is_the_page_read_in_the_view(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    """The second view of a request reads the page's rows with the session (the worker has
    shown it before); the page is the same as when the view read them, and follows a change
    of state that changes what the page reads (the caseloads, for a request that can be
    assigned)."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        author = user(db, submitter)
        req = make_submitted(db, settings_obj, author, content("ES"))
        thread.post_message(db, settings_obj, author, req, "Here is the order.")
        public_id = req.public_id
    login(client, manager)
    first = client.get(f"/triage/{public_id}")
    second = client.get(f"/triage/{public_id}")
    assert first.status_code == second.status_code == 200
    # (the forms' tokens carry the second they were made in: two pages may straddle one)
    assert _without_tokens(second.text) == _without_tokens(first.text)
    assert 'id="action-assign"' in second.text and "Here is the order." in second.text
    with session(app) as db:
        found = db.get(type(req), req.id)
        assert found is not None
        thread.post_message(db, settings_obj, user(db, submitter), found, "Solved locally.")
        thread.withdraw(db, settings_obj, user(db, submitter), found, "No longer needed.")
    third = client.get(f"/triage/{public_id}")
    assert third.status_code == 200
    assert 'id="action-assign"' not in third.text and "Solved locally." in third.text
    assert "Withdrawn" in third.text
