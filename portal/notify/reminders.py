"""The daily run (``portal triage remind`` and the scheduled job ``notify.remind``): referrals
due soon or overdue, urgency dates approaching, then each user's digest of what waited for it.
Each reminder and digest is claimed in the record of what was sent, so a second run the same
day, or a second worker, sends nothing again."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.config import Settings
from portal.db import transaction, utcnow
from portal.i18n_core import get_translations
from portal.jobs import schedule
from portal.jobs.queue import JobContext, handler
from portal.mail import messages, outbox
from portal.notify.models import Notification
from portal.notify.preferences import KINDS
from portal.notify.sending import Notice, claim, request_link, send
from portal.notify.triggers import responsible, staff_of
from portal.requests.models import MlaRequest
from portal.triage.models import Referral, TriageEntry

REMIND = "notify.remind"
DIGEST_KIND = "digest"
#: References listed in a digest (the counts cover everything).
DIGEST_LINES = 50


@dataclass
class Report:
    """What a run sent: (user's e-mail, kind, reference) per notification; digests sent."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    digests: int = 0


def _send(db: Session, settings: Settings, users: list[User], notice: Notice,
          report: Report) -> None:
    for user in users:
        if send(db, settings, user, notice):
            report.sent.append((user.email, notice.kind, notice.reference))


def referral_reminders(db: Session, settings: Settings, today: date, report: Report) -> None:
    """Open referrals due within ``notify_referral_days``, or overdue: the request's attorney,
    else whoever referred it."""
    horizon = today + timedelta(days=settings.notify_referral_days)
    rows = db.execute(
        select(Referral, TriageEntry, MlaRequest.public_id)
        .join(TriageEntry, TriageEntry.request_id == Referral.request_id)
        .join(MlaRequest, MlaRequest.id == Referral.request_id)
        .where(Referral.closed_at.is_(None), TriageEntry.is_open.is_(True),
               Referral.due_date <= horizon)
        .order_by(Referral.due_date, Referral.id))
    for referral, entry, public_id in rows:
        kind = "referral_overdue" if referral.due_date < today else "referral_due"
        user = staff_of(db, entry.assignee_id) or staff_of(db, referral.actor_id)
        notice = Notice(kind, public_id, entry.reference, f"r{referral.id}",
                        referral.due_date.isoformat())
        _send(db, settings, [user] if user is not None else [], notice, report)


def urgency_reminders(db: Session, settings: Settings, today: date, report: Report) -> None:
    """Open requests needed within ``notify_urgency_days``: the attorney, else the portfolio
    (once per urgency date: a request given a new date is reminded again)."""
    horizon = today + timedelta(days=settings.notify_urgency_days)
    rows = db.execute(
        select(TriageEntry, MlaRequest.public_id)
        .join(MlaRequest, MlaRequest.id == TriageEntry.request_id)
        .where(TriageEntry.is_open.is_(True), TriageEntry.urgency_date.is_not(None),
               TriageEntry.urgency_date >= today, TriageEntry.urgency_date <= horizon)
        .order_by(TriageEntry.urgency_date, TriageEntry.request_id))
    for entry, public_id in rows:
        due = entry.urgency_date.isoformat() if entry.urgency_date else ""
        notice = Notice("urgency", public_id, entry.reference, due, due)
        _send(db, settings, responsible(db, entry), notice, report)


def _digest_lines(locale: str, rows: list[Notification], settings: Settings) -> str:
    t = get_translations(locale)
    counts = Counter(row.kind for row in rows)
    lines = [f"- {t.gettext(KINDS.get(kind, kind))}: {count}"
             for kind, count in sorted(counts.items(), key=lambda pair: list(KINDS).index(
                 pair[0]) if pair[0] in KINDS else len(KINDS))]
    lines.append("")
    lines += [f"{row.reference or row.request_public_id} "
              f"({t.gettext(KINDS.get(row.kind, row.kind))}): "
              f"{request_link(settings, row.request_public_id)}"
              for row in rows[:DIGEST_LINES]]
    return "\n".join(lines)


def send_digests(db: Session, settings: Settings, today: date) -> int:
    """One e-mail per user per day with what waited for the digest."""
    sent = 0
    user_ids = list(db.scalars(select(Notification.user_id)
                               .where(Notification.digest_pending.is_(True))
                               .distinct().order_by(Notification.user_id)))
    for user_id in user_ids:
        user = db.get(User, user_id)
        if user is None or not claim(db, user_id, DIGEST_KIND, "", today.isoformat()):
            continue
        rows = list(db.scalars(select(Notification)
                               .where(Notification.user_id == user_id,
                                      Notification.digest_pending.is_(True))
                               .order_by(Notification.created_at, Notification.id)))
        db.execute(update(Notification)
                   .where(Notification.id.in_([row.id for row in rows]))
                   .values(digest_pending=False).execution_options(synchronize_session=False))
        if not user.active:
            continue
        locale = user.locale or "en"
        mail = messages.staff_digest(locale, lines=_digest_lines(locale, rows, settings),
                                     link=f"{settings.base_url}/triage/notifications")
        outbox.queue(db, to=user.email, subject=mail.subject, body=mail.body, locale=locale,
                     kind="notify.digest")
        sent += 1
    return sent


def remind(db: Session, settings: Settings, today: date | None = None) -> Report:
    """The day's reminders, then the digests, in ``db``'s transaction."""
    day = today or utcnow().date()
    report = Report()
    referral_reminders(db, settings, day, report)
    urgency_reminders(db, settings, day, report)
    db.flush()
    report.digests = send_digests(db, settings, day)
    return report


@handler(REMIND)
def _remind(context: JobContext, _payload: dict[str, object]) -> None:
    with transaction(context.engine) as db:
        remind(db, context.settings)


schedule.every(REMIND, 86400)  # once per UTC day, whatever the number of workers
