"""The queue's search (the request search document, see tests/requests/test_search.py) with the
queue's filters and keyset pages, kept up to date at resubmission, and its pages: the triage
queue and "My requests" with their search box, the note on short words and page links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.contract.model import Request
from portal.requests import drafts
from portal.triage import queue
from tests.conftest import Account, Accounts, login
from tests.triage.conftest import make_submitted, resubmit, session, user

NOW = datetime.now(UTC)


def _body(country: str, *, cases: tuple[str, ...] = (), persons: tuple[str, ...] = (),
          offences: tuple[str, ...] = ()) -> dict[str, Any]:
    return Request.from_dict({
        "requesting_authority": {"name": "Authority", "country": country,
                                 "case_references": list(cases)},
        "persons": [{"name": p, "role": "suspect"} for p in persons],
        "offences": [{"name": {"text": o}} for o in offences],
        "assistance": [{"type": "subscriber_info", "description": {"text": "x"}}],
    }).to_dict(omit_defaults=True)


def _ids(rows: list[queue.Row]) -> list[int]:
    return [r.request_id for r in rows]


def test_queue_search_with_filters_pages_and_resubmission(
        app: Flask, settings_obj: Settings, accounts: Accounts, staff: Account) -> None:
    es = accounts.create(Role.SUBMITTER, country="ES")
    fr = accounts.create(Role.SUBMITTER, country="FR")
    with session(app) as db:
        made = {
            "dp": make_submitted(db, settings_obj, user(db, es), _body(
                "ES", cases=("DP 1834/2026",), persons=("José García López",)),
                at=NOW - timedelta(days=3)),
            "garcia_fr": make_submitted(db, settings_obj, user(db, fr), _body(
                "FR", persons=("Marie Garcia",), offences=("Escroquerie en bande organisée",)),
                at=NOW - timedelta(days=2)),
            "garcia_es": make_submitted(db, settings_obj, user(db, es), _body(
                "ES", persons=("Lucía García Martínez",)), at=NOW - timedelta(days=1)),
        }
        ids = {k: r.id for k, r in made.items()}
        reference = made["garcia_fr"].reference
        me = user(db, staff)

        def found(**kw: Any) -> list[int]:
            return _ids(queue.page(db, me, queue.Filters(**kw)).rows)

        assert found(q="DP 1834/2026") == [ids["dp"]]
        assert found(q="1834/2026") == [ids["dp"]]
        assert found(q=reference or "") == [ids["garcia_fr"]]
        assert found(q="garcia") == [ids["dp"], ids["garcia_fr"], ids["garcia_es"]]
        assert found(q="garcía", country="ES") == [ids["dp"], ids["garcia_es"]]
        assert found(q="garc mart") == [ids["garcia_es"]]
        assert found(q="escroq organisee") == [ids["garcia_fr"]]
        assert found(q="dp") == [ids["dp"]]
        assert queue.Filters(q="dp").short_search and not queue.Filters(q="dp 183").short_search
        # keyset pages of a search: each request once, in the queue's order
        seen, after = [], None
        while True:
            page = queue.page(db, me, queue.Filters(q="garcia"), after=after, size=1)
            seen += _ids(page.rows)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == [ids["dp"], ids["garcia_fr"], ids["garcia_es"]]
        # a resubmission with another name: found by the new one only
        resubmit(db, settings_obj, made["dp"], _body("ES", cases=("DP 1834/2026",),
                                                     persons=("Olga Nowak",)))
        assert found(q="nowak 1834") == [ids["dp"]]
        assert found(q="lopez") == []


def test_the_pages_search_box_note_and_page_links(app: Flask, client: FlaskClient,
                                                  accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER, country="ES")
    stranger = accounts.create(Role.SUBMITTER, country="FR")
    with session(app) as db:
        for index in range(52):
            drafts.create_draft(db, user(db, author), Request.from_dict({
                "requesting_authority": {"case_references": [f"DP {index}/2026"]},
                "persons": [{"name": "Ana Dubois" if index % 2 else "Kenji Tanaka"}]}))
        drafts.create_draft(db, user(db, stranger), Request.from_dict({
            "persons": [{"name": "Ana Dubois"}]}))
    login(client, author)
    first = client.get("/requests")
    assert first.status_code == 200
    assert 'name="q"' in first.text and first.text.count("/requests/") >= 50
    assert 'rel="next"' in first.text  # 53 requests, no cap: a second page
    nxt = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(nxt)
    assert second.status_code == 200 and "First page" in second.text
    assert 'rel="next"' not in second.text
    searched = client.get("/requests", query_string={"q": "dubo"})
    assert searched.text.count("DP ") == 26  # the authority's 26, not the stranger's
    assert 'rel="next"' not in searched.text
    assert "fewer than 3 characters" not in searched.text
    short = client.get("/requests", query_string={"q": "dp 7"})
    assert "fewer than 3 characters" in short.text
    assert "DP 7/2026" in short.text and "DP 17/2026" not in short.text
    nothing = client.get("/requests", query_string={"q": "zzzz"})
    assert "No request matches your search." in nothing.text
    with session(app) as db:
        searches = db.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "requests.searched")).all()
        assert len(searches) == 3 and '"dubo"' in searches[0]


def test_the_queue_page_explains_short_searches(client: FlaskClient, staff: Account) -> None:
    login(client, staff)
    page = client.get("/triage", query_string={"q": "dp"})
    assert page.status_code == 200
    assert "fewer than 3 characters" in page.text
    assert "fewer than 3 characters" not in client.get("/triage?q=garcia").text
