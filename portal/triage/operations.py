"""The triage state machine (:data:`TRANSITIONS`, :func:`next_status`) and the actions of OIA
staff: each changes the status once (compare-and-set), records an event, an audit record and
OIA's internal note, keeps the queue entry in step and tells the requester when it must."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import events
from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.i18n_core import N_
from portal.mail import messages
from portal.reference import recorded_reference, store
from portal.requests import thread
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion, Status
from portal.rules import RULES_BY_CODE, default_context, evaluate
from portal.triage import intake, targets, versions
from portal.triage.models import Referral, TriageEntry, TriageNote, TriageReturn, TriageReturnItem

MAX_NOTE = 10_000


class Action(StrEnum):
    OPEN = "open"
    ASSIGN = "assign"
    RETURN = "return"
    ACCEPT = "accept"
    DECLINE = "decline"
    REFER = "refer"
    EXECUTE = "execute"
    COMPLETE = "complete"
    REOPEN = "reopen"


S = Status
TRANSITIONS: Mapping[Action, Mapping[Status, Status]] = {
    Action.OPEN: {S.SUBMITTED: S.IN_TRIAGE},
    # assigning a submitted request opens it; in other states it only changes the assignee
    # (accepted -> assigned is the step of the life of a request)
    Action.ASSIGN: {S.SUBMITTED: S.IN_TRIAGE, S.IN_TRIAGE: S.IN_TRIAGE, S.ACCEPTED: S.ASSIGNED,
                    S.ASSIGNED: S.ASSIGNED, S.REFERRED: S.REFERRED,
                    S.IN_EXECUTION: S.IN_EXECUTION},
    Action.RETURN: {S.IN_TRIAGE: S.RETURNED, S.ASSIGNED: S.RETURNED},
    Action.ACCEPT: {S.IN_TRIAGE: S.ACCEPTED},
    Action.DECLINE: {S.IN_TRIAGE: S.DECLINED, S.ASSIGNED: S.DECLINED},
    Action.REFER: {S.ASSIGNED: S.REFERRED},
    Action.EXECUTE: {S.ASSIGNED: S.IN_EXECUTION, S.REFERRED: S.IN_EXECUTION},
    Action.COMPLETE: {S.REFERRED: S.COMPLETED, S.IN_EXECUTION: S.COMPLETED},
    Action.REOPEN: {S.COMPLETED: S.IN_TRIAGE, S.DECLINED: S.IN_TRIAGE, S.WITHDRAWN: S.IN_TRIAGE},
}
MANAGER_ONLY = frozenset({Action.REOPEN})
#: Actions whose note is for OIA only.
INTERNAL = frozenset({Action.OPEN, Action.ASSIGN, Action.REFER, Action.EXECUTE})
#: Actions the requesting authority is told about by e-mail.
NOTIFIES = frozenset({Action.RETURN, Action.ACCEPT, Action.DECLINE, Action.REFER,
                      Action.EXECUTE, Action.COMPLETE, Action.REOPEN})

#: Reasons to decline (code -> English label, translated by the views).
DECLINE_REASONS: Mapping[str, str] = {
    "first_amendment": N_("Protected speech (First Amendment)"),
    "political_offence": N_("Political offence"),
    "military_offence": N_("Purely military offence"),
    "no_response": N_("No response to a return for deficiency"),
    "no_dual_criminality": N_("No dual criminality"),
    "de_minimis": N_("Minor matter (de minimis)"),
    "essential_interests": N_("Essential interests of the United States"),
    "other": N_("Other reason"),
}


class TriageError(RuntimeError):
    """Base of the refusals of an action."""


class IllegalTransition(TriageError):
    """The action is not possible from the request's status (or not for this user)."""

    def __init__(self, action: str, status: str, manager_only: bool = False) -> None:
        super().__init__(f"{action} not allowed from {status}")
        self.action = action
        self.status = status
        self.manager_only = manager_only


class Conflict(TriageError):
    """Someone changed the request's status meanwhile."""


class Invalid(TriageError):
    """The action's input is incomplete (the view checks first; this is the last guard)."""


def next_status(action: Action | str, status: Status | str, *, manager: bool = False) -> Status:
    """The status ``action`` leads to from ``status``, or :class:`IllegalTransition`."""
    try:
        act = Action(action)
        current = Status(status)
    except ValueError:
        raise IllegalTransition(str(action), str(status)) from None
    target = TRANSITIONS[act].get(current)
    if target is None:
        raise IllegalTransition(act.value, current.value)
    if act in MANAGER_ONLY and not manager:
        raise IllegalTransition(act.value, current.value, manager_only=True)
    return target


def allowed_actions(status: Status | str, *, manager: bool = False) -> list[Action]:
    out = []
    for action in Action:
        try:
            next_status(action, status, manager=manager)
        except IllegalTransition:
            continue
        out.append(action)
    return out


@dataclass(frozen=True)
class Done:
    action: Action
    from_status: Status
    to_status: Status
    event_id: int


def _staff(actor: User) -> None:
    if actor.role != Role.TRIAGE.value:
        raise PermissionError("triage actions are for OIA staff")


def _clean(note: str) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise Invalid("note too long")
    return text


def _transition(db: Session, settings: Settings, actor: User, request: MlaRequest,
                action: Action, *, note: str = "", message: str = "", reason: str = "",
                kind: str | None = None, ip: str = "",
                details: Mapping[str, object] | None = None) -> Done:
    """``note``: OIA's internal note (never shown to the requester); ``message``: what the
    requester reads on their timeline, as written (not for OIA's internal actions)."""
    _staff(actor)
    note, message = _clean(note), _clean(message)
    current = Status(request.status)
    target = next_status(action, current, manager=actor.is_manager)
    now = utcnow()
    changed = db.execute(
        update(MlaRequest).where(MlaRequest.id == request.id, MlaRequest.status == current.value)
        .values(status=target.value, updated_at=now)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(request.public_id)
    request.status = target.value
    internal = action in INTERNAL
    event = RequestEvent(request_id=request.id, actor_id=actor.id, at=now,
                         kind=kind or _event_kind(action, current, target),
                         from_status=current.value, to_status=target.value,
                         note="" if internal else message)
    db.add(event)
    db.flush()
    if note or reason:
        db.add(TriageNote(event_id=event.id, note=note, reason=reason))
    record(db, f"triage.{action.value}", actor_id=actor.id, actor=actor.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"from": current.value, "to": target.value, **dict(details or {})})
    entry = _entry(db, request, settings)
    if entry.first_action_at is None:
        entry.first_action_at = now
    targets.record_action(entry, now, target.value, settings.targets,
                          reopened=action is Action.REOPEN)
    if current is Status.REFERRED and target is not Status.REFERRED:
        _close_referrals(db, request, now)
    intake.sync_status(db, request, settings=settings, at=now)
    if action in NOTIFIES and target is not current:
        thread.notify(db, thread.authority_users(db, request), messages.request_status_changed,
                      request, f"{settings.base_url}/requests/{request.public_id}")
    if target is not current:
        events.publish(db, events.TriageStatusChanged(request.id, current.value, target.value,
                                                      settings))
    return Done(action, current, target, event.id)


def note_step(db: Session, request: MlaRequest, at: datetime, settings: Settings) -> None:
    """An OIA step that leaves the status as it is (an ask for documents): a first action."""
    entry = db.get(TriageEntry, request.id)
    if entry is None:
        return
    if entry.first_action_at is None:
        entry.first_action_at = at
    targets.record_action(entry, at, request.status, settings.targets)


def _event_kind(action: Action, current: Status, target: Status) -> str:
    if action is Action.OPEN:
        return "opened"
    if action is Action.ASSIGN:
        return "assigned" if current in (Status.SUBMITTED, Status.ACCEPTED) else "reassigned"
    if action is Action.REOPEN:
        return "reopened"
    return target.value


def _entry(db: Session, request: MlaRequest, settings: Settings) -> TriageEntry:
    entry = db.get(TriageEntry, request.id)
    if entry is None:
        intake.rebuild(db, [request.id], settings=settings)
        entry = db.get(TriageEntry, request.id)
    if entry is None:
        raise Invalid("request has no submitted version")
    return entry


def _close_referrals(db: Session, request: MlaRequest, now: datetime) -> None:
    db.execute(update(Referral).where(Referral.request_id == request.id,
                                      Referral.closed_at.is_(None))
               .values(closed_at=now).execution_options(synchronize_session=False))


# ------------------------------------------------------------------------------------ actions

def open_request(db: Session, settings: Settings, actor: User, request: MlaRequest, *,
                 note: str = "", ip: str = "") -> Done:
    return _transition(db, settings, actor, request, Action.OPEN, note=note, ip=ip)


def assign(db: Session, settings: Settings, actor: User, request: MlaRequest, assignee: User,
           *, note: str = "", ip: str = "") -> Done:
    if assignee.role != Role.TRIAGE.value or not assignee.active:
        raise Invalid("the assignee must be an active OIA triage user")
    entry = _entry(db, request, settings)
    previous = entry.assignee_id
    done = _transition(db, settings, actor, request, Action.ASSIGN, note=note, ip=ip,
                       details={"assignee": assignee.public_id, "previous": previous})
    entry.assignee_id = assignee.id
    db.flush()
    events.publish(db, events.RequestAssigned(request.id, assignee.id, actor.id, done.event_id,
                                              settings))
    return done


def return_for_deficiency(db: Session, settings: Settings, actor: User, request: MlaRequest,
                          finding_keys: list[str], notes: str, *, ip: str = "") -> Done:
    """Return with the chosen findings (``code@path`` keys of the latest version's findings
    or of the triage rules) and notes; the requester sees each finding in their language."""
    notes = _clean(notes)
    if not finding_keys and not notes:
        raise Invalid("choose at least one finding or write a note")
    version = intake.latest_version(db, request)
    if version is None:
        raise Invalid("request has no submitted version")
    chosen = _chosen_findings(version, finding_keys)
    done = _transition(db, settings, actor, request, Action.RETURN, message=notes, ip=ip,
                       details={"findings": [f"{c}@{p}" for c, p, _ in chosen],
                                "version": version.number})
    entry = _entry(db, request, settings)
    ret = TriageReturn(request_id=request.id, version=version.number, actor_id=actor.id,
                       country=entry.country, notes=notes)
    db.add(ret)
    db.flush()
    for code, path, params in chosen:
        db.add(TriageReturnItem(return_id=ret.id, code=code, path=path[:200],
                                params_json=json.dumps(params, ensure_ascii=False)))
    db.flush()
    return done


def _chosen_findings(version: RequestVersion, keys: list[str]
                     ) -> list[tuple[str, str, dict[str, str]]]:
    """(code, path, message parameters) of the chosen keys; the parameters are recomputed
    from the frozen content with the engine (the version stores codes and paths only)."""
    wanted: list[tuple[str, str]] = []
    for key in keys:
        code, _sep, path = key.partition("@")
        if code not in RULES_BY_CODE:
            raise Invalid(f"unknown rule {code}")
        if (code, path) not in wanted:
            wanted.append((code, path))
    if not wanted:
        return []
    content = versions.content_of_version(version)
    context = default_context(today=version.submitted_at.date(),
                              reference=recorded_reference(version.reference_version))
    params = {(f.code, f.path): dict(f.params) for f in evaluate(content, context)}
    return [(code, path, params.get((code, path), {})) for code, path in wanted]


def accept(db: Session, settings: Settings, actor: User, request: MlaRequest, *,
           note: str = "", message: str = "", ip: str = "") -> Done:
    return _transition(db, settings, actor, request, Action.ACCEPT, note=note,
                       message=message, ip=ip)


def decline(db: Session, settings: Settings, actor: User, request: MlaRequest, reason: str,
            text: str, *, ip: str = "") -> Done:
    if reason not in DECLINE_REASONS:
        raise Invalid("unknown decline reason")
    if reason == "other" and not text.strip():
        raise Invalid("explain the other reason")
    return _transition(db, settings, actor, request, Action.DECLINE, message=text,
                       reason=reason, ip=ip, details={"reason": reason})


def refer(db: Session, settings: Settings, actor: User, request: MlaRequest, district: str,
          due: date, *, note: str = "", ip: str = "", today: date | None = None) -> Done:
    code = district.strip().upper()
    if code not in store.current(db).districts:
        raise Invalid("unknown district")
    if due < (today or utcnow().date()):
        raise Invalid("the due date is in the past")
    done = _transition(db, settings, actor, request, Action.REFER, note=note, ip=ip,
                       details={"district": code, "due": due.isoformat()})
    db.add(Referral(request_id=request.id, district=code, due_date=due, actor_id=actor.id,
                    referred_at=utcnow()))
    entry = _entry(db, request, settings)
    entry.referral_district = code
    entry.referral_due = due
    db.flush()
    return done


def start_execution(db: Session, settings: Settings, actor: User, request: MlaRequest, *,
                    note: str = "", ip: str = "") -> Done:
    return _transition(db, settings, actor, request, Action.EXECUTE, note=note, ip=ip)


def complete(db: Session, settings: Settings, actor: User, request: MlaRequest, *,
             note: str = "", message: str = "", ip: str = "") -> Done:
    return _transition(db, settings, actor, request, Action.COMPLETE, note=note,
                       message=message, ip=ip)


def reopen(db: Session, settings: Settings, actor: User, request: MlaRequest, note: str, *,
           ip: str = "") -> Done:
    if not note.strip():
        raise Invalid("say why the request is reopened")
    return _transition(db, settings, actor, request, Action.REOPEN, message=note, ip=ip)

