"""The request an address names is read with the session, in one round trip, as the session's
user read requests last time (portal.web.context); the guess is checked against the user then
read, so a user whose access changed never gets a request read for who they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.accounts.models import Role, User
from portal.requests import drafts
from tests.conftest import PG_URL, Accounts, login
from tests.triage.conftest import session, user


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


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's wire protocol (SQLite has no round trip)")
def test_a_page_of_a_request_costs_three_round_trips(
        app: Flask, client: FlaskClient, accounts: Accounts, tmp_path: Path) -> None:
    """The request's look-up used to cost a round trip of its own; its user is not read again
    either (an instance the session held weakly)."""
    from psycopg.pq import Trace  # (PostgreSQL only)

    spain = accounts.create(Role.SUBMITTER, country="ES")
    spanish = _draft(app, spain)
    login(client, spain)
    client.get(f"/requests/{spanish}/offences")
    engine = app.extensions["portal.db"].engine
    trace = tmp_path / "trace.txt"
    with trace.open("w") as out:
        def traced(driver: object, _record: object, _proxy: object) -> None:
            driver.pgconn.trace(out.fileno())  # type: ignore[attr-defined]
            driver.pgconn.set_trace_flags(  # type: ignore[attr-defined]
                Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)

        def untraced(driver: object, _record: object) -> None:
            driver.pgconn.untrace()  # type: ignore[attr-defined]

        event.listen(engine.pool, "checkout", traced)
        event.listen(engine.pool, "checkin", untraced)
        try:
            page = client.get(f"/requests/{spanish}/offences")
        finally:
            event.remove(engine.pool, "checkout", traced)
            event.remove(engine.pool, "checkin", untraced)
    assert page.status_code == 200
    # each line: F (sent) or B (received), the length, the message and its fields
    sent = [line.split("\t")[2].split(" ")[0] for line in trace.read_text().splitlines()
            if line.startswith("F\t")]
    # BEGIN (in a pipeline: psycopg waits for it); the session, its user and the request;
    # the recorded view with the COMMIT
    assert [kind for kind in sent if kind in ("Sync", "Query")] == ["Sync", "Sync", "Sync"], (
        trace.read_text())
