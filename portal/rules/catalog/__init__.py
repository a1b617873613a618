"""The rule catalog: one :class:`Rule` per rule of RULES.md, one module per family, in the order
findings are shown. Title, explanation and fix are English (marked with ``N_``, translated when
rendered) and may hold ``{placeholders}``: settings and the parameters of a finding."""

from __future__ import annotations

from collections.abc import Mapping

from portal.rules.catalog import (
    assets,
    electronic,
    financial,
    general_case,
    general_handling,
    search,
    service,
    triage,
    witness,
)
from portal.rules.catalog.rule import (
    ALL,
    ELECTRONIC,
    SEVERITIES,
    SEVERITY_RANK,
    STORED,
    Rule,
    Severity,
)

__all__ = [
    "ALL",
    "ELECTRONIC",
    "RULES",
    "RULES_BY_CODE",
    "RULE_ORDER",
    "SEVERITIES",
    "SEVERITY_RANK",
    "STORED",
    "Rule",
    "Severity",
    "engine_rules",
    "get_rule",
]

RULES: tuple[Rule, ...] = (
    *general_case.RULES,
    *general_handling.RULES,
    *electronic.RULES,
    *financial.RULES,
    *witness.RULES,
    *search.RULES,
    *service.RULES,
    *assets.RULES,
    *triage.RULES,
)

RULES_BY_CODE: Mapping[str, Rule] = {rule.code: rule for rule in RULES}
RULE_ORDER: Mapping[str, int] = {rule.code: index for index, rule in enumerate(RULES)}


def get_rule(code: str) -> Rule | None:
    return RULES_BY_CODE.get(code)


def engine_rules() -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if rule.computed_by == "engine")
