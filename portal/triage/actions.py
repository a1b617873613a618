"""One entry point for OIA's actions on a request, from the answers of the action's form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.config import Settings
from portal.requests.models import MlaRequest
from portal.triage import caseload, operations
from portal.triage.operations import Action, Done, Invalid


@dataclass(frozen=True)
class Answers:
    """What an action's form asked; each action reads the answers it needs."""

    note: str = ""  # OIA's internal note (the reason, for a reopening)
    message: str = ""  # to the requester (accept, complete)
    assignee: str = ""  # an attorney's public id
    findings: list[str] = field(default_factory=list)  # code@path keys to return
    notes: str = ""  # to the requester, with a return
    district: str = ""
    due: date | None = None
    reason: str = ""  # a decline reason's code
    text: str = ""  # the decline's explanation to the requester


def perform(db: Session, settings: Settings, actor: User, request: MlaRequest, action: Action,
            answers: Answers, *, ip: str = "") -> Done:
    """Do ``action`` in the caller's transaction; refused with :class:`operations.TriageError`."""
    if action is Action.ASSIGN:
        assignee = caseload.attorney(db, answers.assignee)
        if assignee is None:
            raise Invalid("no such attorney")
        return operations.assign(db, settings, actor, request, assignee, note=answers.note,
                                 ip=ip)
    if action is Action.RETURN:
        return operations.return_for_deficiency(db, settings, actor, request,
                                                list(answers.findings), answers.notes, ip=ip)
    if action is Action.REFER:
        if answers.due is None:
            raise Invalid("a referral needs a due date")
        return operations.refer(db, settings, actor, request, answers.district, answers.due,
                                note=answers.note, ip=ip)
    if action is Action.DECLINE:
        return operations.decline(db, settings, actor, request, answers.reason, answers.text,
                                  ip=ip)
    if action is Action.REOPEN:
        return operations.reopen(db, settings, actor, request, answers.note, ip=ip)
    if action is Action.ACCEPT:
        return operations.accept(db, settings, actor, request, note=answers.note,
                                 message=answers.message, ip=ip)
    if action is Action.COMPLETE:
        return operations.complete(db, settings, actor, request, note=answers.note,
                                   message=answers.message, ip=ip)
    if action is Action.OPEN:
        return operations.open_request(db, settings, actor, request, note=answers.note, ip=ip)
    return operations.start_execution(db, settings, actor, request, note=answers.note, ip=ip)
