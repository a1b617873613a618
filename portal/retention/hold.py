"""The legal hold: an OIA manager puts a request under a hold, with a reason, and lifts it;
while it stands no purge of any kind (retention schedule or practice sandbox) touches the
request. Both steps are audited with the reason; the request's content is untouched."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.db import utcnow
from portal.requests.models import MlaRequest

REASON_MAX = 2000


class HoldRefused(Exception):
    """The user may not set or lift holds, or the request is not in the state asked for."""


def may_hold(user: User) -> bool:
    """OIA managers only: a legal hold follows a decision of OIA's management or counsel, and
    lifting it lets retention delete the record; an attorney working the queue does neither."""
    return user.role_enum is Role.TRIAGE and bool(user.is_manager) and user.active


def not_held() -> ColumnElement[bool]:
    """Filter of the requests no hold protects (every purge's query uses it)."""
    return MlaRequest.held_at.is_(None)


def holder_name(db: Session, request: MlaRequest) -> str:
    """The name of who set the request's hold ("" without one)."""
    if not request.held or not request.held_by:
        return ""
    return db.scalar(select(User.name).where(User.public_id == request.held_by)) or ""


def set_hold(db: Session, request: MlaRequest, user: User, reason: str, *, ip: str = ""
             ) -> None:
    """Put ``request`` under a legal hold (in the caller's transaction, audited)."""
    reason = reason.strip()
    if not may_hold(user):
        raise HoldRefused("only OIA managers set legal holds")
    if request.held:
        raise HoldRefused("the request is already under a legal hold")
    if not reason or len(reason) > REASON_MAX:
        raise HoldRefused("a legal hold needs a reason")
    request.held_at = utcnow()
    request.held_by = user.public_id
    request.hold_reason = reason
    _audit(db, "retention.hold_set", request, user, reason, ip)


def lift_hold(db: Session, request: MlaRequest, user: User, reason: str, *, ip: str = ""
              ) -> None:
    """Lift the legal hold of ``request`` (in the caller's transaction, audited)."""
    reason = reason.strip()
    if not may_hold(user):
        raise HoldRefused("only OIA managers lift legal holds")
    if not request.held:
        raise HoldRefused("the request is not under a legal hold")
    if not reason or len(reason) > REASON_MAX:
        raise HoldRefused("lifting a legal hold needs a reason")
    held_since = request.held_at
    request.held_at = None
    request.held_by = None
    request.hold_reason = None
    _audit(db, "retention.hold_lifted", request, user, reason, ip,
           held_since=held_since.isoformat() if held_since else "")


def _audit(db: Session, action: str, request: MlaRequest, user: User, reason: str, ip: str,
           **extra: str) -> None:
    record(db, action, actor_id=user.id, actor=user.email, ip=ip, object_type="request",
           object_id=request.public_id, details={"reason": reason, **extra})
