"""The pages: the notification preferences of the account page (CSRF, audited), the list of
one's own notifications (marked read), and the unread count in the menu of OIA staff."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.notify.models import Notification
from portal.notify.preferences import DIGEST, OFF, Preference, preferences_of
from tests.conftest import Accounts, login
from tests.notify.conftest import notes_of, staff
from tests.triage.conftest import session


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def _badge(html: str) -> str | None:
    match = re.search(r'href="/triage/notifications">Notifications(.*?)</a>', html, re.S)
    assert match, "no notifications link"
    count = re.search(r'portal-badge" aria-hidden="true">(\d+)</span>', match.group(1))
    return count.group(1) if count else None


def _notify(app: Flask, user_id: int, *references: str) -> list[int]:
    with session(app) as db:
        rows = [Notification(user_id=user_id, kind="assigned", request_public_id=f"p{ref}",
                             reference=ref) for ref in references]
        db.add_all(rows)
        db.flush()
        return [row.id for row in rows]


def test_preferences_are_saved_from_the_account_page(app: Flask, client: FlaskClient,
                                                     accounts: Accounts) -> None:
    account = staff(accounts)
    login(client, account)
    page = client.get("/account").text
    assert 'id="notifications"' in page and 'name="delivery_urgency"' in page
    form = {"csrf_token": _token(page)}
    for kind in ("submitted", "message", "assigned", "referral_due", "referral_overdue",
                 "withdrawn"):
        form[f"delivery_{kind}"] = "immediate"
        form[f"email_{kind}"] = "y"
    form["delivery_urgency"] = DIGEST  # e-mail box left unticked
    form["delivery_submitted"] = OFF
    response = client.post("/triage/notifications/preferences", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/account#notifications")
    with session(app) as db:
        chosen = preferences_of(db, account.id)
        assert chosen["urgency"] == Preference(DIGEST, False)
        assert chosen["submitted"] == Preference(OFF, True)
        assert chosen["assigned"] == Preference("immediate", True)
        assert db.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "notify.preferences_changed")) is not None
    page = client.get("/account").text  # shown as saved
    assert re.search(r'<option[^>]*value="digest"[^>]* selected', page) or \
        re.search(r'<option selected[^>]*value="digest"', page)
    # a choice that is not offered is refused, and nothing changes
    response = client.post("/triage/notifications/preferences",
                           data={**form, "delivery_urgency": "hourly"})
    assert response.status_code == 303
    with session(app) as db:
        assert preferences_of(db, account.id)["urgency"] == Preference(DIGEST, False)
    # without the form token: refused
    response = client.post("/triage/notifications/preferences",
                           data={k: v for k, v in form.items() if k != "csrf_token"})
    assert response.status_code == 400


def test_other_roles_have_no_notification_section(client: FlaskClient,
                                                  accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER)
    login(client, submitter)
    page = client.get("/account").text
    assert 'id="notifications"' not in page
    response = client.post("/triage/notifications/preferences",
                           data={"csrf_token": _token(page), "delivery_urgency": OFF})
    assert response.status_code == 403
    assert client.get("/triage/notifications").status_code == 403


def test_the_list_shows_ones_own_and_marks_them_read(app: Flask, client: FlaskClient,
                                                     accounts: Accounts) -> None:
    mine, other = staff(accounts), staff(accounts)
    first, _second = _notify(app, mine.id, "MLA-2027-000001", "MLA-2027-000002")
    [theirs] = _notify(app, other.id, "MLA-2027-000099")
    login(client, mine)
    page = client.get("/triage/notifications").text
    assert "MLA-2027-000001" in page and "MLA-2027-000002" in page
    assert "MLA-2027-000099" not in page
    assert _badge(page) == "2"
    token = _token(page)
    # another user's notification cannot be marked read
    assert client.post("/triage/notifications/read",
                       data={"csrf_token": token, "id": str(theirs)}).status_code == 303
    assert notes_of(app, other)[0].read_at is None
    assert client.post("/triage/notifications/read",
                       data={"csrf_token": token, "id": str(first)}).status_code == 303
    assert _badge(client.get("/triage").text) == "1"
    assert client.post("/triage/notifications/read",
                       data={"csrf_token": token, "id": "x"}).status_code == 400
    assert client.post("/triage/notifications/read",
                       data={"csrf_token": token, "all": "1"}).status_code == 303
    assert _badge(client.get("/triage/notifications").text) is None
    assert all(n.read_at is not None for n in notes_of(app, mine))
