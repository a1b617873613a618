"""Caseload balance: each OIA attorney's weighted load (open requests assigned to them, returned
ones excepted) and the assignment suggestion: the lightest load among the attorneys whose
portfolio covers the request's country (``*``: every country), else among all of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.db_reads import Read, one, read_together
from portal.triage.intake import OPEN
from portal.triage.models import RETURNED, AttorneyLoad, Portfolio, TriageEntry

ANY_COUNTRY = "*"
#: Open statuses that count in a caseload (a returned request waits for the requester).
ACTIVE = frozenset(OPEN - {RETURNED})


class Attorney(NamedTuple):
    id: int
    public_id: str
    name: str


@dataclass(frozen=True)
class Load:
    user: Attorney
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


def attorney_options_read() -> Read[list[tuple[str, str]]]:
    """(public id, name) of the active OIA staff, for the select boxes (columns, not users;
    the statement built once)."""
    return one(_ATTORNEY_OPTIONS, {},
               lambda rows: [(row.public_id, row.name) for row in rows])


def attorney_options(db: Session) -> list[tuple[str, str]]:
    options: list[tuple[str, str]] = read_together(db, attorney_options_read())[0]
    return options


#: The two reads of :func:`loads`: each active attorney with the count and weight of their
#: open requests (kept in ``triage_loads`` at each change of an entry), and the portfolios.
_ATTORNEY_LOADS = (
    select(User.id, User.public_id, User.name,
           func.coalesce(AttorneyLoad.count, 0).label("count"),
           func.coalesce(AttorneyLoad.weight, 0.0).label("weight"))
    .outerjoin(AttorneyLoad, AttorneyLoad.user_id == User.id)
    .where(User.role == Role.TRIAGE.value, User.active.is_(True))
    .order_by(User.name, User.id))
_PORTFOLIOS = select(Portfolio.user_id, Portfolio.country).order_by(Portfolio.country)


def loads_read() -> Read[list[Load]]:
    """Each active attorney's load, in name order."""
    def make(attorney_rows: list[Any], portfolio_rows: list[Any]) -> list[Load]:
        folios: dict[int, list[str]] = {}
        for row in portfolio_rows:
            folios.setdefault(row.user_id, []).append(row.country)
        # (a sum kept by increments: rounded as the weights are written, to hundredths)
        return [Load(Attorney(row.id, row.public_id, row.name), int(row.count),
                     round(float(row.weight or 0), 2), tuple(folios.get(row.id, ())))
                for row in attorney_rows]

    return Read(((_ATTORNEY_LOADS, {}), (_PORTFOLIOS, {})), make)


def loads(db: Session) -> list[Load]:
    found: list[Load] = read_together(db, loads_read())[0]
    return found


def recount_loads(db: Session) -> None:
    """Rebuild every attorney's load from the queue (after rows written in bulk, or to repair)."""
    db.execute(delete(AttorneyLoad))
    db.execute(insert(AttorneyLoad).from_select(
        ["user_id", "count", "weight"],
        select(TriageEntry.assignee_id, func.count(), func.sum(TriageEntry.weight))
        .where(TriageEntry.assignee_id.is_not(None), TriageEntry.is_open.is_(True),
               TriageEntry.status.in_(sorted(ACTIVE)))
        .group_by(TriageEntry.assignee_id)))


def suggest(db: Session, country: str) -> Suggestion:
    return suggestion_for(loads(db), country)


def suggestion_for(everyone: list[Load], country: str) -> Suggestion:
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


def attorney(db: Session, public_id: str) -> User | None:
    """The OIA triage user with ``public_id`` (None for anyone else)."""
    return db.scalar(select(User).where(User.public_id == public_id,
                                        User.role == Role.TRIAGE.value))


def parse_countries(text: str, known: Iterable[str]) -> tuple[list[str], list[str]]:
    """The country codes of a portfolio as typed ("es, fr"; ``*`` for every country), and
    those of them that are not in ``known``."""
    codes = [c.strip().upper() for c in (text or "").split(",") if c.strip()]
    allowed = {*known, ANY_COUNTRY}
    return codes, [c for c in codes if c not in allowed]
