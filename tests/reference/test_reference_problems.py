"""Every problem of the reference data is a ReferenceProblem whose msgid is extracted for the
catalogs (marked with N_ where it is written), whose values fill the msgid's placeholders
exactly, and whose English line (CLI, logs) reads as before."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file

from portal.reference import loading, validation
from portal.reference.loading import (
    parse_documents,
    problems_of,
    read_document,
    read_documents,
)
from portal.reference.problems import MAX_SHOWN, ReferenceProblem, shown

Docs = dict[str, Any]
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _extracted(module: object) -> set[str]:
    """The msgids pybabel extracts from ``module`` with the project's keywords (Makefile)."""
    path = str(getattr(module, "__file__", ""))
    keywords = {"N_": None, "_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    return {str(message) for _line, message, _comments, _context
            in extract_from_file("python", path, keywords=keywords)}


MARKED = _extracted(validation) | _extracted(loading)


def _entry(docs: Docs, kind: str, index: int = 0) -> dict[str, Any]:
    entry: dict[str, Any] = docs[kind]["entries"][index]
    return entry


def _set(kind: str, key: str, value: object, index: int = 0) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        _entry(docs, kind, index)[key] = value
    return change


def _doc(kind: str, key: str | None, value: object) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        if key is None:
            docs[kind] = value
        else:
            docs[kind][key] = value
    return change


def _duplicate_country(docs: Docs) -> None:
    _entry(docs, "countries", 1)["code"] = _entry(docs, "countries", 0)["code"]


def _cloud_act_without_date(docs: Docs) -> None:
    _entry(docs, "legal_bases").update(kind="cloud_act_agreement", in_force=None)


def _alias_of_another(docs: Docs) -> None:
    _entry(docs, "providers", 1)["aliases"] = [_entry(docs, "providers", 0)["name"]]


def _flagged_without_keywords(docs: Docs) -> None:
    _entry(docs, "offence_categories").update(flags=["speech"], keywords={})


def _missing_kind(docs: Docs) -> None:
    del docs["districts"]


BROKEN: dict[str, Callable[[Docs], None]] = {
    "top level": _doc("countries", None, []),
    "version": _doc("countries", "version", 5),
    "entries": _doc("countries", "entries", {}),
    "entry not an object": _doc("countries", "entries", ["ES"]),
    "no source": _set("countries", "source", " "),
    "empty name": _set("countries", "name", ""),
    "country code": _set("countries", "code", "es"),
    "district code": _set("districts", "code", "nyss"),
    "id": _set("legal_bases", "id", "Bad Id"),
    "flag": _set("legal_bases", "verified", "yes"),
    "strings": _set("legal_bases", "countries", "ES"),
    "date type": _set("legal_bases", "signed", 2001),
    "date": _set("legal_bases", "in_force", "not a date"),
    "duplicate": _duplicate_country,
    "kind": _set("legal_bases", "kind", "pact"),
    "no country": _set("legal_bases", "countries", []),
    "unknown country": _set("legal_bases", "countries", ["QQ"]),
    "cloud act": _cloud_act_without_date,
    "identifier kinds": _set("providers", "identifier_kinds", ["fax", "email"]),
    "district": _set("providers", "hq_district", "ZZZ"),
    "alias": _alias_of_another,
    "flags": _set("offence_categories", "flags", ["bogus"]),
    "keywords object": _set("offence_categories", "keywords", []),
    "keywords locale": _set("offence_categories", "keywords", {"English": ["x"]}),
    "keywords list": _set("offence_categories", "keywords", {"es": "x"}),
    "flagged": _flagged_without_keywords,
    "missing kind": _missing_kind,
}


@pytest.fixture(scope="module")
def pristine() -> Docs:
    return read_documents()


def _problems(pristine: Docs, name: str) -> list[ReferenceProblem]:
    docs = copy.deepcopy(pristine)
    BROKEN[name](docs)
    return problems_of(docs)


def _file_problems(tmp_path: Path) -> list[ReferenceProblem]:
    (tmp_path / "bad.json").write_text('{"version": ', encoding="utf-8")
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "latin.json").write_bytes('{"name": "Bogotá"}'.encode("latin-1"))
    found = []
    for attempt in (lambda: read_document(tmp_path / "absent.json"),
                    lambda: read_document(tmp_path / "bad.json"),
                    lambda: read_document(tmp_path / "folder.json"),
                    lambda: read_document(tmp_path / "latin.json"),
                    lambda: read_documents(tmp_path / "absent"),
                    lambda: parse_documents({})):
        with pytest.raises(ReferenceProblem) as raised:
            attempt()
        found.append(raised.value)
    return found


def _check(problem: ReferenceProblem) -> None:
    assert isinstance(problem, ReferenceProblem) and isinstance(problem, ValueError)
    assert problem.msgid in MARKED, f"not marked with N_: {problem.msgid!r}"
    wanted = {name: kind for name, kind in PLACEHOLDER.findall(problem.msgid)}
    assert set(problem.params) == set(wanted), problem.msgid
    for name, kind in wanted.items():
        assert isinstance(problem.params[name], int if kind == "d" else str), (name, problem)
    assert problem.msgid % dict(problem.params)  # fills without a missing or wrong value


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_broken_document_gives_a_marked_problem_with_its_values(
        pristine: Docs, name: str) -> None:
    problems = _problems(pristine, name)
    assert problems, name
    for problem in problems:
        _check(problem)


def test_every_marked_problem_is_produced_by_some_broken_input(pristine: Docs,
                                                               tmp_path: Path) -> None:
    """The cases above reach every raise site: a new problem needs a case here."""
    produced = {p.msgid for name in BROKEN for p in _problems(pristine, name)}
    files = _file_problems(tmp_path)
    for problem in files:
        _check(problem)
    assert MARKED - produced - {p.msgid for p in files} == set()


def test_the_english_line_reads_as_before(pristine: Docs, tmp_path: Path) -> None:
    first = {name: str(_problems(pristine, name)[0]) for name in BROKEN}
    assert first["unknown country"] == "legal_bases.json: entry 0: " \
        f"'{pristine['legal_bases']['entries'][0]['id']}': unknown country code 'QQ'"
    assert first["version"] == \
        "countries.json: 'version' must be a string like '2026-11-28.1', got 5"
    assert first["duplicate"].startswith("countries.json: entry 1: duplicate id ")
    assert first["duplicate"].endswith("(already used by entry 0)")
    assert first["missing kind"] == "reference data: missing districts.json"
    assert first["date"] == "legal_bases.json: entry 0: 'in_force' is not an ISO date: " \
        "'not a date'"
    absent, bad_json, _folder, latin, no_dir, none = _file_problems(tmp_path)
    assert str(absent) == f"reference data: missing file {tmp_path / 'absent.json'}"
    assert str(bad_json).startswith("bad.json: not valid JSON: Expecting value")
    assert str(latin) == f"reference data: not UTF-8: {tmp_path / 'latin.json'} at byte 15"
    assert str(no_dir) == f"reference data: {tmp_path / 'absent'} is not a directory"
    assert str(none).startswith("reference data: missing countries.json, districts.json")


def test_the_page_counts_entries_from_1_and_the_line_from_0(pristine: Docs) -> None:
    (problem,) = _problems(pristine, "duplicate")
    assert (problem.file, problem.entry) == ("countries.json", 1)
    assert problem.params["other"] == 1  # entry 0 for the English line, the 1st for people
    assert problem.params["key"] == pristine["countries"]["entries"][0]["code"]


def test_long_values_are_shortened_and_others_shown_as_json() -> None:
    assert shown("x" * 500) == "x" * (MAX_SHOWN - 1) + "\u2026"
    assert shown(None) == "null" and shown(5) == "5" and shown("ES") == "ES"
