"""Who hears of what happens to a request, as it happens (handlers of the domain events,
connected by portal.wiring, run in the change's own transaction)."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from portal import events
from portal.accounts.models import Role, User
from portal.config import Settings
from portal.notify.sending import Notice, send
from portal.requests.models import MlaRequest, Status
from portal.triage.models import Portfolio, TriageEntry

ANY_COUNTRY = "*"


def _staff() -> Select[User]:
    return select(User).where(User.role == Role.TRIAGE.value, User.active.is_(True))


def portfolio_holders(db: Session, country: str) -> list[User]:
    """The active OIA attorneys whose portfolio covers ``country`` (or every country)."""
    return list(db.scalars(
        _staff().join(Portfolio, Portfolio.user_id == User.id)
        .where(or_(Portfolio.country == country.upper(), Portfolio.country == ANY_COUNTRY))
        .distinct().order_by(User.id)))


def staff_of(db: Session, user_id: int | None) -> User | None:
    """The active OIA user with ``user_id`` (None for anyone else)."""
    if user_id is None:
        return None
    return db.scalar(_staff().where(User.id == user_id))


def responsible(db: Session, entry: TriageEntry) -> list[User]:
    """The request's attorney; while unassigned, those whose portfolio covers its country."""
    assignee = staff_of(db, entry.assignee_id)
    return [assignee] if assignee is not None else portfolio_holders(db, entry.country)


def _notify_all(db: Session, settings: Settings, users: list[User], notice: Notice) -> None:
    for user in users:
        send(db, settings, user, notice)


def on_submitted(db: Session, event: events.RequestSubmitted) -> None:
    """A request (or a new version of it) reached the queue: its country's portfolio."""
    request = db.get(MlaRequest, event.request_id)
    entry = db.get(TriageEntry, event.request_id)
    if request is None or entry is None or request.training:
        return
    notice = Notice("submitted", request.public_id, request.reference or "",
                    f"v{event.version_number}")
    _notify_all(db, event.settings, portfolio_holders(db, entry.country), notice)


def _someone(db: Session, request: MlaRequest) -> list[User]:
    """The request's attorney, else its portfolio, else all of OIA (never left unheard)."""
    entry = db.get(TriageEntry, request.id)
    users = responsible(db, entry) if entry is not None else []
    return users or list(db.scalars(_staff().order_by(User.id)))


def on_message(db: Session, event: events.MessageFromRequester) -> None:
    """A message from the requester."""
    request = db.get(MlaRequest, event.request_id)
    if request is None:
        return
    notice = Notice("message", request.public_id, request.reference or "",
                    f"m{event.message_id}")
    _notify_all(db, event.settings, _someone(db, request), notice)


def on_status_changed(db: Session, event: events.RequestStatusChanged) -> None:
    """The requesting authority withdrew a request (the only change this event carries that
    OIA did not make itself)."""
    request = db.get(MlaRequest, event.request_id)
    if request is None or request.training or request.status != Status.WITHDRAWN.value:
        return
    notice = Notice("withdrawn", request.public_id, request.reference or "", "withdrawn")
    _notify_all(db, event.settings, _someone(db, request), notice)


def on_assigned(db: Session, event: events.RequestAssigned) -> None:
    """The new assignee (not when they assigned it to themselves)."""
    if event.assignee_id == event.actor_id:
        return
    request = db.get(MlaRequest, event.request_id)
    assignee = staff_of(db, event.assignee_id)
    if request is None or assignee is None:
        return
    send(db, event.settings, assignee, Notice("assigned", request.public_id,
                                              request.reference or "", f"e{event.event_id}"))
