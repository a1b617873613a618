"""The catalog matches RULES.md, every engine rule has a check, rendering translates."""

from __future__ import annotations

import ast
import dataclasses
from gettext import NullTranslations
from pathlib import Path

from portal.rules import base, catalog
from portal.rules.base import Finding
from portal.rules.engine import evaluate
from portal.rules.render import catalog_as_json, fill, render_finding
from portal.rules.settings import RuleSettings
from tests.rules.conftest import load_base, make_context

# The codes of RULES.md (a public contract) - keep in sync with the spec.
SPEC_CODES = {
    "GEN-AUTHORITY", "GEN-CONTACT", "GEN-BASIS", "GEN-BASIS-COUNTRY", "GEN-CLOUD-ACT",
    "GEN-OFFENCE-LAW", "GEN-OFFENCE-PENALTY", "GEN-FACTS", "GEN-FACTS-DATES", "GEN-NEXUS",
    "GEN-ENGLISH", "GEN-PERSONS", "GEN-URGENCY", "GEN-EMERGENCY", "GEN-SPEECH", "GEN-POLITICAL",
    "GEN-CONFIDENTIAL",
    "GEN-REQUIRED", "GEN-LETTER", "GEN-LETTER-ENGLISH", "GEN-DATE-FUTURE", "GEN-ACCOUNT-COUNTRY",
    "ELEC-IDENTIFIER", "ELEC-IP-TIME", "ELEC-IP-PORT", "ELEC-PROVIDER", "ELEC-PROVIDER-US",
    "ELEC-PERIOD", "ELEC-PERIOD-BROAD", "ELEC-SUBSCRIBER", "ELEC-NONCONTENT-FACTS",
    "ELEC-CONTENT-PC", "ELEC-CONTENT-RECENT", "ELEC-CONTENT-STALE", "ELEC-CSLI",
    "ELEC-INTERCEPT", "ELEC-PEN-DURATION", "ELEC-PRESERVE", "ELEC-PRESERVE-EXPIRY",
    "FIN-INSTITUTION", "FIN-ACCOUNT", "FIN-DOCUMENTS", "FIN-PERIOD", "FIN-PERIOD-BROAD",
    "FIN-CERTIFICATE",
    "WIT-IDENTITY", "WIT-QUESTIONS", "WIT-COMPULSION", "WIT-FOREIGN-OFFICIALS",
    "SRCH-THRESHOLD", "SRCH-PLACE", "SRCH-PC",
    "SRV-DOCUMENTS", "SRV-SUMMONS",
    "AST-PROPERTY", "AST-JUDGMENT", "AST-RESTRAINT",
    "TRI-DUPLICATE", "TRI-RESUBMIT-UNCHANGED",
}  # fmt: skip
SPEC_SEVERITY_EXCEPTIONS: dict[str, str] = {}


def test_every_spec_code_is_in_the_catalog() -> None:
    codes = {rule.code for rule in catalog.RULES}
    assert codes >= SPEC_CODES
    assert len(codes) == len(catalog.RULES), "duplicate codes"


def test_triage_rules_are_flagged() -> None:
    for code in ("TRI-DUPLICATE", "TRI-RESUBMIT-UNCHANGED"):
        assert catalog.RULES_BY_CODE[code].computed_by == "triage"
        assert code not in base.CHECKS


def test_every_engine_rule_has_exactly_one_check() -> None:
    import portal.rules.engine  # noqa: F401 - registers the checks

    engine_codes = {rule.code for rule in catalog.engine_rules()}
    assert set(base.CHECKS) == engine_codes


def test_rules_are_complete_records() -> None:
    setting_names = {f.name for f in dataclasses.fields(RuleSettings)}
    for rule in catalog.RULES:
        assert rule.severity in catalog.SEVERITIES
        assert rule.title and rule.explanation and rule.fix, rule.code
        assert rule.citations, rule.code
        assert rule.applies_to, rule.code
        assert set(rule.settings) <= setting_names, rule.code
        for name in rule.settings:
            assert "{" + name + "}" in rule.explanation + rule.fix, (rule.code, name)


def test_catalog_strings_are_marked_for_extraction() -> None:
    """Every title/explanation/fix is a literal inside N_(...) so pybabel -k N_ extracts it."""
    marked: set[str] = set()
    for module in Path(catalog.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_":
                marked.add(ast.literal_eval(node.args[0]))
    for rule in catalog.RULES:
        assert {rule.title, rule.explanation, rule.fix} <= marked, rule.code


def test_catalog_as_json_fills_settings() -> None:
    rows = catalog_as_json("en")
    assert len(rows) == len(catalog.RULES)
    facts = next(r for r in rows if r["code"] == "GEN-FACTS")
    assert "60 words" in facts["explanation"]
    assert facts["settings"] == {"facts_min_words": 60}
    assert all("{" not in r["explanation"] for r in rows if r["code"] != "GEN-ENGLISH")


class UpperTranslations(NullTranslations):
    """A fake catalog: proves render_finding goes through gettext."""

    def gettext(self, message: str) -> str:
        return "ES:" + message


def test_render_finding_translates_through_gettext() -> None:
    finding = Finding("GEN-FACTS", "blocker", "facts.summary", {"words": "12"})
    out = render_finding(finding, "es", translations=UpperTranslations())
    assert out["title"].startswith("ES:")
    assert out["explanation"].startswith("ES:") and "60" in out["explanation"]
    assert out["fix"].startswith("ES:")
    assert out["citations"] == ["CRM 281"]  # never translated
    assert out["path"] == "facts.summary" and out["params"] == {"words": "12"}


def test_render_finding_uses_get_translations(monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        import portal.rules.render as render

        mp.setattr(render, "get_translations", lambda locale: UpperTranslations())
        out = render.render_finding(Finding("GEN-BASIS", "blocker", "legal_basis.kind"), "es")
        assert out["title"] == "ES:" + catalog.RULES_BY_CODE["GEN-BASIS"].title
        rows = render.catalog_as_json("es")
        assert all(r["title"].startswith("ES:") for r in rows)
    finally:
        mp.undo()


def test_render_unknown_code_and_bad_templates() -> None:
    out = render_finding(Finding("NOPE", "warning", "x"), "en")
    assert out["title"] == "NOPE"
    assert fill("{a} {b", {"a": 1}) == "{a} {b"
    assert fill("{missing} and {a}", {"a": "x"}) == "{missing} and x"


def test_findings_are_sorted_and_deterministic() -> None:
    document = load_base()
    document["requesting_authority"]["role"] = "private_party"
    document["persons"] = []
    document["assistance"] = [{"type": "subscriber_info"}, {"type": "subscriber_info"}]
    first = evaluate(document, make_context())
    assert first == evaluate(document, make_context())
    ranks = [catalog.SEVERITY_RANK[f.severity] for f in first]
    assert ranks == sorted(ranks)
    paths = [f.path for f in first if f.code == "ELEC-PROVIDER"]
    assert paths == ["assistance[0].provider", "assistance[1].provider"]


def test_a_failing_check_is_contained(monkeypatch: object) -> None:
    import pytest

    def boom(_subject: object) -> list[Finding]:
        raise RuntimeError("boom")

    mp = pytest.MonkeyPatch()
    try:
        mp.setitem(base.CHECKS, "GEN-FACTS", boom)
        document = load_base()
        findings = evaluate(document, make_context())
        assert findings == []
        with pytest.raises(RuntimeError):
            evaluate(document, make_context(), strict=True)
    finally:
        mp.undo()


def test_settings_as_a_dict_name_every_setting_with_its_value() -> None:
    from dataclasses import asdict, replace

    from portal.rules.settings import DEFAULT_SETTINGS

    changed = replace(DEFAULT_SETTINGS, facts_min_words=7, period_max_days=30)
    for settings in (DEFAULT_SETTINGS, changed):
        given = settings.as_dict()
        assert given == asdict(settings)
        given["facts_min_words"] = 0  # the caller's own dict
        assert settings.as_dict()["facts_min_words"] == settings.facts_min_words
