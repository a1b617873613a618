"""Scheduled clean-up of the accounts' records that serve for a while only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from portal.accounts.models import LoginAttempt
from portal.db import transaction, utcnow
from portal.jobs.queue import JobContext, handler
from portal.jobs.schedule import every

#: Sign-in attempts are kept this long for an administrator's look at recent activity; every
#: attempt is also in the audit log, which keeps it for good.
LOGIN_ATTEMPT_DAYS = 90

PRUNE_LOGIN_ATTEMPTS = "accounts.prune_login_attempts"


@handler(PRUNE_LOGIN_ATTEMPTS)
def prune_login_attempts(context: JobContext, _payload: dict[str, object]) -> None:
    before = utcnow() - timedelta(days=LOGIN_ATTEMPT_DAYS)
    with transaction(context.engine) as db:
        db.execute(delete(LoginAttempt).where(LoginAttempt.at < before))


every(PRUNE_LOGIN_ATTEMPTS, 86_400)
