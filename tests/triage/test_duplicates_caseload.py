"""Duplicate detection on normalized keys across open requests, and the caseload suggestion."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import Settings
from portal.requests.models import MlaRequest, Status
from portal.triage import caseload, duplicates, normalize
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
