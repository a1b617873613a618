"""Duplicate detection on normalized keys across open requests, and the caseload suggestion."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.config import Settings
from portal.requests import normalize
from portal.requests.models import MlaRequest, Status
from portal.triage import caseload, duplicates
from portal.triage import operations as ops
from portal.triage.models import TriageEntry
from tests.conftest import Account, Accounts
from tests.triage.conftest import content, make_submitted, session, user


def test_normal_forms() -> None:
    assert normalize.email("  Juan.Perez@Example.COM ") == "juan.perez@example.com"
    assert normalize.phone("+34 (91) 123-45.67") == normalize.phone("0034911234567")
    assert normalize.ip("2001:0db8:0000::0001") == "2001:db8::1"
    assert normalize.account("es91 2100 0418 4502 0005 1332") == "ES9121000418450200051332"
    assert normalize.person("GARCÍA LÓPEZ, María") == normalize.person("maria garcia lopez")
    assert normalize.other("https://www.Example.com/u/") == "example.com/u"


def _flag(app: Flask, rid: int) -> bool:
    with session(app) as db:
        entry = db.get(TriageEntry, rid)
        assert entry is not None
        return entry.duplicate


def test_duplicates_across_countries_and_forms(app: Flask, settings_obj: Settings,
                                               accounts: Accounts) -> None:
    es = accounts.create(Role.SUBMITTER, country="ES")
    mx = accounts.create(Role.SUBMITTER, country="MX")
    with session(app) as db:
        a = make_submitted(db, settings_obj, user(db, es), content(
            "ES", persons=("José Álvarez Núñez",),
            identifiers=(("email", "Target@Mail.example", ""),
                         ("ip", "203.0.113.5", "2026-03-01T10:00:00+01:00"))))
        b = make_submitted(db, settings_obj, user(db, mx), content(
            "MX", persons=("NUNEZ, Jose Alvarez",),
            identifiers=(("email", "target@mail.example", ""),)))
        c = make_submitted(db, settings_obj, user(db, mx), content(
            "MX", identifiers=(("ip", "203.0.113.5", "2026-03-01T20:00:00+00:00"),)))
        d = make_submitted(db, settings_obj, user(db, mx), content(
            "MX", identifiers=(("ip", "203.0.113.5", "2026-03-09T09:00:00Z"),)))
        e = make_submitted(db, settings_obj, user(db, mx), content(
            "MX", types=("financial_records",), accounts=("DE89 3704 0044 0532 0130 00",)))
        f = make_submitted(db, settings_obj, user(db, es), content(
            "ES", types=("financial_records",), accounts=("de89370400440532013000",)))
        g = make_submitted(db, settings_obj, user(db, es), content("ES", persons=("Nobody",)))
        ids = {k: r.id for k, r in zip("abcdefg", (a, b, c, d, e, f, g), strict=True)}
    with session(app) as db:
        found = duplicates.find(db, ids["a"], settings_obj)
        kinds = {(d.kind, d.other_id) for d in found}
        assert ("email", ids["b"]) in kinds and ("person", ids["b"]) in kinds
        assert ("ip", ids["c"]) in kinds  # 11 h apart, window 24 h
        assert all(d.other_id != ids["d"] for d in found)  # a week apart
        other = next(d for d in found if d.other_id == ids["b"])
        assert other.other_country == "MX" and other.other_public_id
    assert [_flag(app, ids[k]) for k in "abcdefg"] == [True, True, True, False, True, True,
                                                       False]
    # closing b leaves a flagged (c remains); closing c too clears a
    with session(app) as db:
        for key in ("b", "c"):
            req = db.get(MlaRequest, ids[key])
            assert req is not None
            req.status = Status.WITHDRAWN.value
            from portal.triage import intake

            intake.sync_status(db, req, settings=settings_obj)
    assert not _flag(app, ids["a"]) and not _flag(app, ids["b"])


def test_suggestion_lightest_weighted_load_in_portfolio(app: Flask, settings_obj: Settings,
                                                        accounts: Accounts,
                                                        manager: Account) -> None:
    es = accounts.create(Role.SUBMITTER, country="ES")
    busy = accounts.create(Role.TRIAGE)
    light = accounts.create(Role.TRIAGE)
    other = accounts.create(Role.TRIAGE)
    with session(app) as db:
        caseload.set_portfolio(db, user(db, manager), user(db, busy), ["es", "FR"])
        caseload.set_portfolio(db, user(db, manager), user(db, light), ["ES"])
        caseload.set_portfolio(db, user(db, manager), user(db, other), ["DE"])
        # busy: one stored_content (2) + real_time (3) = 5; light: three subscriber_info = 3
        heavy = make_submitted(db, settings_obj, user(db, es), content(
            types=("stored_content", "real_time")), status=Status.IN_TRIAGE)
        ops.assign(db, settings_obj, user(db, manager), heavy, user(db, busy))
        for _ in range(3):
            small = make_submitted(db, settings_obj, user(db, es), content(),
                                   status=Status.IN_TRIAGE)
            ops.assign(db, settings_obj, user(db, manager), small, user(db, light))
    with session(app) as db:
        suggestion = caseload.suggest(db, "ES")
        assert suggestion.covered and suggestion.best is not None
        assert suggestion.best.user.id == light.id
        assert suggestion.best.weight == 3 and suggestion.best.count == 3
        assert [c.user.id for c in suggestion.candidates] == [light.id, busy.id]
        assert next(c for c in suggestion.candidates if c.user.id == busy.id).weight == 5
        nobody = caseload.suggest(db, "JP")
        assert not nobody.covered and nobody.best is not None
        assert nobody.best.weight == 0  # the idle attorneys come first
        loads = {load.user.id: load.weight for load in caseload.loads(db)}
        assert loads[busy.id] == 5 and loads[other.id] == 0
        assert db.scalar(select(TriageEntry.weight).where(TriageEntry.request_id == heavy.id)
                         ) == 5


def _summed(db: Any) -> dict[int, tuple[int, float]]:
    """Each attorney's load added up from the queue, as the kept table must say."""
    rows = db.execute(select(TriageEntry.assignee_id, func.count(), func.sum(TriageEntry.weight))
                      .where(TriageEntry.assignee_id.is_not(None), TriageEntry.is_open.is_(True),
                             TriageEntry.status != Status.RETURNED.value)
                      .group_by(TriageEntry.assignee_id))
    return {row[0]: (row[1], float(row[2])) for row in rows}


def _kept(db: Any) -> dict[int, tuple[int, float]]:
    return {load.user.id: (load.count, load.weight) for load in caseload.loads(db)
            if load.count or load.weight}


def test_loads_kept_through_a_requests_life(app: Flask, settings_obj: Settings,
                                            accounts: Accounts, manager: Account) -> None:
    es = accounts.create(Role.SUBMITTER, country="ES")
    first = accounts.create(Role.TRIAGE)
    second = accounts.create(Role.TRIAGE)
    steps: list[dict[int, tuple[int, float]]] = []
    with session(app) as db:
        boss = user(db, manager)
        heavy = make_submitted(db, settings_obj, user(db, es), content(
            types=("stored_content", "real_time")), status=Status.IN_TRIAGE)
        light = make_submitted(db, settings_obj, user(db, es), content(),
                               status=Status.IN_TRIAGE)
        ops.assign(db, settings_obj, boss, heavy, user(db, first))
        ops.assign(db, settings_obj, boss, light, user(db, first))
        steps.append(_kept(db))
        ops.assign(db, settings_obj, boss, heavy, user(db, second))  # moves from first
        steps.append(_kept(db))
        ops.return_for_deficiency(db, settings_obj, boss, light, [], "Say which account.")
        steps.append(_kept(db))  # a returned request waits for the requester: not counted
        ops.decline(db, settings_obj, boss, heavy, "political_offence", "")
        steps.append(_kept(db))
        assert _kept(db) == _summed(db)
    assert steps == [{first.id: (2, 6.0)}, {first.id: (1, 1.0), second.id: (1, 5.0)},
                     {second.id: (1, 5.0)}, {}]
    with session(app) as db:
        caseload.recount_loads(db)
        assert _kept(db) == _summed(db) == {}


def test_loads_count_two_assignments_at_once(app: Flask, settings_obj: Settings,
                                             accounts: Accounts, manager: Account) -> None:
    """Two staff assign to the same attorney in overlapping transactions: both count."""
    es = accounts.create(Role.SUBMITTER, country="ES")
    attorney = accounts.create(Role.TRIAGE)
    with session(app) as db:
        ids = [make_submitted(db, settings_obj, user(db, es), content(),
                              status=Status.IN_TRIAGE).id for _ in range(2)]

    def assign(request_id: int) -> None:
        with session(app) as db:
            ops.assign(db, settings_obj, user(db, manager), db.get(MlaRequest, request_id),
                       user(db, attorney))

    with session(app) as db:
        ops.assign(db, settings_obj, user(db, manager), db.get(MlaRequest, ids[0]),
                   user(db, attorney))
        other = threading.Thread(target=assign, args=(ids[1],))
        other.start()  # waits for this transaction's lock, then counts on top of it
        other.join(0.3)
    other.join(30)
    assert not other.is_alive()
    with session(app) as db:
        assert _kept(db) == _summed(db) == {attorney.id: (2, 2.0)}
