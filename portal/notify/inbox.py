"""A user's notifications in the portal: the unread count (the header's badge), the list, and
marking them read; each query is restricted to the user's own rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.notify.models import Notification

LIST_LIMIT = 200
#: Built once: the badge reads it on every page of OIA staff.
_UNREAD = (select(func.count()).select_from(Notification)
           .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_of(user_id: Any) -> Any:
    """The unread count of the user whose id is ``user_id`` (a column), as a column to read
    with a page's first query (portal.web.context)."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


def unread_count(db: Session, user_id: int) -> int:
    return int(db.scalar(_UNREAD, {"user_id": user_id}) or 0)


def recent(db: Session, user_id: int, limit: int = LIST_LIMIT) -> list[Notification]:
    """The user's notifications, unread first, the newest first."""
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.read_at.is_not(None),
                                     Notification.created_at.desc(), Notification.id.desc())
                           .limit(limit)))


def mark_read(db: Session, user_id: int, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` (all when None) read; how many were unread."""
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    done = db.execute(query.values(read_at=utcnow())
                      .execution_options(synchronize_session=False))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
