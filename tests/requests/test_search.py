"""The request search on the database in use (SQLite: FTS5 trigram; PostgreSQL: pg_trgm):
case numbers with spaces and slashes, accents and other scripts, parts of words, identifiers,
short words, the authority's scope and keyset pages of "My requests"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from portal.accounts.models import Role, User
from portal.contract.model import Request
from portal.db import Database
from portal.requests import drafts, listing, search_text
from portal.requests.models import MlaRequest, RequestSearch
from tests.conftest import Account, Accounts


def _db(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def _user(db: Any, account: Account) -> User:
    user = db.get(User, account.id)
    assert user is not None
    return user


def _content(*, cases: tuple[str, ...] = (), persons: tuple[str, ...] = (),
             identifiers: tuple[tuple[str, str], ...] = (), accounts: tuple[str, ...] = (),
             offences: tuple[str, ...] = ()) -> Request:
    items: list[dict[str, Any]] = []
    if identifiers:
        items.append({"type": "subscriber_info", "provider": "Example",
                      "identifiers": [{"kind": k, "value": v} for k, v in identifiers]})
    if accounts:
        items.append({"type": "financial_records", "accounts": [{"number": n} for n in accounts]})
    return Request.from_dict({
        "requesting_authority": {"name": "Fiscalía", "country": "ES",
                                 "case_references": list(cases)},
        "persons": [{"name": p, "role": "suspect"} for p in persons],
        "offences": [{"name": {"text": o}} for o in offences],
        "assistance": items})


#: name -> content of the requests of the searched authority
REQUESTS = {
    "diligencias": _content(cases=("DP 1834/2026",), persons=("José García López",)),
    "muller": _content(cases=("Az. 71 Js 2/26",), persons=("Jürgen MÜLLER",),
                       offences=("Geldwäsche",)),
    "arabic": _content(persons=("مُحَمَّد عبد الله",)),
    "cyrillic": _content(persons=("Андрей Шевченко",), offences=("Мошенничество",)),
    "phone": _content(identifiers=(("phone", "+34 600-11-22-33"),
                                   ("email", "Jose.Garcia@Mail.example"))),
    "iban": _content(accounts=("ES76 2100 0418 4012 3456 7891",),
                     offences=("Blanqueo de capitales",)),
}


@pytest.fixture()
def seeded(app: Flask, accounts: Accounts) -> tuple[Account, dict[str, str], Account]:
    """The searched submitter with :data:`REQUESTS`, and a submitter of another authority
    whose request holds the same case number and name."""
    mine = accounts.create(Role.SUBMITTER, country="ES")
    other = accounts.create(Role.SUBMITTER, country="FR")
    ids: dict[str, str] = {}
    with _db(app).session() as db:
        for name, content in REQUESTS.items():
            ids[name] = drafts.create_draft(db, _user(db, mine), content).public_id
        ids["other"] = drafts.create_draft(db, _user(db, other), _content(
            cases=("DP 1834/2026",), persons=("José García López",))).public_id
    return mine, ids, other


def _found(app: Flask, account: Account, q: str) -> set[str]:
    with _db(app).session() as db:
        page = listing.list_page(db, _user(db, account), q=q)
        return {r.public_id for r in page.rows}


@pytest.mark.parametrize(("q", "expected"), [
    # the authority's case number, typed whole, in part, with other spacing
    ("DP 1834/2026", {"diligencias"}),
    ("1834/2026", {"diligencias"}),
    ("dp 1834", {"diligencias"}),
    ("DP-1834-2026", {"diligencias"}),
    ("Az. 71 Js 2/26", {"muller"}),
    # accents and case, both ways; several partial words, in any order
    ("Muller", {"muller"}),
    ("müller jürgen", {"muller"}),
    ("garc lop", {"diligencias"}),
    ("LOPEZ jose", {"diligencias"}),
    ("García Lopez Nobody", set()),
    ("محمد", {"arabic"}),
    ("عبد الله", {"arabic"}),
    ("шевченко", {"cyrillic"}),
    ("Шевч андр", {"cyrillic"}),
    # identifiers: a phone as typed elsewhere, an e-mail, an IBAN in parts or whole
    ("0034600112233", {"phone"}),
    ("+34 600 11 22 33", {"phone"}),
    ("600-11-22", {"phone"}),
    ("jose.garcia@mail.example", {"phone"}),
    ("ES7621000418", {"iban"}),
    ("es76 2100 0418 4012 3456 7891", {"iban"}),
    # offence names
    ("blanqueo", {"iban"}),
    ("geldwasche", {"muller"}),
    ("мошенн", {"cyrillic"}),
    # LIKE's wildcards are plain characters
    ("_", set()),
    ("1834%", {"diligencias"}),
])
def test_my_requests_search_finds_what_is_typed(app: Flask, seeded: tuple[Account, dict[str, str],
                                                                         Account],
                                                q: str, expected: set[str]) -> None:
    mine, ids, _other = seeded
    assert _found(app, mine, q) == {ids[name] for name in expected}


def test_short_words_match_the_beginning_of_a_word(app: Flask, seeded: tuple[
        Account, dict[str, str], Account]) -> None:
    mine, ids, _other = seeded
    with _db(app).session() as db:
        page = listing.list_page(db, _user(db, mine), q="dp")
        assert page.short_search
        assert {r.public_id for r in page.rows} == {ids["diligencias"]}
    assert _found(app, mine, "p") == set()  # ("dp" holds a p, but does not begin with one)
    assert _found(app, mine, "js 2") == {ids["muller"]}
    with _db(app).session() as db:
        assert not listing.list_page(db, _user(db, mine), q="dp 1834").short_search


def test_no_request_of_another_authority_is_found(app: Flask, seeded: tuple[
        Account, dict[str, str], Account]) -> None:
    mine, ids, other = seeded
    assert _found(app, mine, "DP 1834/2026") == {ids["diligencias"]}
    assert _found(app, other, "DP 1834/2026") == {ids["other"]}
    assert _found(app, other, "Müller") == set()


def test_a_save_and_a_submission_keep_the_document(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    with _db(app).session() as db:
        request = drafts.create_draft(db, _user(db, author))
        public_id, request_id = request.public_id, request.id
        assert db.get(RequestSearch, request_id) is None  # a blank draft: nothing to find
    assert _found(app, author, "Okafor") == set()
    with _db(app).session() as db:
        request = drafts.get_request(db, _user(db, author), public_id)
        drafts.save_draft(db, _user(db, author), request, _content(persons=("Chidi Okafor",)),
                          request.revision)
    assert _found(app, author, "okaf") == {public_id}
    with _db(app).session() as db:
        request = drafts.get_request(db, _user(db, author), public_id)
        drafts.save_draft(db, _user(db, author), request, _content(persons=("Grace Smith",)),
                          request.revision)
    assert _found(app, author, "okaf") == set()
    assert _found(app, author, "smith") == {public_id}


def test_my_requests_pages_are_stable_and_not_capped(app: Flask, accounts: Accounts) -> None:
    author = accounts.create(Role.SUBMITTER)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with _db(app).session() as db:
        made = [drafts.create_draft(db, _user(db, author), _content(persons=(f"Ana Nowak{i}",)))
                for i in range(7)]
        # the last two changed at the same moment: the id decides between them
        for index, request in enumerate(made):
            db.execute(update(MlaRequest).where(MlaRequest.id == request.id).values(
                updated_at=start + timedelta(hours=min(index, 5))))
        expected = [r.public_id for r in reversed(made)]

    def walk(q: str, *, change_after: int = -1) -> list[str]:
        seen: list[str] = []
        after: str | None = None
        while True:
            with _db(app).session() as db:
                page = listing.list_page(db, _user(db, author), q=q, after=after, size=3)
                seen += [r.public_id for r in page.rows]
                if len(seen) == change_after:  # a request made while paging comes first
                    drafts.create_draft(db, _user(db, author), _content(persons=("Ana Nowak",)))
            if page.next_cursor is None:
                return seen
            after = page.next_cursor

    assert walk("nowak", change_after=3) == expected  # nothing shifted nor shown twice
    assert walk("") == [*_newest(app, author, 1), *expected]
    assert _found(app, author, "nowak6") == {expected[0]}
    assert listing.decode_cursor("not a cursor") is None
    with _db(app).session() as db:  # a broken cursor shows the first page
        first = listing.list_page(db, _user(db, author), after="garbage", size=2)
        assert len(first.rows) == 2 and first.next_cursor is not None


def _newest(app: Flask, account: Account, n: int) -> list[str]:
    with _db(app).session() as db:
        return [r.public_id for r in listing.list_page(db, _user(db, account), size=n).rows]


def test_the_document_is_folded_words_once_each() -> None:
    text = search_text.document("MLA-2026-000042", _content(
        cases=("DP 1834/2026",), persons=("José GARCÍA", "Jose Garcia")))
    assert text == " mla 2026 000042 dp 1834 jose garcia "
    assert search_text.document("", Request()) == " "
    assert search_text.terms("  ").empty
    assert search_text.terms("García  garcía LÓPEZ").alternatives[0] == ("garcia", "lopez")


def test_each_database_uses_its_index() -> None:
    """SQLite asks the FTS5 table for candidates; PostgreSQL's LIKEs use the trigram index;
    a search of short words only has nothing FTS5 can find (a scan of the user's rows)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from portal.requests import search

    statement = search.matching_ids(search_text.terms("garc lop"))
    on_sqlite = str(statement.compile(dialect=sqlite.dialect()))
    on_postgres = str(statement.compile(dialect=postgresql.dialect()))
    assert "request_search_fts MATCH" in on_sqlite and "LIKE" in on_sqlite
    assert "MATCH" not in on_postgres and on_postgres.count("LIKE") == 2
    short = str(search.matching_ids(search_text.terms("dp 7")).compile(
        dialect=sqlite.dialect()))
    assert "MATCH" not in short
    assert search_text.fts_query(search_text.terms("garc dp")) == '("garc")'
