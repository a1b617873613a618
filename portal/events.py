"""Domain events: a domain says what happened; the domains that care subscribe.

Requests announce a submission or a change of status without importing triage or packages, so
imports run one way. Handlers run at once, in the publisher's transaction (a failure rolls the
whole change back); ``portal.wiring`` connects them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from portal.config import Settings

E = TypeVar("E")
Handler = Callable[[Session, Any], None]


@dataclass(frozen=True)
class RequestSubmitted:
    """A request's version was submitted (first time or again after a return)."""

    request_id: int
    version_number: int
    settings: Settings


@dataclass(frozen=True)
class DocumentsAdded:
    """The requesting authority sent documents OIA asked for: a minor version (``version_id``)
    of the submitted request."""

    request_id: int
    version_id: int
    settings: Settings


@dataclass(frozen=True)
class DocumentsAsked:
    """OIA asked the requesting authority for documents (an action of OIA's for its service
    targets, though the status stays)."""

    request_id: int
    at: datetime
    settings: Settings


@dataclass(frozen=True)
class RequestStatusChanged:
    """A request changed status outside triage's own actions (a withdrawal)."""

    request_id: int
    settings: Settings


@dataclass(frozen=True)
class TriageStatusChanged:
    """An action of OIA's staff moved a request from one status to another (not an
    assignment that keeps the status)."""

    request_id: int
    from_status: str
    to_status: str
    settings: Settings


@dataclass(frozen=True)
class MessageToRequester:
    """OIA wrote to the requesting authority on a request (a message, or an ask for
    documents)."""

    request_id: int
    message_id: int
    settings: Settings


@dataclass(frozen=True)
class MessageFromRequester:
    """The requesting authority wrote a message on a request (OIA's staff hear of it)."""

    request_id: int
    message_id: int
    settings: Settings


@dataclass(frozen=True)
class RequestAssigned:
    """OIA assigned a request to one of its attorneys (``event_id``: the timeline event)."""

    request_id: int
    assignee_id: int
    actor_id: int
    event_id: int
    settings: Settings


_HANDLERS: defaultdict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call ``handler(session, event)`` for every ``event_type`` published (once per handler)."""
    if handler not in _HANDLERS[event_type]:
        _HANDLERS[event_type].append(handler)


def publish(db: Session, event: object) -> None:
    """Run the event's handlers in order, in ``db``'s transaction."""
    for handler in list(_HANDLERS[type(event)]):
        handler(db, event)


def subscribers(event_type: type) -> list[Handler]:
    return list(_HANDLERS[event_type])
