"""The request an address names is read with the session, in one round trip, as the session's
user read requests last time (portal.web.context); the guess is checked against the user then
read, so a user whose access changed never gets a request read for who they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.requests import drafts
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
    """Each address names its own request: the one read with the session is used only for
    it, and a recorded view names it."""
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


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_a_page_of_a_request_costs_three_round_trips(
        app: Flask, client: FlaskClient, accounts: Accounts, tmp_path: Path) -> None:
    """BEGIN (in a pipeline: psycopg waits for it); the session, its user and the request;
    the recorded view with the COMMIT. The request's look-up used to cost a round trip of its
    own; its user is not read again either (an instance the session held weakly)."""
    spain = accounts.create(Role.SUBMITTER, country="ES")
    spanish = _draft(app, spain)
    login(client, spain)
    client.get(f"/requests/{spanish}/offences")
    trips = _round_trips(app, client, f"/requests/{spanish}/offences", tmp_path / "trace")
    assert trips == ["Sync", "Sync", "Sync"], (tmp_path / "trace").read_text()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_a_package_view_shown_before_reads_its_page_with_the_session(
        app: Flask, client: FlaskClient, accounts: Accounts, tmp_path: Path) -> None:
    """The first view of a request in a worker: BEGIN, the session with the request, the
    page's reads, the recorded view with the COMMIT. Then the page's reads go with the
    session's: three round trips."""
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    staff = accounts.create(Role.TRIAGE)
    settings: Settings = app.extensions["portal.settings"]
    with session(app) as db:
        public_id = make_submitted(db, settings, user(db, submitter), content("ES")).public_id
    login(client, staff)
    client.get("/triage")  # (the session's user is known: the request is read with it)
    trips = _round_trips(app, client, f"/triage/{public_id}", tmp_path / "first")
    assert trips == ["Sync", "Sync", "Sync", "Sync"], (tmp_path / "first").read_text()
    trips = _round_trips(app, client, f"/triage/{public_id}", tmp_path / "again")
    assert trips == ["Sync", "Sync", "Sync"], (tmp_path / "again").read_text()
