"""Queueing e-mail in the outbox and delivering it: over SMTP when ``PORTAL_SMTP_URL`` is set,
else as ``.eml`` files under ``<data dir>/outbox/``; a message is marked sent only once
delivered, and a failure is retried on the next run. Delivery is a background job (``portal
worker``), enqueued with the message and every few minutes for the retries."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from contextlib import AbstractContextManager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.jobs import schedule
from portal.jobs.queue import JobContext, enqueue, handler
from portal.mail.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


DELIVER = "mail.deliver"


def queue(db: Session, *, to: str, subject: str, body: str, locale: str, kind: str
          ) -> OutboxEmail:
    """Add a message to the outbox in the caller's transaction."""
    message = OutboxEmail(to_addr=to, subject=subject, body=body, locale=locale, kind=kind)
    db.add(message)
    enqueue(db, DELIVER)
    return message


def build_message(row: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_addr
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mla-portal.invalid")
    message["Content-Language"] = row.locale.replace("_", "-")
    message.set_content(row.body)
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    # (smtplib's own default context checks no certificate: the server's is verified here)
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30,
                                                context=context)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _write_eml(directory: Path, row: OutboxEmail, message: EmailMessage) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{row.created_at:%Y%m%dT%H%M%S}-{row.id:08d}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(message))
    temporary.replace(path)
    return path


def deliver_pending(session_factory: Callable[[], AbstractContextManager[Session]],
                    settings: Settings, limit: int = 100) -> int:
    """Send what is waiting in the outbox; returns how many were delivered."""
    delivered = 0
    with session_factory() as db:
        ids = list(db.scalars(
            select(OutboxEmail.id).where(OutboxEmail.sent_at.is_(None),
                                         OutboxEmail.attempts < MAX_ATTEMPTS)
            .order_by(OutboxEmail.id).limit(limit)
        ))
    for message_id in ids:
        with session_factory() as db:
            query = select(OutboxEmail).where(OutboxEmail.id == message_id,
                                              OutboxEmail.sent_at.is_(None))
            if db.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = db.scalar(query)
            if row is None:
                continue
            row.attempts += 1
            try:
                message = build_message(row, settings.mail_from)
                if settings.smtp_url:
                    _send_smtp(settings.smtp_url, message)
                else:
                    path = _write_eml(settings.data_dir / "outbox", row, message)
                    log.info("e-mail %s to %s written to %s", row.kind, row.to_addr, path)
            except (OSError, smtplib.SMTPException) as exc:
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("e-mail %s to %s failed: %s", row.id, row.to_addr, exc)
                continue
            row.sent_at = utcnow()
            row.last_error = ""
            delivered += 1
    return delivered


@handler(DELIVER)
def _deliver(context: JobContext, _payload: dict[str, object]) -> None:
    deliver_pending(lambda: transaction(context.engine), context.settings)


schedule.every(DELIVER, 300)  # the retries of messages that failed
