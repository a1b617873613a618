"""The rule engine: ``evaluate(request, context) -> list[Finding]`` (no I/O, no Flask). Runs the
registered checks in catalog order over a sanitized copy of the request, and returns the
findings without duplicates, by severity, then catalog order, then document order."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from portal.contract.model import Request, is_well_typed, sanitize
from portal.rules import (
    assets,
    completeness,
    electronic,
    electronic_text,
    english,
    financial,
    general,
    search,
    service,
    timeline,
    witness,
)
from portal.rules.base import CHECKS, EvaluationContext, Finding, Subject
from portal.rules.catalog import RULE_ORDER, SEVERITY_RANK, engine_rules
from portal.rules.refdata import ReferenceLike, load_default_reference
from portal.rules.settings import DEFAULT_SETTINGS, RuleSettings

__all__ = ["EvaluationContext", "Finding", "default_context", "evaluate", "has_blockers"]

FAMILIES = (
    general, completeness, english, timeline, electronic, electronic_text, financial, witness,
    search, service, assets,
)  # fmt: skip
log = logging.getLogger(__name__)


def default_context(
    today: date | None = None,
    reference: ReferenceLike | None = None,
    settings: RuleSettings = DEFAULT_SETTINGS,
    account_country: str | None = None,
) -> EvaluationContext:
    """A context with today's date (UTC) and the installed reference data (empty if none)."""
    return EvaluationContext(
        today=today or datetime.now(UTC).date(),
        reference=reference if reference is not None else load_default_reference(),
        settings=settings,
        account_country=account_country,
    )


def evaluate(
    request: Request | Mapping[str, object],
    context: EvaluationContext,
    *,
    strict: bool = False,
) -> list[Finding]:
    """All findings for ``request`` (a model or a plain JSON mapping). Never raises unless
    ``strict`` is set (tests use it to prove that no check needs the safety net)."""
    if not is_well_typed(request):
        request = sanitize(request)
    assert isinstance(request, Request)
    subject = Subject(request, context)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rule in engine_rules():
        check = CHECKS.get(rule.code)
        if check is None:
            continue
        try:
            produced = list(check(subject))
        except Exception:
            if strict:
                raise
            log.exception("rule %s failed; its findings are skipped", rule.code)
            continue
        for finding in produced:
            key = (finding.code, finding.path)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    findings.sort(
        key=lambda f: (
            SEVERITY_RANK.get(f.severity, 9),
            RULE_ORDER.get(f.code, 999),
            _path_key(f.path),
        )
    )
    return findings


_CHUNK = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (1, int(index), "") if index else (0, 0, name) for index, name in _CHUNK.findall(path)
    )


def has_blockers(findings: list[Finding]) -> bool:
    return any(f.severity == "blocker" for f in findings)


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {"blocker": 0, "warning": 0, "advice": 0}
    for finding in findings:
        out[finding.severity] = out.get(finding.severity, 0) + 1
    return out
