"""Rule findings for the wizard: computed by the engine from the saved draft, rendered in the
user's language, grouped by section, with the status of each section for the task list, and the
submitter's answers to the warnings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from portal import cache
from portal.contract.model import Request
from portal.requests.drafts import content_of, draft_key
from portal.requests.models import MlaRequest
from portal.requests.sections import SECTIONS, Section, anchor_of_path, section_of_path
from portal.rules import default_context, evaluate, render_finding
from portal.rules.base import EvaluationContext
from portal.rules.reading import Excerpt
from portal.rules.refdata import ReferenceLike
from portal.translation import gettext as _

BLOCKING = ("blocker", "warning")


class SectionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    HAS_PROBLEMS = "has_problems"


@dataclass(frozen=True)
class ShownFinding:
    key: str  # code@path: identifies a finding across saves (acknowledgements use it)
    code: str
    severity: str
    path: str
    anchor: str
    section: Section | None
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    excerpt: Excerpt | None = None

    @property
    def excerpt_anchor(self) -> str:
        """The id of the field that holds the excerpt's words."""
        return anchor_of_path(self.excerpt.path) if self.excerpt else ""


@dataclass(frozen=True)
class SectionState:
    section: Section
    status: SectionStatus
    problems: int
    findings: tuple[ShownFinding, ...]


def finding_key(code: str, path: str) -> str:
    return f"{code}@{path}"


#: A draft's findings by (drafts.draft_key, language, day, reference data version, rule
#: settings, country of the submitting account).
_FINDINGS = cache.named(
    "draft_findings", max_bytes=8 * 1024 * 1024,
    why="the task list, the sections, the check and the review page of an unchanged draft show "
        "the same findings; evaluating the rules again costs milliseconds")


def account_country_of(request: MlaRequest) -> str | None:
    """The country of the authority whose account submits ``request`` (GEN-ACCOUNT-COUNTRY)."""
    authority = request.authority
    return authority.country if authority is not None else None


def compute(content: Request, locale: str, today: date | None = None, *,
            account_country: str | None = None,
            reference: ReferenceLike | None = None) -> list[ShownFinding]:
    """The findings of ``content`` in ``locale`` (``reference``: default, the version in
    force)."""
    context = default_context(today=today, account_country=account_country,
                              reference=reference)
    return _compute(content, locale, context)


def findings_of(request: MlaRequest, locale: str) -> list[ShownFinding]:
    """The findings of a draft as saved, in ``locale`` (kept until its next save)."""
    country = account_country_of(request)
    context = default_context(account_country=country)
    if request.id is None:
        return _compute(content_of(request), locale, context)
    key = (draft_key(request), locale, context.today, context.reference.version,
           context.settings, country)
    found = _FINDINGS.get_or_make(
        key, lambda: tuple(_compute(content_of(request), locale, context)))
    return list(found)


def _compute(content: Request, locale: str, context: EvaluationContext) -> list[ShownFinding]:
    shown: list[ShownFinding] = []
    for finding in evaluate(content, context):
        rendered = render_finding(finding, locale, context.settings)
        shown.append(ShownFinding(
            key=finding_key(finding.code, finding.path), code=finding.code,
            severity=finding.severity, path=finding.path, anchor=anchor_of_path(finding.path),
            section=section_of_path(finding.path), title=rendered["title"],
            explanation=rendered["explanation"], fix=rendered["fix"],
            citations=tuple(rendered["citations"]), excerpt=finding.excerpt))
    return shown


def progress_of(request: MlaRequest) -> dict[str, str]:
    try:
        value = json.loads(request.progress_json or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def section_states(content: Request, findings: list[ShownFinding],
                   progress: dict[str, str]) -> list[SectionState]:
    states = []
    for section in SECTIONS:
        # A section shows its problems once it has been saved (the user has had a chance to
        # answer); the check page shows them all.
        mine = tuple(f for f in findings if f.section is section)
        problems = sum(1 for f in mine if f.severity in BLOCKING)
        if section.slug not in progress:
            status, problems, mine = SectionStatus.NOT_STARTED, 0, ()
        elif problems:
            status = SectionStatus.HAS_PROBLEMS
        elif progress.get(section.slug) == "done":
            status = SectionStatus.COMPLETED
        else:
            status = SectionStatus.IN_PROGRESS
        states.append(SectionState(section, status, problems, mine))
    return states


def progress_after(request: MlaRequest, slug: str, state: str) -> str:
    """The request's progress with ``slug`` in ``state`` (a done section stays done)."""
    progress = progress_of(request)
    if progress.get(slug) != "done" or state == "done":
        progress[slug] = state
    return json.dumps(progress)


def acknowledgements_of(request: MlaRequest) -> dict[str, str]:
    try:
        value = json.loads(request.acks_json or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def readiness(findings: list[ShownFinding], acks: dict[str, str]) -> dict[str, Any]:
    """What still stands between the draft and its submission."""
    blockers = [f for f in findings if f.severity == "blocker"]
    warnings = [f for f in findings if f.severity == "warning"]
    unacknowledged = [f for f in warnings if not acks.get(f.key, "").strip()]
    return {"blockers": blockers, "warnings": warnings, "unacknowledged": unacknowledged,
            "ready": not blockers and not unacknowledged}


def read_acknowledgements(warnings: list[ShownFinding], posted: Mapping[str, str]
                          ) -> tuple[dict[str, str], dict[str, str]]:
    """The explanations given for ``warnings`` on the check page (a ticked box ``ack-<key>``
    and a text ``why-<key>`` each), and what is missing for each warning not fully answered."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for finding in warnings:
        ticked = posted.get(f"ack-{finding.key}") == "y"
        text = posted.get(f"why-{finding.key}", "").strip()[:2000]
        if ticked and text:
            answers[finding.key] = text
        elif ticked:
            errors[finding.key] = _("Write why you submit despite this warning.")
        elif text:
            errors[finding.key] = _("Tick the box to acknowledge this warning.")
        else:  # every warning must be answered before the request can go on
            errors[finding.key] = _("Tick the box and write why you submit despite this "
                                    "warning.")
    return answers, errors
