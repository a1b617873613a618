"""The request an address names is read after the session's user is known, through that
user's access rules, and nothing read by one request is reused by the next."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.requests import drafts
from portal.requests.models import MlaRequest
from tests.conftest import PG_URL, Accounts, login
from tests.triage.conftest import content, make_submitted, session, user
from tests.wire import round_trips, traced


def _draft(app: Flask, account: object) -> str:
    with session(app) as db:
        return drafts.create_draft(db, user(db, account)).public_id  # type: ignore[arg-type]


def test_a_user_whose_authority_changed_does_not_see_its_requests_any_more(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    spain = accounts.create(Role.SUBMITTER, country="ES")
    spanish = _draft(app, spain)
    french = _draft(app, accounts.create(Role.SUBMITTER, country="FR"))
    login(client, spain)
    for _ in range(2):  # the second read of the request goes with the session's
        assert client.get(f"/requests/{spanish}/offences").status_code == 200
    assert client.get(f"/requests/{french}/offences").status_code == 404
    with session(app) as db:  # moved to the French authority while signed in
        moved = db.get(User, spain.id)
        assert moved is not None
        moved.authority_id = accounts.authority("FR")
    assert client.get(f"/requests/{spanish}/offences").status_code == 404
    assert client.get(f"/requests/{french}/offences").status_code == 200
    assert client.get(f"/requests/{spanish}/offences").status_code == 404


def test_a_request_read_with_the_session_is_the_one_the_view_shows(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    """Each address names its own request, and the page shows that one."""
    spain = accounts.create(Role.SUBMITTER, country="ES")
    first, second = _draft(app, spain), _draft(app, spain)
    login(client, spain)
    client.get(f"/requests/{first}/offences")
    for public_id in (second, first, second):
        page = client.get(f"/requests/{public_id}/offences")
        assert page.status_code == 200
        other = first if public_id == second else second
        assert f'href="/requests/{public_id}">' in page.text  # its task list
        assert f'href="/requests/{other}">' not in page.text
    assert client.get("/requests/no-such-request/offences").status_code == 404


def _round_trips(app: Flask, client: FlaskClient, url: str, trace: Path) -> list[str]:
    """What the app waited for to answer ``url`` (200), traced on each connection it took."""
    engine = app.extensions["portal.db"].engine
    tracing: list[Any] = []

    def checkout(driver: object, _record: object, _proxy: object) -> None:
        tracing.append(traced(driver, trace))
        tracing[-1].__enter__()

    def checkin(_driver: object, _record: object) -> None:
        tracing.pop().__exit__(None, None, None)

    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    try:
        page = client.get(url)
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)
    assert page.status_code == 200
    return round_trips(trace)


def test_a_change_made_elsewhere_shows_on_the_next_page(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    """A save by a Core UPDATE (as save_draft does) or by another process between two views:
    the second view shows what the database holds."""
    spain = accounts.create(Role.SUBMITTER, country="ES")
    public_id = _draft(app, spain)
    login(client, spain)
    page = client.get(f"/requests/{public_id}/authority")
    assert page.status_code == 200 and "Ana Fresh-Contact" not in page.text
    with session(app) as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        content = json.loads(row.draft_json)
        authority = content.setdefault("requesting_authority", {})
        authority.setdefault("contact", {})["name"] = "Ana Fresh-Contact"
        db.execute(update(MlaRequest).where(MlaRequest.id == row.id)
                   .values(draft_json=json.dumps(content), revision=row.revision + 1))
    page = client.get(f"/requests/{public_id}/authority")
    assert page.status_code == 200 and "Ana Fresh-Contact" in page.text


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_a_page_of_a_request_costs_five_round_trips(
        app: Flask, client: FlaskClient, accounts: Accounts, tmp_path: Path) -> None:
    """BEGIN (a simple query: psycopg waits for it); the session with its user; the request,
    read once the user is known; the audit chain's lock and head, then the recorded view
    (signed in the portal: the audit key never goes to the database) with the COMMIT. The
    user is not read again (an instance the session held weakly)."""
    spain = accounts.create(Role.SUBMITTER, country="ES")
    spanish = _draft(app, spain)
    login(client, spain)
    client.get(f"/requests/{spanish}/offences")
    trips = _round_trips(app, client, f"/requests/{spanish}/offences", tmp_path / "trace")
    assert trips == ["Query", "Sync", "Sync", "Sync", "Sync"], (tmp_path / "trace").read_text()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_a_package_view_costs_six_round_trips(
        app: Flask, client: FlaskClient, accounts: Accounts, tmp_path: Path) -> None:
    """BEGIN, the session with its user (and the reference data's version, the unread
    notifications), the request, the page's reads together (its open ask for documents
    among them), the audit chain's lock and head, the recorded view with the COMMIT: the
    same the first time and the next."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    staff = accounts.create(Role.TRIAGE)
    settings: Settings = app.extensions["portal.settings"]
    with session(app) as db:
        public_id = make_submitted(db, settings, user(db, submitter), content("ES")).public_id
    login(client, staff)
    client.get("/triage")  # (the session's user is known: the request is read with it)
    for name in ("first", "again"):
        trips = _round_trips(app, client, f"/triage/{public_id}", tmp_path / name)
        assert trips == ["Query"] + ["Sync"] * 5, (tmp_path / name).read_text()
