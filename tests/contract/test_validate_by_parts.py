"""``load.validate`` answers a valid document from its parts (each checked alone, remembered by
its canonical JSON): the answer must be the full validator's, on every example request and on
generated changes of them (wrong types, unknown names, values out of range, removed parts)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.contract import load

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))
DOCUMENTS = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]

JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=30),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                      st.integers(), max_size=2),
                 st.just("x" * 5000), st.just("2026-02-30"), st.just("not an e-mail"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _mutate(document: dict[str, Any], path: tuple[Any, ...], action: str, junk: Any
            ) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    if not path:
        doc["unknown_part"] = junk
        return doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "extra" and isinstance(parent[last], dict):
        parent[last]["unknown_field"] = junk
    else:
        parent[last] = junk
    return doc


def test_the_examples_are_valid_by_parts_and_in_full() -> None:
    assert DOCUMENTS
    for document in DOCUMENTS:
        assert load._valid_by_parts(document) is True
        assert load._validator().is_valid(document)
        assert load.validate(document) == []


@settings(max_examples=300, deadline=None)
@given(data=st.data(), junk=JUNK, action=st.sampled_from(["replace", "delete", "extra"]))
def test_valid_by_parts_agrees_with_the_full_validator(data: st.DataObject, junk: Any,
                                                       action: str) -> None:
    document = data.draw(st.sampled_from(DOCUMENTS))
    path = data.draw(st.sampled_from(_paths(document)))
    changed = _mutate(document, path, action, junk)
    full = load._validator().is_valid(changed)
    assert load._valid_by_parts(changed) is full
    errors = load.validate(changed)
    assert (errors == []) is full  # an invalid document still gets its explained errors


def test_documents_that_are_not_plain_json_go_to_the_full_validator() -> None:
    from types import MappingProxyType

    document = DOCUMENTS[0]
    assert load._valid_by_parts(MappingProxyType(document)) is False
    assert (load.validate(MappingProxyType(document)) == []) is \
        load._validator().is_valid(MappingProxyType(document))


def test_a_root_schema_that_does_not_check_parts_alone_disables_the_shortcut(
        monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {**load.request_schema(), "allOf": [{"required": ["facts"]}]}
    monkeypatch.setattr(load, "request_schema", lambda: schema)
    assert load._root_checks_parts_alone.__wrapped__() is False
    assert load._root_checks_parts_alone() is True  # the real schema (answer kept)
