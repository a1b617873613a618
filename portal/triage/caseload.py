"""Caseload balance: the weighted load of each OIA attorney and the assignment suggestion.

An attorney's load is the sum of the weights (per assistance type, a setting) of the open
requests assigned to them, returned requests excepted (they wait for the requester). The
suggestion is the attorney with the lightest load among the active triage users whose country
portfolio covers the request's country (``*`` covers every country); when nobody's portfolio
covers it, among all of them, and the form says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.requests.models import Status
from portal.triage.intake import OPEN
from portal.triage.models import Portfolio, TriageEntry

ANY_COUNTRY = "*"
#: Open statuses that count in a caseload (a returned request waits for the requester).
ACTIVE = frozenset(OPEN - {Status.RETURNED.value})


@dataclass(frozen=True)
class Load:
    user: User
    count: int
    weight: float
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    best: Load | None
    candidates: tuple[Load, ...]
    covered: bool  # False: nobody's portfolio covers the country


_ATTORNEY_OPTIONS = (select(User.public_id, User.name)
                     .where(User.role == Role.TRIAGE.value, User.active.is_(True))
                     .order_by(User.name))


def attorney_options(db: Session) -> list[tuple[str, str]]:
    """(public id, name) of the active OIA staff, for the select boxes (columns, not users;
    the statement built once)."""
    return [(public_id, name) for public_id, name in db.execute(_ATTORNEY_OPTIONS)]


def attorneys(db: Session) -> list[User]:
    return list(db.scalars(select(User).where(User.role == Role.TRIAGE.value,
                                              User.active.is_(True)).order_by(User.name)))


def portfolios(db: Session) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for user_id, country in db.execute(select(Portfolio.user_id, Portfolio.country)
                                       .order_by(Portfolio.country)):
        out.setdefault(user_id, []).append(country)
    return {k: tuple(v) for k, v in out.items()}


def loads(db: Session) -> list[Load]:
    totals = {row[0]: (int(row[1]), float(row[2] or 0)) for row in db.execute(
        select(TriageEntry.assignee_id, func.count(), func.sum(TriageEntry.weight))
        .where(TriageEntry.is_open.is_(True), TriageEntry.status.in_(ACTIVE),
               TriageEntry.assignee_id.is_not(None))
        .group_by(TriageEntry.assignee_id))}
    folios = portfolios(db)
    return [Load(user, *totals.get(user.id, (0, 0.0)), folios.get(user.id, ()))
            for user in attorneys(db)]


def suggest(db: Session, country: str) -> Suggestion:
    everyone = loads(db)
    code = country.upper()
    covering = [load for load in everyone
                if code in load.countries or ANY_COUNTRY in load.countries]
    pool = covering or everyone
    ranked = tuple(sorted(pool, key=lambda load: (load.weight, load.count,
                                                  load.user.name.casefold(), load.user.id)))
    return Suggestion(ranked[0] if ranked else None, ranked, bool(covering))


def set_portfolio(db: Session, actor: User, user: User, countries: list[str], *,
                  ip: str = "") -> None:
    """Replace an attorney's portfolio (managers only; the caller checks the role)."""
    if not actor.is_manager:
        raise PermissionError("only managers edit portfolios")
    if user.role != Role.TRIAGE.value:
        raise ValueError("portfolios belong to triage users")
    codes = sorted({c.strip().upper() for c in countries if c.strip()})
    db.execute(delete(Portfolio).where(Portfolio.user_id == user.id))
    for code in codes:
        db.add(Portfolio(user_id=user.id, country=code))
    db.flush()
    record(db, "triage.portfolio_changed", actor_id=actor.id, actor=actor.email, ip=ip,
           object_type="user", object_id=user.public_id, details={"countries": codes})
