"""The submitted versions of a request: found by number, with their content and the findings
and explanations stored at submission."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.contract.model import Request
from portal.requests.models import MlaRequest, RequestVersion
from portal.rules import Finding, render_finding
from portal.rules.catalog import SEVERITY_RANK
from portal.rules.reading import Excerpt


@dataclass(frozen=True)
class StoredFinding:
    code: str
    severity: str
    title: str
    explanation: str
    acknowledgement: str
    excerpt: Excerpt | None


def version_of(db: Session, request: MlaRequest, number: int,
               minor: int = 0) -> RequestVersion | None:
    """Version ``number`` (``.minor``) of the request, if there is one."""
    if not 0 < number < 1_000_000 or not 0 <= minor < 1_000_000:  # (no column holds more)
        return None
    return db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id,
                                                  RequestVersion.number == number,
                                                  RequestVersion.minor == minor))


def version_numbers(db: Session, request: MlaRequest) -> list[tuple[int, int]]:
    """(number, minor) of every version, oldest first."""
    return [(number, minor) for number, minor in db.execute(
        select(RequestVersion.number, RequestVersion.minor)
        .where(RequestVersion.request_id == request.id)
        .order_by(RequestVersion.number, RequestVersion.minor))]


def latest_number(db: Session, request: MlaRequest) -> int | None:
    """The number of the request's latest submitted version."""
    return db.scalar(select(func.max(RequestVersion.number))
                     .where(RequestVersion.request_id == request.id))


def content_of_version(version: RequestVersion) -> Request:
    try:
        return Request.from_dict(json.loads(version.content_json or "{}"))
    except ValueError:
        return Request()


def stored_findings(version: RequestVersion, locale: str) -> list[StoredFinding]:
    """The findings stored with a version, in ``locale``, the most severe first."""
    try:
        stored = json.loads(version.findings_json or "[]")
    except ValueError:
        stored = []
    out = []
    for raw in stored if isinstance(stored, list) else []:
        if not isinstance(raw, dict):
            continue
        code, severity = str(raw.get("code", "")), str(raw.get("severity", ""))
        rendered = render_finding(Finding(code, severity, str(raw.get("path", ""))), locale)
        out.append(StoredFinding(code, severity, rendered["title"], rendered["explanation"],
                                 str(raw.get("acknowledgement", "") or ""),
                                 Excerpt.from_dict(raw.get("excerpt"))))
    return sorted(out, key=lambda f: SEVERITY_RANK.get(f.severity, 9))
