"""Outreach statistics: for each requesting country and period, the requests submitted, the
share returned for deficiency, and the rules most often behind returns and warnings; aggregates
only, never case content or a training request, small counts suppressed."""

# Counts: the cohort is the requests first submitted in the period (triage_entries.submitted_at,
# practice requests excluded, and excluded again by joining requests.training). For that cohort,
# "returned" counts the requests returned at least once (triage_returns); a rule's return count is
# the number of those requests whose returns named it (triage_return_items); a rule's warning
# count is the number of requests of the cohort submitted with that warning
# (request_versions.findings_json, where the submitter had to acknowledge it). Every figure counts
# requests, so each can be suppressed on its own.
#
# Suppression: a count from 1 to 4 is never shown: it reads "fewer than 5" (THRESHOLD). A share
# is shown only when the submitted count, the returned count and the not-returned count are each 0
# or at least 5 (otherwise the share would give a small count back). No total across countries is
# shown, so that a suppressed country cannot be recovered by subtraction.

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, select
from sqlalchemy.orm import Session

from portal.requests.models import MlaRequest, RequestVersion
from portal.triage.models import TriageEntry, TriageReturn, TriageReturnItem

THRESHOLD = 5
TOP_RULES = 10


@dataclass(frozen=True)
class Count:
    """A count as it may be shown: ``value`` is None when suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @classmethod
    def of(cls, n: int) -> Count:
        return cls(n if n == 0 or n >= THRESHOLD else None)


@dataclass(frozen=True)
class RuleCount:
    code: str
    count: Count


@dataclass
class CountryRow:
    country: str
    submitted: Count
    returned: Count
    share: float | None  # 0..1, None when suppressed
    return_rules: list[RuleCount] = field(default_factory=list)
    warning_rules: list[RuleCount] = field(default_factory=list)


@dataclass(frozen=True)
class Statistics:
    start: date
    end: date
    rows: tuple[CountryRow, ...]


def _safe(n: int) -> bool:
    return n == 0 or n >= THRESHOLD


def _period(column: Any, start: date, end: date) -> ColumnElement[bool]:
    low = datetime.combine(start, time.min, tzinfo=UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return and_(column >= low, column < high)


def _cohort(start: date, end: date, country: str) -> list[ColumnElement[bool]]:
    conditions = [_period(TriageEntry.submitted_at, start, end), MlaRequest.training.is_(False)]
    if country:
        conditions.append(TriageEntry.country == country)
    return conditions


def _rules(counter: Counter[str]) -> list[RuleCount]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [RuleCount(code, Count.of(n)) for code, n in ranked]
    # suppressed rules last, in code order, so that their rank gives nothing away
    visible = [r for r in shown if not r.count.suppressed][:TOP_RULES]
    hidden = sorted((r for r in shown if r.count.suppressed), key=lambda r: r.code)
    return visible + hidden[: max(0, TOP_RULES - len(visible))]


def compute(db: Session, start: date, end: date, country: str = "") -> Statistics:
    where = _cohort(start, end, country)
    joined = select(TriageEntry.country).join(MlaRequest, MlaRequest.id == TriageEntry.request_id)
    submitted: dict[str, int] = {c: int(n) for c, n in db.execute(
        joined.add_columns(func.count()).where(*where).group_by(TriageEntry.country))}
    returned: dict[str, int] = {c: int(n) for c, n in db.execute(
        joined.add_columns(func.count(distinct(TriageReturn.request_id)))
        .join(TriageReturn, TriageReturn.request_id == TriageEntry.request_id)
        .where(*where).group_by(TriageEntry.country))}
    return_rules: dict[str, Counter[str]] = defaultdict(Counter)
    for code_country, code, n in db.execute(
            joined.add_columns(TriageReturnItem.code,
                               func.count(distinct(TriageReturn.request_id)))
            .join(TriageReturn, TriageReturn.request_id == TriageEntry.request_id)
            .join(TriageReturnItem, TriageReturnItem.return_id == TriageReturn.id)
            .where(*where).group_by(TriageEntry.country, TriageReturnItem.code)):
        return_rules[code_country][code] += int(n)
    warned: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    versions = (select(TriageEntry.country, RequestVersion.request_id, RequestVersion.findings_json)
                .join(MlaRequest, MlaRequest.id == TriageEntry.request_id)
                .join(RequestVersion, RequestVersion.request_id == TriageEntry.request_id)
                .where(*where).execution_options(yield_per=1000))
    for row_country, request_id, findings_json in db.execute(versions):
        for code in _warning_codes(findings_json):
            warned[row_country][code].add(request_id)
    rows = []
    for code in sorted(submitted):
        total, back = int(submitted[code]), int(returned.get(code, 0))
        share = (back / total if total >= THRESHOLD and _safe(back) and _safe(total - back)
                 else None)
        rows.append(CountryRow(
            country=code, submitted=Count.of(total), returned=Count.of(back), share=share,
            return_rules=_rules(return_rules.get(code, Counter())),
            warning_rules=_rules(Counter({c: len(ids) for c, ids in warned[code].items()}))))
    return Statistics(start, end, tuple(rows))


def _warning_codes(findings_json: str) -> set[str]:
    try:
        findings = json.loads(findings_json or "[]")
    except ValueError:
        return set()
    if not isinstance(findings, list):
        return set()
    return {str(f.get("code")) for f in findings
            if isinstance(f, dict) and f.get("severity") == "warning" and f.get("code")}


def countries(db: Session) -> list[str]:
    """The countries that have submitted anything (for the filter): codes only."""
    rows = db.scalars(select(TriageEntry.country)
                      .join(MlaRequest, MlaRequest.id == TriageEntry.request_id)
                      .where(MlaRequest.training.is_(False)).distinct())
    return sorted(c for c in rows if c)
