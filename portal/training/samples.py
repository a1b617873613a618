"""The sample library: the requests of ``examples/requests/`` and, for each deficient one, its
version after the fix (``examples/requests/fixed/<name>-fixed.json``), with the rule engine's
findings on the date their expectations were written for."""

# The date is today in EXPECTATIONS.yaml, so that a training session shows the same findings
# whatever the day (staleness rules such as ELEC-CONTENT-STALE would otherwise drift). Whether a
# sample is good (no blocker) is decided by the engine, not by its file name; the tests check that
# both agree (tests/reference/test_examples.py and tests/training).

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portal import cache
from portal.contract.load import load_request_json
from portal.contract.model import Request
from portal.i18n_core import PACKAGE_DIR
from portal.rules import EvaluationContext, Finding, default_context, evaluate, has_blockers

EXAMPLES_DIR = PACKAGE_DIR.parent / "examples" / "requests"
FIXED_DIR = EXAMPLES_DIR / "fixed"
EXPECTATIONS = EXAMPLES_DIR / "EXPECTATIONS.yaml"
_SLUG = re.compile(r"^[0-9]{2}-[a-z0-9-]+$")
_TODAY = re.compile(r'^today:\s*"?(\d{4}-\d{2}-\d{2})"?\s*$', re.MULTILINE)


@dataclass(frozen=True)
class Sample:
    slug: str  # the file name without ``.json``, e.g. ``06-stored-content-deficient-gb``
    request: Request
    findings: tuple[Finding, ...]
    fixed: Request | None
    fixed_findings: tuple[Finding, ...]

    @property
    def good(self) -> bool:
        return not has_blockers(list(self.findings))

    @property
    def types(self) -> tuple[str, ...]:
        seen: list[str] = []
        for item in self.request.assistance:
            if item.type not in seen:
                seen.append(item.type)
        return tuple(seen)

    @property
    def country(self) -> str:
        return self.request.requesting_authority.country

    @property
    def language(self) -> str:
        return self.request.language or "en"

    @property
    def teaching_findings(self) -> tuple[Finding, ...]:
        """The findings explain mode walks through: blockers and warnings first, then advice
        (the engine's order)."""
        return self.findings


def sample_day() -> date:
    """The date the samples' expectations were written for (``today`` in EXPECTATIONS.yaml;
    the real date when the file says none)."""
    try:
        match = _TODAY.search(EXPECTATIONS.read_text(encoding="utf-8"))
    except OSError:
        match = None
    return date.fromisoformat(match.group(1)) if match else date.today()


def library_context() -> EvaluationContext:
    """The samples' evaluation context: the current reference data on :func:`sample_day`."""
    return default_context(today=sample_day())


def _load(path: Path) -> Request | None:
    try:
        result = load_request_json(path.read_bytes())
    except OSError:
        return None
    return result.request if result.ok else None


_SAMPLES = cache.named(
    "training.samples", max_bytes=8 * 1024 * 1024,
    why="the sample library with the engine's findings (key: reference-data version, date)")


def load_samples() -> tuple[Sample, ...]:
    """Every valid sample, in file order, with its findings (the files ship with the portal)."""
    context = library_context()
    key = (context.reference.version, context.today)
    samples: tuple[Sample, ...] = _SAMPLES.get_or_make(key, lambda: _evaluate_samples(context))
    return samples


def _evaluate_samples(context: EvaluationContext) -> tuple[Sample, ...]:
    out: list[Sample] = []
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        request = _load(path)
        if request is None:
            continue
        fixed = _load(FIXED_DIR / f"{path.stem}-fixed.json")
        findings = tuple(evaluate(request, context))
        fixed_findings = tuple(evaluate(fixed, context)) if fixed is not None else ()
        out.append(Sample(path.stem, request, findings, fixed, fixed_findings))
    return tuple(out)


def get_sample(slug: str) -> Sample | None:
    if not _SLUG.match(slug):
        return None
    return next((s for s in load_samples() if s.slug == slug), None)


def samples_of_type(item_type: str, *, good: bool) -> list[Sample]:
    return [s for s in load_samples() if item_type in s.types and s.good is good]


def sample_json(sample: Sample) -> str:
    return json.dumps(sample.request.to_dict(omit_defaults=True), ensure_ascii=False, indent=2)
