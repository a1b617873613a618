"""Render findings and the catalog in an interface language."""

from __future__ import annotations

from collections.abc import Mapping
from gettext import NullTranslations
from typing import Any

from portal.i18n_core import get_translations
from portal.rules.base import Finding
from portal.rules.catalog import RULES, RULES_BY_CODE, Rule
from portal.rules.settings import DEFAULT_SETTINGS, RuleSettings


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, params: Mapping[str, object]) -> str:
    """``template.format(**params)`` that leaves unknown placeholders and bad templates alone."""
    try:
        return template.format_map(_Params({k: str(v) for k, v in params.items()}))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template


def _texts(
    rule: Rule, translations: NullTranslations, params: Mapping[str, object]
) -> dict[str, str]:
    return {
        "title": fill(translations.gettext(rule.title), params),
        "explanation": fill(translations.gettext(rule.explanation), params),
        "fix": fill(translations.gettext(rule.fix), params),
    }


def render_finding(
    finding: Finding,
    locale: str,
    settings: RuleSettings = DEFAULT_SETTINGS,
    translations: NullTranslations | None = None,
) -> dict[str, Any]:
    """A finding as a JSON-ready dict with its title, explanation and fix in ``locale``."""
    rule = RULES_BY_CODE.get(finding.code)
    tr = translations if translations is not None else get_translations(locale)
    params: dict[str, object] = {**settings.as_dict(), **dict(finding.params)}
    out: dict[str, Any] = {
        "code": finding.code,
        "severity": finding.severity,
        "path": finding.path,
    }
    if rule is None:
        out.update(title=finding.code, explanation="", fix="", citations=[])
    else:
        out.update(_texts(rule, tr, params))
        out["citations"] = list(rule.citations)
    out["params"] = dict(finding.params)
    return out


def render_rule(
    rule: Rule,
    locale: str,
    settings: RuleSettings = DEFAULT_SETTINGS,
    translations: NullTranslations | None = None,
) -> dict[str, Any]:
    tr = translations if translations is not None else get_translations(locale)
    all_settings = settings.as_dict()
    return {
        "code": rule.code,
        "severity": rule.severity,
        "family": rule.family,
        "applies_to": list(rule.applies_to),
        **_texts(rule, tr, all_settings),
        "citations": list(rule.citations),
        "settings": {name: all_settings[name] for name in rule.settings},
        "fields": list(rule.fields),
        "computed_by": rule.computed_by,
    }


def catalog_as_json(locale: str, settings: RuleSettings = DEFAULT_SETTINGS) -> list[dict[str, Any]]:
    """The whole catalog in ``locale`` (placeholders for settings filled in)."""
    translations = get_translations(locale)
    return [render_rule(rule, locale, settings, translations) for rule in RULES]
