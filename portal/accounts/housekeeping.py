"""Scheduled clean-up of the accounts' records that serve for a while only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from portal.accounts.models import LoginAttempt, UserSession
from portal.db import transaction, utcnow
from portal.jobs.queue import JobContext, handler
from portal.jobs.schedule import every

#: Sign-in attempts are kept this long for an administrator's look at recent activity; every
#: attempt is also in the audit log, which keeps it for good.
LOGIN_ATTEMPT_DAYS = 90

PRUNE_LOGIN_ATTEMPTS = "accounts.prune_login_attempts"


@handler(PRUNE_LOGIN_ATTEMPTS)
def prune_login_attempts(context: JobContext, _payload: dict[str, object]) -> None:
    """Sign-in attempts past their days, and sessions that can no longer be used (idle or
    too old: their browser never came back to be told), with the addresses they hold."""
    now = utcnow()
    settings = context.settings
    with transaction(context.engine) as db:
        db.execute(delete(LoginAttempt).where(
            LoginAttempt.at < now - timedelta(days=LOGIN_ATTEMPT_DAYS)))
        db.execute(delete(UserSession).where(or_(
            UserSession.last_seen_at < now - timedelta(minutes=settings.session_idle_minutes),
            UserSession.created_at < now - timedelta(hours=settings.session_absolute_hours))))


every(PRUNE_LOGIN_ATTEMPTS, 86_400)
