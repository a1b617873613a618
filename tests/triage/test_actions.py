"""Every action through the services: allowed transitions write the event, the audit record,
the queue entry and the notification; refused ones change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.mail.models import OutboxEmail
from portal.requests.models import MlaRequest, RequestEvent, Status
from portal.triage import operations as ops
from portal.triage.models import Referral, TriageEntry, TriageNote, TriageReturn
from tests.conftest import Account, Accounts
from tests.triage.conftest import content, make_submitted, session, user

FINDINGS = [
    {"code": "GEN-CONTACT", "severity": "blocker", "path": "requesting_authority.contact",
     "acknowledgement": ""},
    {"code": "ELEC-IP-TIME", "severity": "warning", "path": "assistance[0].identifiers[0]",
     "acknowledgement": "The provider keeps the time zone."},
]


def _request(app: Flask, settings: Settings, submitter: Account,
             status: Status = Status.SUBMITTED) -> int:
    with session(app) as db:
        req = make_submitted(db, settings, user(db, submitter), content(), findings=FINDINGS,
                             status=status)
        return req.id


def _mails(app: Flask) -> int:
    """E-mails to requesting authorities (OIA's own notifications apart: tests/notify)."""
    with session(app) as db:
        return int(db.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(~OutboxEmail.kind.startswith("notify."))) or 0)


def test_full_life_writes_events_audit_entry_and_mail(app: Flask, settings_obj: Settings,
                                                      staff: Account, manager: Account,
                                                      submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es)
    steps = [
        (lambda db, a, r: ops.open_request(db, settings_obj, a, r, note="looking"), "in_triage"),
        (lambda db, a, r: ops.accept(db, settings_obj, a, r, note="fine",
                                     message="Accepted."), "accepted"),
        (lambda db, a, r: ops.assign(db, settings_obj, a, r, user(db, staff),
                                     note="lightest"), "assigned"),
        (lambda db, a, r: ops.refer(db, settings_obj, a, r, "CAN",
                                    date.today() + timedelta(days=30)), "referred"),
        (lambda db, a, r: ops.start_execution(db, settings_obj, a, r), "in_execution"),
        (lambda db, a, r: ops.complete(db, settings_obj, a, r, note="sent"), "completed"),
        (lambda db, a, r: ops.reopen(db, settings_obj, a, r, "more"), "in_triage"),
    ]
    for step, expected in steps:
        before = _mails(app)
        with session(app) as db:
            req = db.get(MlaRequest, rid)
            assert req is not None
            done = step(db, user(db, manager), req)
            assert done.to_status.value == expected
        with session(app) as db:
            req = db.get(MlaRequest, rid)
            entry = db.get(TriageEntry, rid)
            assert req is not None and entry is not None
            assert req.status == expected == entry.status
            assert entry.is_open == (expected != "completed")
            event = db.get(RequestEvent, done.event_id)
            assert event is not None and event.actor_id == manager.id
            assert event.to_status == expected
            audit = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
            assert audit is not None and audit.object_id == req.public_id
            assert audit.action.startswith("triage.")
        notified = done.action in ops.NOTIFIES
        assert (_mails(app) > before) == notified, done.action
    with session(app) as db:
        entry = db.get(TriageEntry, rid)
        assert entry is not None and entry.assignee_id == staff.id
        assert entry.first_action_at is not None
        referral = db.scalar(select(Referral).where(Referral.request_id == rid))
        assert referral is not None and referral.closed_at is not None
        # internal notes stay out of the requester's timeline
        assigned = db.scalar(select(RequestEvent).where(RequestEvent.request_id == rid,
                                                        RequestEvent.kind == "assigned"))
        assert assigned is not None and assigned.note == ""
        assert db.get(TriageNote, assigned.id).note == "lightest"  # type: ignore[union-attr]
        accepted = db.scalar(select(RequestEvent).where(RequestEvent.request_id == rid,
                                                        RequestEvent.kind == "accepted"))
        # the message reaches the requester's timeline; the note stays in OIA
        assert accepted is not None and accepted.note == "Accepted."
        assert db.get(TriageNote, accepted.id).note == "fine"  # type: ignore[union-attr]
        mails = db.scalars(select(OutboxEmail)).all()
        to_oia = [m for m in mails if m.kind.startswith("notify.")]
        assert [(m.to_addr, m.kind) for m in to_oia] == [(staff.email, "notify.assigned")]
        assert all(m.to_addr == submitter_es.email for m in mails if m not in to_oia)
        assert all(m.locale == "es" for m in mails if m not in to_oia)


REFUSED = [
    (Status.SUBMITTED, "accept"), (Status.SUBMITTED, "return"), (Status.SUBMITTED, "complete"),
    (Status.IN_TRIAGE, "refer"), (Status.IN_TRIAGE, "complete"), (Status.ACCEPTED, "accept"),
    (Status.RETURNED, "open"), (Status.COMPLETED, "complete"), (Status.DECLINED, "accept"),
    (Status.WITHDRAWN, "open"), (Status.IN_EXECUTION, "refer"), (Status.REFERRED, "decline"),
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_refused_transitions_change_nothing(app: Flask, settings_obj: Settings, staff: Account,
                                            submitter_es: Account, status: Status,
                                            action: str) -> None:
    rid = _request(app, settings_obj, submitter_es, status)
    calls = {
        "accept": lambda db, a, r: ops.accept(db, settings_obj, a, r),
        "return": lambda db, a, r: ops.return_for_deficiency(db, settings_obj, a, r, [], "x"),
        "complete": lambda db, a, r: ops.complete(db, settings_obj, a, r),
        "refer": lambda db, a, r: ops.refer(db, settings_obj, a, r, "CAN",
                                            date.today() + timedelta(days=3)),
        "open": lambda db, a, r: ops.open_request(db, settings_obj, a, r),
        "decline": lambda db, a, r: ops.decline(db, settings_obj, a, r, "political_offence",
                                                ""),
    }
    with pytest.raises(ops.IllegalTransition), session(app) as db:
        req = db.get(MlaRequest, rid)
        calls[action](db, user(db, staff), req)
    with session(app) as db:
        req = db.get(MlaRequest, rid)
        assert req is not None and req.status == status.value
        assert db.scalar(select(func.count()).select_from(RequestEvent)
                         .where(RequestEvent.request_id == rid)) == 1


def test_reopen_refused_to_non_managers(app: Flask, settings_obj: Settings, staff: Account,
                                        submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es, Status.DECLINED)
    with pytest.raises(ops.IllegalTransition) as info, session(app) as db:
        ops.reopen(db, settings_obj, user(db, staff), db.get(MlaRequest, rid),  # type: ignore[arg-type]
                   "again")
    assert info.value.manager_only


def test_return_stores_findings_with_params_and_notes(app: Flask, settings_obj: Settings,
                                                      staff: Account,
                                                      submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es, Status.IN_TRIAGE)
    keys = [f"{f['code']}@{f['path']}" for f in FINDINGS]
    with session(app) as db:
        ops.return_for_deficiency(db, settings_obj, user(db, staff), db.get(MlaRequest, rid),  # type: ignore[arg-type]
                                  keys, "Please fix both.")
    with session(app) as db:
        ret = db.scalar(select(TriageReturn).where(TriageReturn.request_id == rid))
        assert ret is not None and ret.notes == "Please fix both." and ret.country == "ES"
        assert [(i.code, i.path) for i in ret.items] == [
            ("GEN-CONTACT", "requesting_authority.contact"),
            ("ELEC-IP-TIME", "assistance[0].identifiers[0]")]
        event = db.scalar(select(RequestEvent).where(RequestEvent.kind == "returned"))
        assert event is not None and event.note == "Please fix both."


def test_invalid_inputs_are_refused(app: Flask, settings_obj: Settings, staff: Account,
                                    accounts: Accounts, submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es, Status.IN_TRIAGE)
    with session(app) as db:
        req = db.get(MlaRequest, rid)
        actor = user(db, staff)
        assert req is not None
        with pytest.raises(ops.Invalid):
            ops.return_for_deficiency(db, settings_obj, actor, req, [], "  ")
        with pytest.raises(ops.Invalid):
            ops.return_for_deficiency(db, settings_obj, actor, req, ["NOPE@x"], "")
        with pytest.raises(ops.Invalid):
            ops.decline(db, settings_obj, actor, req, "because", "")
        with pytest.raises(ops.Invalid):
            ops.decline(db, settings_obj, actor, req, "other", "")
        with pytest.raises(ops.Invalid):
            ops.assign(db, settings_obj, actor, req, user(db, submitter_es))
        with pytest.raises(PermissionError):
            ops.accept(db, settings_obj, user(db, submitter_es), req)


def test_refer_checks_district_and_due_date(app: Flask, settings_obj: Settings, staff: Account,
                                            submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es, Status.ASSIGNED)
    with session(app) as db:
        req = db.get(MlaRequest, rid)
        actor = user(db, staff)
        assert req is not None
        with pytest.raises(ops.Invalid):
            ops.refer(db, settings_obj, actor, req, "XX", date.today() + timedelta(days=1))
        with pytest.raises(ops.Invalid):
            ops.refer(db, settings_obj, actor, req, "CAN", date.today() - timedelta(days=1))
        ops.refer(db, settings_obj, actor, req, "nys", date.today() + timedelta(days=1))
        entry = db.get(TriageEntry, rid)
        assert entry is not None and entry.referral_district == "NYS"


def test_concurrent_change_is_a_conflict(app: Flask, settings_obj: Settings, staff: Account,
                                         submitter_es: Account) -> None:
    rid = _request(app, settings_obj, submitter_es)
    with session(app) as db:
        stale = db.get(MlaRequest, rid)
        assert stale is not None
        with session(app) as other:
            ops.open_request(other, settings_obj, user(other, staff),
                             other.get(MlaRequest, rid))  # type: ignore[arg-type]
        with pytest.raises(ops.Conflict):
            ops.open_request(db, settings_obj, user(db, staff), stale)
