"""The message thread of a request, and status notifications to the requesting authority.

Messages are case content: they are stored and shown in the portal only. Each new message and
each status change sends an e-mail, in each recipient's own language, that only says something
happened, with a link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal import events
from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.db_reads import Read, one, read_together
from portal.mail import messages, outbox
from portal.requests.models import MlaRequest, RequestEvent, RequestMessage, Status

MAX_MESSAGE = 10_000


class MessageRefused(ValueError):
    pass


#: Built once (a statement keeps its cache key; building it per page cost more than running it).
#: Plain columns with the author's name: no user object loaded per message.
_MESSAGES = (select(RequestMessage.id, RequestMessage.from_oia, RequestMessage.at,
                    RequestMessage.body, User.name.label("author_name"))
             .outerjoin(User, User.id == RequestMessage.author_id)
             .where(RequestMessage.request_id == bindparam("request_id"))
             .order_by(RequestMessage.at, RequestMessage.id))


def messages_read(request_id: int) -> Read[list[Any]]:
    """The thread, oldest first: rows of id, from_oia, at, body and author_name."""
    return one(_MESSAGES, {"request_id": request_id}, list)


def list_messages(db: Session, request: MlaRequest) -> list[Any]:
    messages: list[Any] = read_together(db, messages_read(request.id))[0]
    return messages


def post_message(db: Session, settings: Settings, author: User, request: MlaRequest,
                 body: str, *, ip: str = "") -> RequestMessage:
    """Add a message (the caller has checked that ``author`` may see ``request``)."""
    text = body.strip()
    if not text or len(text) > MAX_MESSAGE:
        raise MessageRefused(text[:20])
    if request.status_enum is Status.DRAFT or request.training:
        raise MessageRefused("draft or practice request")  # OIA never hears of practice
    from_oia = author.role_enum is Role.TRIAGE
    message = RequestMessage(request_id=request.id, author_id=author.id, from_oia=from_oia,
                             body=text)
    db.add(message)
    db.flush()
    record(db, "request.message_posted", actor_id=author.id, actor=author.email, ip=ip,
           object_type="request", object_id=request.public_id, details={"message": message.id})
    if from_oia:  # news for the authority: its lists (and the API's updated_since) show it
        request.updated_at = message.at or utcnow()
        notify(db, authority_users(db, request), messages.new_message, request,
               f"{settings.base_url}/requests/{request.public_id}")
        events.publish(db, events.MessageToRequester(request.id, message.id, settings))
    else:  # OIA's staff as each chose (portal.notify): the attorney, else the portfolio
        events.publish(db, events.MessageFromRequester(request.id, message.id, settings))
    return message


CLOSED = frozenset({Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN})


def withdraw(db: Session, settings: Settings, user: User, request: MlaRequest, reason: str, *,
             ip: str = "") -> None:
    """The requesting authority withdraws a submitted request, with a reason."""
    text = reason.strip()
    if not text or len(text) > MAX_MESSAGE:
        raise MessageRefused("reason")
    if request.status_enum is Status.DRAFT or request.status_enum in CLOSED or request.training:
        raise MessageRefused("status")
    previous = request.status
    request.status = Status.WITHDRAWN.value
    request.updated_at = utcnow()  # a change of status: "My requests" and the API's polling
    db.add(RequestEvent(request_id=request.id, actor_id=user.id, kind="withdrawn",
                        from_status=previous, to_status=Status.WITHDRAWN.value, note=text))
    record(db, "request.withdrawn", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id)
    events.publish(db, events.RequestStatusChanged(request.id, settings))


def authority_users(db: Session, request: MlaRequest) -> list[User]:
    return list(db.scalars(select(User).where(User.authority_id == request.authority_id,
                                              User.active.is_(True),
                                              User.role == Role.SUBMITTER.value)))


def notify(db: Session, recipients: list[User], template: Callable[..., messages.Mail],
           request: MlaRequest, link: str) -> None:
    """Queue one e-mail per recipient, in the recipient's language, without case content."""
    for user in recipients:
        locale = user.locale or "en"
        mail = template(locale, name=user.name, reference=request.reference or "", link=link)
        outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body, locale=locale,
                     kind=template.__name__)
