"""portal.db_reads: reads sent together (one psycopg pipeline on PostgreSQL, SQLAlchemy Core
one after another on SQLite) give the rows SQLAlchemy gives, with the same processed values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Float, bindparam, cast, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from portal.accounts.models import Authority, Role, User
from portal.db_reads import Entity, Read, one, read_together
from portal.requests.models import MlaRequest
from portal.triage.models import TriageEntry
from tests.conftest import PG_URL, Accounts
from tests.triage.conftest import content, make_submitted, session

_ENTRY = (select(TriageEntry.request_id, TriageEntry.status, TriageEntry.is_open,
                 TriageEntry.submitted_at, TriageEntry.urgency_date, TriageEntry.weight,
                 TriageEntry.referral_due, User.name.label("assignee_name"))
          .outerjoin(User, User.id == TriageEntry.assignee_id)
          .where(TriageEntry.request_id == bindparam("request_id")))
_USERS = (select(User.id, User.public_id, User.active, User.created_at,
                 Authority.name.label("authority_name"))
          .outerjoin(Authority, Authority.id == User.authority_id)
          .where(User.role == bindparam("role"))
          .order_by(User.id))
_TOTALS = select(func.count().label("count"),
                 func.sum(cast(TriageEntry.weight, Float)).label("weight"),
                 func.max(TriageEntry.submitted_at).label("latest"))
_NOTHING = select(User.id).where(User.id == bindparam("user_id"))


def _made(app: Flask, accounts: Accounts) -> int:
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    accounts.create(Role.SUBMITTER, country="MX")
    settings = app.extensions["portal.settings"]
    with session(app) as db:
        user = db.scalar(select(User).where(User.public_id == submitter.public_id))
        assert user is not None
        request = make_submitted(db, settings, user, content("ES", urgent="2031-05-04"))
        request_id = request.id
        db.commit()
    return request_id


def test_rows_are_those_sqlalchemy_gives(app: Flask, accounts: Accounts) -> None:
    request_id = _made(app, accounts)
    reads: list[tuple[Any, dict[str, Any]]] = [
        (_ENTRY, {"request_id": request_id}), (_USERS, {"role": Role.SUBMITTER.value}),
        (_TOTALS, {}), (_NOTHING, {"user_id": -1})]
    with session(app) as db:
        together = read_together(db, *(one(statement, params, list)
                                        for statement, params in reads))
        expected = [[tuple(row) for row in db.execute(statement, params)]
                    for statement, params in reads]
    assert [[tuple(row) for row in rows] for rows in together] == expected
    entry = together[0][0]
    # the columns' keys name the fields; the values are processed as SQLAlchemy does
    assert entry.request_id == request_id and entry.is_open is True
    assert isinstance(entry.submitted_at, datetime) and entry.submitted_at.utcoffset() is not None
    assert entry.urgency_date == date(2031, 5, 4) and entry.assignee_name is None
    assert [row.authority_name for row in together[1]] and together[3] == []
    assert together[2][0].count == 1 and together[2][0].latest == entry.submitted_at


def test_a_read_of_several_statements_makes_one_value(app: Flask, accounts: Accounts) -> None:
    request_id = _made(app, accounts)

    def make(entries: list[Any], users: list[Any]) -> tuple[str, int]:
        return entries[0].status, len(users)

    with session(app) as db:
        value, alone = read_together(
            db, Read(((_ENTRY, {"request_id": request_id}),
                      (_USERS, {"role": Role.SUBMITTER.value})), make),
            one(_NOTHING, {"user_id": -1}, len))
    assert value == ("submitted", 2) and alone == 0


def test_pending_changes_are_read(app: Flask, accounts: Accounts) -> None:
    request_id = _made(app, accounts)
    with session(app) as db:
        request = db.get(MlaRequest, request_id)
        entry = db.get(TriageEntry, request_id)
        assert request is not None and entry is not None
        entry.status = "assigned"  # not flushed yet
        [rows] = read_together(db, one(_ENTRY, {"request_id": request_id}, list))
        assert rows[0].status == "assigned"
        db.rollback()


def test_in_lists_of_the_statement_are_written_out(app: Flask, accounts: Accounts) -> None:
    accounts.create(Role.SUBMITTER, country="ES")
    accounts.create(Role.TRIAGE)
    statement = (select(User.id, User.role).where(User.role.in_(["triage", "admin"]))
                 .order_by(User.id))
    with session(app) as db:
        [rows] = read_together(db, one(statement, {}, list))
        assert [tuple(row) for row in rows] == [tuple(row) for row in db.execute(statement)]
        assert rows and {row.role for row in rows} == {"triage"}


def test_in_lists_given_when_the_statement_runs_are_refused(app: Flask) -> None:
    given = select(User.id).where(User.role.in_(bindparam("roles", expanding=True)))
    with_key = select(User.id).where(User.role.in_(["triage"]),
                                     User.id == bindparam("user_id"))
    with session(app) as db:
        for statement, params in ((given, {"roles": ["triage"]}), (with_key, {"user_id": 1})):
            with pytest.raises(ValueError, match="IN list"):
                read_together(db, one(statement, params, list))


def test_fields_of_columns_of_one_name_are_those_of_sqlalchemy(app: Flask,
                                                               accounts: Accounts) -> None:
    accounts.create(Role.SUBMITTER, country="ES")
    statement = select(User.id, Authority.id, User.name, Authority.name).join(Authority)
    with session(app) as db:
        [[row]] = read_together(db, one(statement, {}, list))
        expected = db.execute(statement).one()
    assert row._fields == expected._fields == ("id", "id_1", "name", "name_1")
    assert tuple(row) == tuple(expected)


@pytest.mark.skipif(not PG_URL, reason="the pipeline is PostgreSQL's")
def test_a_failed_read_raises_what_sqlalchemy_raises_and_the_connection_recovers(
        app: Flask, accounts: Accounts) -> None:
    request_id = _made(app, accounts)
    failing = select((TriageEntry.weight / (TriageEntry.weight - TriageEntry.weight))
                     .label("ratio"))
    with pytest.raises(DBAPIError, match="division by zero"), session(app) as db:
        read_together(db, one(_ENTRY, {"request_id": request_id}, list),
                      one(failing, {}, list))
    with session(app) as db:  # the pool's connection, rolled back, serves the next reads
        [rows] = read_together(db, one(_ENTRY, {"request_id": request_id}, list))
        assert rows[0].request_id == request_id


@pytest.mark.skipif(not PG_URL, reason="the pipeline is PostgreSQL's")
def test_the_plan_setting_of_the_reads_is_put_back(app: Flask, accounts: Accounts) -> None:
    request_id = _made(app, accounts)
    with session(app) as db:
        before = db.execute(text("SHOW plan_cache_mode")).scalar_one()
        read_together(db, one(_ENTRY, {"request_id": request_id}, list))
        assert db.execute(text("SHOW plan_cache_mode")).scalar_one() == before == "auto"
        # reads planned for their values, around and between lookups by key
        mixed = read_together(
            db, one(_USERS, {"role": Role.SUBMITTER.value}, len, generic=False),
            one(_ENTRY, {"request_id": request_id}, len),
            one(_TOTALS, {}, len, generic=False), one(_NOTHING, {"user_id": -1}, len))
        assert mixed == [2, 1, 1, 0]
        assert db.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"
        # what each read runs with
        mode = select(func.current_setting("plan_cache_mode").label("mode"))
        seen = read_together(db, *(one(mode, {}, lambda rows: rows[0].mode, generic=generic)
                                   for generic in (False, True, True, False, True)))
        assert seen == ["force_custom_plan", "force_generic_plan", "force_generic_plan",
                        "force_custom_plan", "force_generic_plan"]
        assert db.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"


def test_an_entity_row_makes_the_instance_a_query_loads(app: Flask, accounts: Accounts) -> None:
    """Entity.load: the attributes a query would load, persistent and unchanged; a change is
    flushed as an UPDATE of that row; relationships load when used; the session's own
    instance is given when it has one."""
    request_id = _made(app, accounts)
    requests = Entity.of(MlaRequest)
    users = Entity.of(User, "user_")
    both = (select(*requests.columns, *users.columns)
            .join(User, User.id == MlaRequest.created_by_id)
            .where(MlaRequest.id == bindparam("request_id")))
    with session(app) as db:
        queried = db.get(MlaRequest, request_id)
        assert queried is not None
        expected = {key: getattr(queried, key) for key in requests.keys}
        creator_id = queried.created_by_id
        authority_name = queried.authority.name
    with session(app) as db:
        row = read_together(db, one(both, {"request_id": request_id}, list))[0][0]
        creator = users.load(db, row)
        loaded = requests.load(db, row)
        state = inspect(loaded)
        assert state.persistent and not db.dirty and not db.new
        assert {key: getattr(loaded, key) for key in requests.keys} == expected
        assert creator.id == creator_id and creator.authority_id is not None
        assert loaded.authority.name == authority_name  # loaded when used
        assert loaded.versions and loaded.versions[0].request is loaded
        assert requests.load(db, row) is loaded  # the session's own instance
        loaded.progress_json = '{"facts": "done"}'
        assert list(db.dirty) == [loaded]
        db.commit()
    with session(app) as db:
        again = db.get(MlaRequest, request_id)
        assert again is not None and again.progress_json == '{"facts": "done"}'
        assert again.revision == expected["revision"] and again.draft_json == expected[
            "draft_json"]
