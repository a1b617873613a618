"""Sending one notification to one user, once: the record of what was sent is claimed first
(a unique key: user, kind, subject, period), then the notification is shown in the portal and,
as the user chose, e-mailed at once or kept for the daily digest; all in the caller's
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.config import Settings
from portal.mail import messages, outbox
from portal.notify.models import Notification, NotificationSent
from portal.notify.preferences import DIGEST, IMMEDIATE, OFF, Preference, preferences_of


@dataclass(frozen=True)
class Notice:
    """What a notification is about: a request (its public id and reference, never its
    content), what makes it new (``period``) and, for reminders, a date."""

    kind: str
    public_id: str
    reference: str
    period: str
    date: str = ""


def claim(db: Session, user_id: int, kind: str, subject: str, period: str) -> bool:
    """Record that this was sent; False when it already was (by anyone, ever)."""
    make = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    inserted = db.execute(
        make(NotificationSent).values(user_id=user_id, kind=kind, subject=subject,
                                      period=period)
        .on_conflict_do_nothing().returning(NotificationSent.id)).scalar()
    return inserted is not None


def request_link(settings: Settings, public_id: str) -> str:
    return f"{settings.base_url}/triage/{public_id}"


def send(db: Session, settings: Settings, user: User, notice: Notice,
         preference: Preference | None = None) -> bool:
    """Notify ``user`` of ``notice`` as they chose; False when off or already sent."""
    chosen = preference or preferences_of(db, user.id)[notice.kind]
    if chosen.delivery == OFF or not user.active:
        return False
    if not claim(db, user.id, notice.kind, notice.public_id, notice.period):
        return False
    db.add(Notification(user_id=user.id, kind=notice.kind, request_public_id=notice.public_id,
                        reference=notice.reference[:32],
                        digest_pending=chosen.delivery == DIGEST and chosen.email))
    if chosen.delivery == IMMEDIATE and chosen.email:
        locale = user.locale or "en"
        mail = messages.staff_notification(locale, notice.kind, reference=notice.reference,
                                           link=request_link(settings, notice.public_id),
                                           date=notice.date)
        outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body, locale=locale,
                     kind=f"notify.{notice.kind}")
    return True
