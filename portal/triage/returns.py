"""Returns for deficiency as the requesting authority reads them (each finding explained in a
given language), and whether a resubmission changed what the return named."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal.db_reads import Read, one
from portal.requests.models import MlaRequest, RequestVersion
from portal.requests.sections import anchor_of_path, section_of_path
from portal.rules import RULES_BY_CODE, Finding, render_finding
from portal.triage import diff
from portal.triage.models import TriageReturn, TriageReturnItem
from portal.triage.versions import FrozenVersion


@dataclass(frozen=True)
class ReturnedFinding:
    code: str
    severity: str
    path: str
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    section_title: Any
    section_slug: str
    anchor: str


@dataclass(frozen=True)
class ReturnView:
    at: datetime
    version: int
    notes: str
    findings: tuple[ReturnedFinding, ...] = field(default_factory=tuple)


def _params(raw: str) -> dict[str, str]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def render_return(ret: TriageReturn, locale: str) -> ReturnView:
    return ReturnView(ret.at, ret.version, ret.notes, _rendered(ret.items, locale))


def _rendered(items: Iterable[Any], locale: str) -> tuple[ReturnedFinding, ...]:
    """``items``: return items or rows with their code, path and params_json."""
    shown = []
    for item in items:
        rule = RULES_BY_CODE.get(item.code)
        severity = rule.severity if rule else "warning"
        finding = Finding(item.code, severity, item.path, _params(item.params_json))
        rendered = render_finding(finding, locale)
        section = section_of_path(item.path) if item.path else None
        shown.append(ReturnedFinding(
            code=item.code, severity=severity, path=item.path, title=rendered["title"],
            explanation=rendered["explanation"], fix=rendered["fix"],
            citations=tuple(rendered["citations"]),
            section_title=section.title if section else "",
            section_slug=section.slug if section else "",
            anchor=anchor_of_path(item.path) if item.path else ""))
    return tuple(shown)


def latest_return_row(db: Session, request: MlaRequest) -> TriageReturn | None:
    return db.scalar(select(TriageReturn).where(TriageReturn.request_id == request.id)
                     .order_by(TriageReturn.at.desc(), TriageReturn.id.desc()).limit(1))


def latest_return(db: Session, request: MlaRequest, locale: str) -> ReturnView | None:
    """The last return of ``request``, its findings explained in ``locale``. The caller has
    checked that the viewer may see the request."""
    row = latest_return_row(db, request)
    return render_return(row, locale) if row is not None else None


#: Every return with its items, one row per item (a return without items gives one row whose
#: code is None), in order; built once (see thread.py).
_ALL_RETURNS = (select(TriageReturn.id, TriageReturn.at, TriageReturn.version,
                       TriageReturn.notes, TriageReturnItem.code, TriageReturnItem.path,
                       TriageReturnItem.params_json)
                .outerjoin(TriageReturnItem, TriageReturnItem.return_id == TriageReturn.id)
                .where(TriageReturn.request_id == bindparam("request_id"))
                .order_by(TriageReturn.at, TriageReturn.id, TriageReturnItem.id))


def all_returns_read(request_id: int, locale: str) -> Read[list[ReturnView]]:
    """Every return of the request, oldest first, its findings explained in ``locale``."""
    def make(rows: list[Any]) -> list[ReturnView]:
        returns: dict[int, list[Any]] = {}
        for row in rows:
            returns.setdefault(row.id, [])
            if row.code is not None:
                returns[row.id].append(row)
        first = {row.id: row for row in reversed(rows)}
        return [ReturnView(first[i].at, first[i].version, first[i].notes,
                           _rendered(items, locale)) for i, items in returns.items()]

    return one(_ALL_RETURNS, {"request_id": request_id}, make)


def _content(db: Session, request_id: int, number: int) -> dict[str, Any]:
    raw = db.scalar(select(RequestVersion.content_json).where(
        RequestVersion.request_id == request_id, RequestVersion.number == number)
        .order_by(RequestVersion.minor.desc()).limit(1))
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def resubmitted_unchanged(db: Session, request: MlaRequest,
                          version: FrozenVersion) -> bool:
    """True when ``version`` follows a return and changes none of the fields it named."""
    ret = db.scalar(select(TriageReturn).where(TriageReturn.request_id == request.id,
                                               TriageReturn.version < version.number)
                    .order_by(TriageReturn.version.desc(), TriageReturn.id.desc()).limit(1))
    if ret is None:
        return False
    paths = sorted({item.path for item in ret.items if item.path})
    if not paths:
        return False
    before = diff.flatten(_content(db, request.id, ret.version))
    try:
        after = diff.flatten(json.loads(version.content_json or "{}"))
    except ValueError:
        return False
    return all(diff.under(before, p) == diff.under(after, p) for p in paths)
