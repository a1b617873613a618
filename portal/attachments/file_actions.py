"""File actions tied to the outcome of a session's transaction: a new file is deleted if the
transaction rolls back, a file whose row is deleted is removed only once that deletion commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING_KEY = "portal.attachments.pending"


def _pending(db: Session) -> dict[str, list[Callable[[], Any]]]:
    pending: dict[str, list[Callable[[], Any]]] | None = db.info.get(_PENDING_KEY)
    if pending is None:
        pending = {"commit": [], "rollback": []}
        db.info[_PENDING_KEY] = pending
        event.listen(db, "after_commit", _run_pending("commit"))
        event.listen(db, "after_rollback", _run_pending("rollback"))
    return pending


def _run_pending(outcome: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        pending = session.info.get(_PENDING_KEY)
        if not pending:
            return
        actions = list(pending[outcome])
        pending["commit"].clear()
        pending["rollback"].clear()
        for action in actions:
            try:
                action()
            except Exception:  # a leftover file is logged, never an error for the user
                log.exception("attachment file action after %s failed", outcome)
    return run


def on_commit(db: Session, action: Callable[[], Any]) -> None:
    _pending(db)["commit"].append(action)


def on_rollback(db: Session, action: Callable[[], Any]) -> None:
    _pending(db)["rollback"].append(action)
