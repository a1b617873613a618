"""Idempotency keys of the API (draft-ietf-httpapi-idempotency-key-header): a user's key is
claimed by inserting its row in a transaction of its own, so the unique (user, key) decides
which of two concurrent calls does the work; the first answer is then recorded on the row (in
the transaction of the work itself) and replayed to every repeat until the key expires. Rows
past their hours are pruned by a scheduled job."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, UTCDateTime, transaction, utcnow
from portal.jobs.queue import JobContext, handler
from portal.jobs.schedule import every

KEY_MAX = 255
RUNNING = "running"
DONE = "done"
#: A key still running after this long belongs to a process that died without releasing it
#: (longer than the web server lets a call run): it may be claimed again. (A draft can be
#: submitted once whatever happens: its submission is a compare-and-set on its revision.)
ABANDONED_AFTER = timedelta(minutes=15)

PRUNE = "api.prune_idempotency_keys"


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),
                      Index("ix_idempotency_keys_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    #: SHA-256 of the method, path and body of the first call.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=RUNNING)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """``owned``: this call claimed the key and does the work (``row_id``). Otherwise
    ``existing`` is the key's row as another call left it."""

    row_id: int | None = None
    existing: IdempotencyKey | None = None

    @property
    def owned(self) -> bool:
        return self.row_id is not None


def claim(engine: Engine, user_id: int, key: str, print_: str, *, hours: int) -> Claim:
    """Claim ``key`` for ``user_id`` (committed before returning), or the row of the call that
    claimed it first. An expired or abandoned row is deleted and the key claimed anew."""
    for _attempt in range(3):
        try:
            with transaction(engine) as db:
                row = IdempotencyKey(user_id=user_id, key=key, fingerprint=print_,
                                     status=RUNNING, created_at=utcnow())
                db.add(row)
                db.flush()
                return Claim(row_id=row.id)
        except IntegrityError:
            pass
        with transaction(engine) as db:
            existing = db.scalar(select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
            if existing is None:
                continue  # released meanwhile
            now = utcnow()
            expired = existing.created_at < now - timedelta(hours=hours)
            abandoned = existing.status == RUNNING and \
                existing.created_at < now - ABANDONED_AFTER
            if not (expired or abandoned):
                return Claim(existing=existing)
            db.execute(delete(IdempotencyKey).where(IdempotencyKey.id == existing.id,
                                                    IdempotencyKey.status == existing.status))
    raise RuntimeError(f"idempotency key of user {user_id} could not be claimed")


def record_answer(db: Session, row_id: int, status: int, body: str) -> None:
    """Record the answer on the claimed row, in ``db``'s transaction (the work's own: the work
    and its answer commit together)."""
    row = db.get(IdempotencyKey, row_id)
    if row is None:
        raise LookupError(row_id)
    row.status = DONE
    row.response_status = status
    row.response_body = body
    db.flush()


def release(engine: Engine, row_id: int) -> None:
    """Forget a claim whose work failed (nothing of it was committed): the key may be sent
    again."""
    with transaction(engine) as db:
        db.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id,
                                                IdempotencyKey.status == RUNNING))


@handler(PRUNE)
def prune(context: JobContext, _payload: dict[str, object]) -> None:
    """Keys past ``PORTAL_API_IDEMPOTENCY_HOURS``."""
    hours = context.settings.limits.api_idempotency_hours
    with transaction(context.engine) as db:
        db.execute(delete(IdempotencyKey).where(
            IdempotencyKey.created_at < utcnow() - timedelta(hours=hours)))


every(PRUNE, 3600)
