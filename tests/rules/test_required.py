"""GEN-REQUIRED and the rules it defers to: each required field of a complete request with
every kind of assistance, left blank (empty or spaces), gives its finding at its own path; the
complete request gives none. Also GEN-LETTER, GEN-LETTER-ENGLISH and GEN-ACCOUNT-COUNTRY."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from portal.contract.load import load_request
from portal.contract.model import Request
from portal.rules.engine import evaluate
from portal.rules.required import REQUIRED, RequiredField, values_at
from tests.rules.conftest import make_context

COMPLETE = Path(__file__).resolve().parent / "complete_request.json"
_STEP = __import__("re").compile(r"([^.\[\]]+)|\[(\d+)\]")


def complete() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(COMPLETE.read_text(encoding="utf-8"))
    return data


def _request(document: dict[str, Any]) -> Request:
    loaded = load_request(document)
    assert loaded.request is not None, loaded.errors
    return loaded.request


def _blank(document: dict[str, Any], path: str, blank: Any) -> None:
    steps = [(n, int(i) if i else None) for n, i in _STEP.findall(path)]
    node: Any = document
    for name, index in steps[:-1]:
        node = node[name] if index is None else node[index]
    name, index = steps[-1]
    if index is None:
        node[name] = blank
    else:
        node[index] = blank


def _blank_value(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return {"text": "   ", "english": " ", "language": value.get("language", "en")}
    if isinstance(value, list):
        return []
    if isinstance(value, (int, float)) or value is None:
        return None
    return "  \t"


def _cases() -> list[tuple[str, RequiredField]]:
    request = _request(complete())
    out = []
    for spec in REQUIRED:
        for path, _value in values_at(request, spec):
            out.append((path, spec))
            break  # the first place of each field is enough
    return out


CASES = _cases()
#: Fields that another may stand in for (a penalty in months or as the law states it).
ALSO_BLANK = {"offences[].max_penalty_months": ("max_penalty_text",)}


def test_the_complete_request_has_no_blocker_or_warning() -> None:
    found = evaluate(_request(complete()), make_context(), strict=True)
    assert [(f.code, f.path) for f in found if f.severity != "advice"] == []


def test_every_required_field_is_in_the_complete_request() -> None:
    request = _request(complete())
    for spec in REQUIRED:
        assert any(True for _ in values_at(request, spec)), spec.path


@pytest.mark.parametrize(("path", "spec"), CASES, ids=[c[0] for c in CASES])
def test_a_blank_required_field_gives_its_finding(path: str, spec: RequiredField) -> None:
    document = complete()
    raw = json.loads(json.dumps(document))
    steps = [(n, int(i) if i else None) for n, i in _STEP.findall(path)]
    value: Any = raw
    for name, index in steps:
        value = value[name] if index is None else value[index]
    _blank(document, path, _blank_value(value))
    for sibling in ALSO_BLANK.get(spec.path, ()):
        _blank(document, path.rsplit(".", 1)[0] + "." + sibling, "")
    loaded = load_request(document)
    if loaded.request is None:  # a coded field (date, country, choice): blank is empty
        _blank(document, path, "" if isinstance(value, str) else _blank_value(value))
    found = evaluate(_request(document), make_context(), strict=True)
    code = spec.covered_by or "GEN-REQUIRED"
    paths = {f.path for f in found if f.code == code}
    assert any(p == path or p.startswith(path + ".") or path.startswith(p + "[") or
               path.startswith(p + ".") for p in paths), (code, path, [(f.code, f.path)
                                                                       for f in found])
    if spec.covered_by:
        assert not [f for f in found if f.code == "GEN-REQUIRED" and f.path == path]


def test_one_finding_per_blank_field() -> None:
    document = complete()
    document["proceedings"] = {"stage": "", "conducting_authority": " "}
    document["offences"][0]["category"] = ""
    found = evaluate(_request(document), make_context(), strict=True)
    assert sorted(f.path for f in found if f.code == "GEN-REQUIRED") == [
        "offences[0].category", "proceedings.conducting_authority", "proceedings.stage"]


def test_no_letter_of_request() -> None:
    document = complete()
    document["attachments"][0]["document_kind"] = "court_order"
    codes = {f.code for f in evaluate(_request(document), make_context())}
    assert "GEN-LETTER" in codes


@pytest.mark.parametrize(("attachments", "fires"), [
    ([("request_letter", "es")], True),
    ([("request_letter", "es"), ("translation", "es")], True),
    ([("request_letter", "es"), ("translation", "en")], False),
    ([("request_letter", "en-GB")], False),
    ([("request_letter", "zh-Hans"), ("translation", "en-US")], False),
])
def test_letter_in_english_or_translated(attachments: list[tuple[str, str]],
                                         fires: bool) -> None:
    document = complete()
    template = document["attachments"][0]
    document["attachments"] = [dict(copy.deepcopy(template), document_kind=kind, language=lang,
                                    filename=f"{kind}-{n}.pdf")
                               for n, (kind, lang) in enumerate(attachments)]
    found = [f for f in evaluate(_request(document), make_context()) if
             f.code == "GEN-LETTER-ENGLISH"]
    assert bool(found) == fires
    if fires:
        assert found[0].path == "attachments[0].language"


def test_account_country_only_where_the_account_is_known() -> None:
    request = _request(complete())  # a Spanish authority
    assert "GEN-ACCOUNT-COUNTRY" not in {f.code for f in evaluate(request, make_context())}
    same = replace(make_context(), account_country="ES")
    other = replace(make_context(), account_country="FR")
    assert "GEN-ACCOUNT-COUNTRY" not in {f.code for f in evaluate(request, same)}
    found = [f for f in evaluate(request, other) if f.code == "GEN-ACCOUNT-COUNTRY"]
    assert [(f.severity, f.path, dict(f.params)) for f in found] == [
        ("warning", "requesting_authority.country", {"country": "ES", "account_country": "FR"})]
