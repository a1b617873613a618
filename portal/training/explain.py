"""Explain mode: a sample walked through finding by finding (the field and its value, the
problem, the rule with its citations, the fix), then the same sample after the fix with the
findings that are gone and those that remain."""

# A good sample has no finding to fix: its only step shows it passing, with its advice.

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n_core import get_translations
from portal.rules.base import Finding
from portal.rules.render import render_finding
from portal.training import fields, samples


@dataclass(frozen=True)
class Explained:
    key: str  # code@path
    code: str
    severity: str
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    field: fields.FieldView
    fixed_field: fields.FieldView | None  # the same field after the fix


@dataclass(frozen=True)
class Walkthrough:
    sample: samples.Sample
    steps: tuple[Explained, ...]
    remaining: tuple[Explained, ...]  # findings of the fixed version (advice at most)
    gone: tuple[str, ...]  # keys of the sample's findings that the fix removed

    @property
    def total(self) -> int:
        """Number of steps: one per finding, and the fixed version (when there is one)."""
        return len(self.steps) + (1 if self.sample.fixed is not None else 0)


def _explained(sample: samples.Sample, finding: Finding, locale: str,
               on_fixed: bool = False) -> Explained:
    context = samples.library_context()
    rendered = render_finding(finding, locale, context.settings, get_translations(locale))
    request = sample.fixed if on_fixed and sample.fixed is not None else sample.request
    fixed_field = None
    if not on_fixed and sample.fixed is not None:
        fixed_field = fields.describe(sample.fixed, finding.path)
    return Explained(
        key=f"{finding.code}@{finding.path}", code=finding.code, severity=finding.severity,
        title=rendered["title"], explanation=rendered["explanation"], fix=rendered["fix"],
        citations=tuple(rendered["citations"]), field=fields.describe(request, finding.path),
        fixed_field=fixed_field)


def walkthrough(sample: samples.Sample, locale: str) -> Walkthrough:
    """Needs a request context (the field labels are lazy translations)."""
    steps = tuple(_explained(sample, f, locale) for f in sample.teaching_findings)
    remaining = tuple(_explained(sample, f, locale, on_fixed=True)
                      for f in sample.fixed_findings)
    after = {f"{f.code}@{f.path}" for f in sample.fixed_findings}
    gone = tuple(step.key for step in steps if step.key not in after)
    return Walkthrough(sample, steps, remaining, gone)
