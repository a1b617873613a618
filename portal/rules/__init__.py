"""The U.S. legal-standard rule engine (no Flask, no database): ``evaluate(request, context)``,
the rule catalog (:mod:`.catalog`), its thresholds (:mod:`.settings`) and rendering
(:mod:`.render`)."""

from portal.rules.base import EvaluationContext, Finding
from portal.rules.catalog import RULES, RULES_BY_CODE, Rule
from portal.rules.engine import counts, default_context, evaluate, has_blockers
from portal.rules.render import catalog_as_json, render_finding
from portal.rules.settings import DEFAULT_SETTINGS, RuleSettings

__all__ = [
    "DEFAULT_SETTINGS",
    "RULES",
    "RULES_BY_CODE",
    "EvaluationContext",
    "Finding",
    "Rule",
    "RuleSettings",
    "catalog_as_json",
    "counts",
    "default_context",
    "evaluate",
    "has_blockers",
    "render_finding",
]
