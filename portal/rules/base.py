"""Shared types of the engine: findings, the evaluation context, the check registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from portal.contract.model import AssistanceItem, PreservationRecord, Request
from portal.rules import text
from portal.rules.catalog import RULES_BY_CODE
from portal.rules.reading import Excerpt, find_dates
from portal.rules.reading.texts import Text, text_of
from portal.rules.refdata import EmptyReference, ReferenceLike
from portal.rules.settings import DEFAULT_SETTINGS, RuleSettings


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule finding: which rule, how severe, which field, and the message parameters."""

    code: str
    severity: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The words of the request that triggered the finding, for findings that read free text.
    excerpt: Excerpt | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "params": dict(self.params),
        }
        if self.excerpt is not None:
            out["excerpt"] = self.excerpt.as_dict()
        return out


@dataclass(frozen=True)
class EvaluationContext:
    today: date
    reference: ReferenceLike = field(default_factory=EmptyReference)
    settings: RuleSettings = DEFAULT_SETTINGS
    #: The country of the submitting account's authority, where it is known (the wizard, an
    #: import, the API; never ``portal check`` on a file): GEN-ACCOUNT-COUNTRY compares it.
    account_country: str | None = None


class Subject:
    """The request being evaluated plus facts derived from it once (dates in the facts...)."""

    def __init__(self, request: Request, context: EvaluationContext) -> None:
        self.request = request
        self.context = context
        self.today = context.today
        self.settings = context.settings
        self.reference = context.reference
        self._texts: dict[str, Text] = {}

    def read(self, value: str) -> Text:
        """``value`` as a :class:`Text`, read once for the whole evaluation."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = text_of(value)
        return found

    def finding(
        self, code: str, path: str, excerpt: Excerpt | None = None, **params: object
    ) -> Finding:
        rule = RULES_BY_CODE[code]
        clean = {key: text.clip(str(value), 200) for key, value in params.items()}
        return Finding(code=code, severity=rule.severity, path=path, params=clean,
                       excerpt=excerpt)

    def items(self, *types: str) -> Iterable[tuple[int, AssistanceItem]]:
        for index, item in enumerate(self.request.assistance):
            if not types or item.type in types:
                yield index, item

    @cached_property
    def fact_dates(self) -> tuple[date, date] | None:
        """Earliest and latest date mentioned in the summary of facts (original or English)."""
        summary = self.request.facts.summary
        found = find_dates(self.read(summary.text)) + find_dates(self.read(summary.english))
        if not found:
            return None
        return min(found), max(found)

    def preservations_for(self, item: AssistanceItem) -> list[PreservationRecord]:
        """Preservation records that cover an item: same identifier, or same provider when the
        record names no identifier."""
        values = {text.norm_identifier(i.value) for i in item.identifiers if i.value.strip()}
        provider = text.fold(item.provider)
        out = []
        for record in self.request.preservation:
            ident = text.norm_identifier(record.identifier)
            by_identifier = bool(ident) and ident in values
            by_provider = not ident and bool(provider) and text.fold(record.provider) == provider
            if by_identifier or by_provider:
                out.append(record)
        return out


Check = Callable[[Subject], Iterable[Finding]]
CHECKS: dict[str, Check] = {}


def check(code: str) -> Callable[[Check], Check]:
    """Register the function that implements rule ``code``."""

    def register(fn: Check) -> Check:
        if code not in RULES_BY_CODE:
            raise KeyError(f"rule {code} is not in the catalog")
        if code in CHECKS:
            raise KeyError(f"rule {code} registered twice")
        CHECKS[code] = fn
        return fn

    return register
