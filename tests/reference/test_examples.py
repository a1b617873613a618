"""The sample requests in examples/requests/: valid against the contract, and (once the rule
engine exists) producing exactly the blockers that EXPECTATIONS.yaml names."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.contract import load_request
from portal.contract.model import ASSISTANCE_TYPES
from portal.reference import load_reference
from portal.rules import EvaluationContext, Finding, evaluate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


@cache
def expectations() -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / "EXPECTATIONS.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def today() -> date:
    return date.fromisoformat(str(expectations()["today"]))


def load(name: str) -> dict[str, Any]:
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_there_are_enough_examples() -> None:
    assert len(FILES) >= 18


def test_every_file_has_an_expectation_and_back() -> None:
    examples = expectations()["examples"]
    assert set(examples) == set(FILES)
    for name, exp in examples.items():
        assert exp["note"].strip(), name
        assert isinstance(exp["good"], bool), name
        assert exp["good"] == (not exp["blockers"]), name
        assert ("-good-" in name) == exp["good"], name


def test_every_assistance_type_has_good_and_deficient_examples() -> None:
    examples = expectations()["examples"]
    covered: dict[tuple[str, bool], list[str]] = {}
    for name in FILES:
        for item in load(name).get("assistance", []):
            covered.setdefault((item["type"], examples[name]["good"]), []).append(name)
    for kind in ASSISTANCE_TYPES:
        assert (kind, True) in covered, f"no good example of {kind}"
        assert (kind, False) in covered, f"no deficient example of {kind}"


def test_several_languages_with_translations() -> None:
    languages = {load(name).get("language") for name in FILES}
    assert {"es", "fr", "pt", "de", "ar", "ru", "zh-Hans"} <= languages


@pytest.mark.parametrize("name", FILES)
def test_example_is_valid_against_the_contract(name: str) -> None:
    result = load_request(load(name))
    assert result.ok, [e.as_dict() for e in result.errors]


@pytest.mark.parametrize("name", FILES)
def test_example_uses_known_reference_ids(name: str) -> None:
    ref = load_reference()
    data = load(name)
    basis = data.get("legal_basis", {}).get("instrument", "")
    assert not basis or basis in ref.legal_bases
    for offence in data.get("offences", []):
        assert offence.get("category", "") in ref.offence_categories
    assert data["requesting_authority"]["country"] in ref.countries


@pytest.mark.parametrize("name", FILES)
def test_example_findings_match_expectations(name: str) -> None:
    exp = expectations()["examples"][name]
    by_severity: dict[str, set[str]] = {}
    for finding in _findings(name):
        by_severity.setdefault(finding.severity, set()).add(finding.code)
    assert by_severity.get("blocker", set()) == set(exp["blockers"])
    assert set(exp.get("warnings", [])) <= by_severity.get("warning", set())
    assert set(exp.get("advice", [])) <= by_severity.get("advice", set())


@pytest.mark.parametrize("name", [n for n in FILES if "-good-" in n])
def test_good_examples_have_no_finding_read_from_their_text(name: str) -> None:
    """A finding that quotes the words of a good request is a false alarm (issue #19)."""
    quoted = [(f.code, f.path, f.excerpt.text) for f in _findings(name) if f.excerpt]
    assert quoted == []


def _findings(name: str) -> list[Finding]:
    result = load_request(load(name))
    assert result.request is not None
    context = EvaluationContext(today=today(), reference=load_reference())
    return evaluate(result.request, context)
