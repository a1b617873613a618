"""The request contract: schema, loader errors, round trip, CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from portal.contract import model
from portal.contract.load import (
    ContractError,
    load_request,
    load_request_json,
    request_schema,
    validate,
)
from portal.contract.model import Request
from portal.contract.schema_build import render_schema
from portal.rules.commands import check_command, rules_command

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "rules" / "base_request.json"
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.json"))


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return data


def paths(data: object) -> dict[str, str]:
    return {e.path: e.message for e in load_request(data).errors}


# --- schema -------------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    schema = request_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_committed_schema_matches_the_model() -> None:
    committed = (ROOT / "portal" / "contract" / "request.schema.json").read_text(encoding="utf-8")
    assert committed == render_schema(), "run: python -m portal.contract.schema_build"


def test_a_minimal_draft_is_valid() -> None:
    result = load_request({"schema_version": "1.0"})
    assert result.ok and result.request == Request()


def test_empty_strings_are_allowed_everywhere() -> None:
    document = base()
    document["persons"][0] = {"name": "", "role": "", "nationality": "", "date_of_birth": ""}
    document["requesting_authority"]["contact"]["email"] = ""
    assert load_request(document).ok


def test_every_narrative_is_a_pair_with_language() -> None:
    narrative = request_schema()["$defs"]["Narrative"]
    assert set(narrative["properties"]) == {"text", "english", "language"}


# --- precise errors ------------------------------------------------------------------------------


def test_errors_have_precise_paths() -> None:
    document = base()
    document["assistance"] = [
        {"type": "other"},
        {"type": "other"},
        {
            "type": "subscriber_info",
            "identifiers": [{"kind": "email", "value": 5}, {"kind": "fax", "value": "x"}],
            "period": {"start": "2024-13-01", "end": ""},
        },
    ]
    errors = paths(document)
    assert errors["assistance[2].identifiers[0].value"] == "must be text"
    assert errors["assistance[2].identifiers[1].kind"].startswith("is not one of the allowed")
    assert errors["assistance[2].period.start"] == "must be a date in the form YYYY-MM-DD"
    assert "assistance[2].period.end" not in errors


def test_unknown_fields_are_named() -> None:
    document = base()
    document["facts"]["sumary"] = {"text": "typo"}
    assert paths(document) == {"facts.sumary": "unknown field 'sumary'"}


def test_fields_of_another_type_are_rejected() -> None:
    document = base()
    document["assistance"] = [{"type": "witness", "witness_name": "M", "provider": "Google"}]
    assert paths(document) == {
        "assistance[0].provider": "field 'provider' does not belong to an item of type 'witness'"
    }


def test_item_type_is_required_and_other_messages() -> None:
    document = base()
    document["assistance"] = [{"nexus": {"text": "x"}}]
    document["requesting_authority"]["country"] = "Spain"
    document["requesting_authority"]["contact"]["email"] = "not-an-email"
    document["offences"][0]["max_penalty_months"] = -1
    document["schema_version"] = "0.9"
    errors = paths(document)
    assert errors["assistance[0].type"] == "is required"
    assert errors["requesting_authority.country"].startswith("must be a two-letter country")
    assert errors["requesting_authority.contact.email"] == "must be an e-mail address"
    assert errors["offences[0].max_penalty_months"] == "must be at least 0"
    assert errors["schema_version"] == "must be 1.0"


def test_non_object_document() -> None:
    assert paths([1, 2]) == {"": "must be an object"}
    assert not load_request(None).ok


def test_invalid_json_is_an_error_not_an_exception() -> None:
    result = load_request_json('{"schema_version": "1.0",\n "facts": }')
    assert result.request is None
    (error,) = result.errors
    assert error.path == "" and "line 2" in error.message and "column" in error.message
    assert not load_request_json(b"\xff\xfe\x00").ok
    assert not load_request_json("[" * 100_000).ok
    assert load_request_json(json.dumps(base()).encode("utf-8")).ok


def test_errors_render_in_another_locale_via_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    from gettext import NullTranslations

    import portal.contract.load as load

    class Fake(NullTranslations):
        def gettext(self, message: str) -> str:
            return {"unknown field '{name}'": "campo desconocido '{name}'"}.get(message, message)

    monkeypatch.setattr(load, "get_translations", lambda locale: Fake())
    document = base()
    document["bogus"] = 1
    (error,) = load.load_request(document, "es").errors
    assert error.message == "campo desconocido 'bogus'"
    assert error.template == "unknown field '{name}'" and error.params == {"name": "bogus"}
    assert isinstance(error, ContractError) and error.render("es") == error.message


def test_validate_is_deterministic() -> None:
    document = {"schema_version": "1.0", "x": 1, "a": 2, "persons": [{"role": "boss"}]}
    assert [e.path for e in validate(document)] == [e.path for e in validate(document)]


# --- round trip ----------------------------------------------------------------------------------


def _without_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _without_defaults(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", False, None, [], {})}
    if isinstance(value, list):
        return [_without_defaults(v) for v in value]
    return value


@pytest.mark.parametrize("path", [BASE, *EXAMPLES], ids=lambda p: p.name)
def test_round_trip(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("_note", None)
    loaded = load_request(document)
    if not loaded.ok:
        pytest.skip(f"example not valid against the schema: {loaded.errors_as_json()[:3]}")
    request = loaded.request
    assert request is not None
    full = request.to_dict()
    assert load_request(full).ok, "the full form must be valid"
    assert Request.from_dict(full) == request
    sparse = request.to_dict(omit_defaults=True)
    assert Request.from_dict(sparse) == request
    expected = _without_defaults(document)
    expected["schema_version"] = document["schema_version"]
    assert sparse == expected


def test_full_form_round_trips_exactly() -> None:
    full = Request.from_dict(base()).to_dict()
    assert Request.from_dict(full).to_dict() == full


def test_from_dict_is_lenient() -> None:
    request = Request.from_dict(
        {"persons": "x", "facts": [], "offences": [{"max_penalty_months": "9"}]}
    )
    assert request.persons == () and request.offences[0].max_penalty_months is None
    assert Request.from_dict(None) == Request()


def test_item_fields_cover_the_model() -> None:
    names = {name for name, *_ in model.field_specs(model.AssistanceItem)}
    used = {name for fields in model.ITEM_FIELDS.values() for name in fields}
    assert used == names
    assert set(model.ITEM_FIELDS) == set(model.ASSISTANCE_TYPES)


# --- CLI -----------------------------------------------------------------------------------------


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "request.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_check_exit_0_without_blockers(tmp_path: Path) -> None:
    document = base()
    document["legal_basis"] = {"kind": "multilateral_convention", "instrument": "budapest"}
    result = CliRunner().invoke(
        check_command, [str(_write(tmp_path, json.dumps(document))), "--today", "2024-06-01"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["counts"]["blocker"] == 0


def test_check_exit_1_with_blockers(tmp_path: Path) -> None:
    document = base()
    document["requesting_authority"]["role"] = "defence_counsel"
    document["facts"]["summary"]["text"] = "Demasiado corto, señoría."
    result = CliRunner().invoke(check_command, [str(_write(tmp_path, json.dumps(document)))])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    codes = [f["code"] for f in out["findings"]]
    assert "GEN-AUTHORITY" in codes and "GEN-FACTS" in codes
    first = out["findings"][0]
    assert set(first) >= {"code", "severity", "path", "title", "explanation", "fix", "citations"}
    assert out["counts"]["blocker"] >= 2
    assert "señoría" not in result.stdout or "\\u" not in result.stdout


def test_check_exit_2_on_invalid_json_and_schema_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_json = runner.invoke(check_command, [str(_write(tmp_path, "{nope"))])
    assert bad_json.exit_code == 2
    assert json.loads(bad_json.stdout)["errors"][0]["path"] == ""
    assert "not a valid request" in bad_json.stderr
    document = base()
    document["persons"][0]["date_of_birth"] = "03/02/1980"
    bad_schema = runner.invoke(check_command, [str(_write(tmp_path, json.dumps(document)))])
    assert bad_schema.exit_code == 2
    errors = json.loads(bad_schema.stdout)["errors"]
    assert errors == [
        {"path": "persons[0].date_of_birth", "message": "must be a date in the form YYYY-MM-DD"}
    ]
    missing = runner.invoke(check_command, [str(tmp_path / "missing.json")])
    assert missing.exit_code == 2


def test_check_lang_translates_titles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang goes through get_translations (a fake Spanish catalog stands in until the
    real catalogs are compiled)."""
    from gettext import NullTranslations

    import portal.rules.render as render

    class Spanish(NullTranslations):
        def gettext(self, message: str) -> str:
            return "[es] " + message

    seen: list[str] = []

    def fake(locale: str) -> NullTranslations:
        seen.append(locale)
        return Spanish()

    monkeypatch.setattr(render, "get_translations", fake)
    document = base()
    document["requesting_authority"]["role"] = "private_party"
    result = CliRunner().invoke(
        check_command, [str(_write(tmp_path, json.dumps(document))), "--lang", "es"]
    )
    assert result.exit_code == 1
    titles = [f["title"] for f in json.loads(result.stdout)["findings"]]
    assert titles and all(t.startswith("[es] ") for t in titles)
    assert "es" in seen


def test_rules_command_prints_the_catalog() -> None:
    result = CliRunner().invoke(rules_command, ["--lang", "en"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    codes = {r["code"] for r in rows}
    assert {"GEN-AUTHORITY", "TRI-DUPLICATE", "AST-RESTRAINT"} <= codes
    first = rows[0]
    assert set(first) >= {"code", "severity", "applies_to", "title", "explanation", "fix",
                          "citations", "settings"}  # fmt: skip
