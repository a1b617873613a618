"""Declarative rule cases: one YAML file per family in ``cases/``.

Each case: ``name``, ``request`` (a fragment merged onto ``base_request.json``; ``null``
removes a key), optional ``today``, ``expect_present`` and ``expect_absent`` (rule codes), and
optional ``expect_paths`` (code -> a path that one of its findings must point at), and
optional ``account_country`` (the submitting account's country, as the wizard knows it). Every case
must also be valid against the schema. The cases run against the test reference data and, where
installed, against the real reference data (``portal.reference``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.contract.load import load_request
from portal.rules.catalog import RULES
from portal.rules.engine import evaluate
from tests.rules.conftest import CASES_DIR, DEFAULT_TODAY, load_base, make_context, merge

FAMILIES = (
    "general", "electronic", "financial", "witness", "search", "service", "assets", "reading",
    "completeness",
)


def _load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for family in FAMILIES:
        path = CASES_DIR / f"{family}.yaml"
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            cases.append((f"{family}: {case['name']}", case))
    return cases


CASES = _load_cases()


def _real_reference() -> Any:
    try:
        from portal.reference import load_reference
    except ImportError:
        return None
    return load_reference()


REFERENCES = ["test"] + (["real"] if _real_reference() is not None else [])


def _today(case: dict[str, Any]) -> dt.date:
    value = case.get("today", DEFAULT_TODAY)
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@pytest.mark.parametrize("ref_name", REFERENCES)
@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(case_id: str, case: dict[str, Any], ref_name: str) -> None:
    document = merge(load_base(), case.get("request") or {})
    loaded = load_request(document)
    assert loaded.request is not None, [e.as_dict() for e in loaded.errors]
    reference = _real_reference() if ref_name == "real" else None
    context = replace(make_context(_today(case), reference),
                      account_country=case.get("account_country"))
    findings = evaluate(loaded.request, context, strict=True)
    codes = {f.code for f in findings}
    summary = [(f.code, f.path, dict(f.params)) for f in findings]
    for code in case.get("expect_present", []):
        assert code in codes, f"{case_id}: expected {code}; got {summary}"
    for code in case.get("expect_absent", []):
        assert code not in codes, f"{case_id}: did not expect {code}; got {summary}"
    for code, path in (case.get("expect_paths") or {}).items():
        paths = {f.path for f in findings if f.code == code}
        assert path in paths, f"{case_id}: expected {code} at {path}; got {summary}"


def test_base_request_has_no_findings() -> None:
    loaded = load_request(load_base())
    assert loaded.request is not None
    assert evaluate(loaded.request, make_context(), strict=True) == []


def test_every_rule_has_firing_and_non_firing_cases() -> None:
    present = {code for _id, case in CASES for code in case.get("expect_present", [])}
    absent = {code for _id, case in CASES for code in case.get("expect_absent", [])}
    codes = {rule.code for rule in RULES if rule.computed_by == "engine"}
    assert not codes - present, f"rules without a firing case: {sorted(codes - present)}"
    assert not codes - absent, f"rules without a non-firing case: {sorted(codes - absent)}"
    unknown = (present | absent) - {rule.code for rule in RULES}
    assert not unknown, f"cases name unknown codes: {sorted(unknown)}"


def test_case_files_exist() -> None:
    for family in FAMILIES:
        assert Path(CASES_DIR / f"{family}.yaml").is_file()
