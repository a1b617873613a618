"""``load.validate`` answers a valid document from its parts (each checked alone, remembered by
its canonical JSON): the answer must be the full validator's, on every example request and on
the JSON import fuzzer's changes of them (values replaced, names removed or added)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.contract import load
from tests.hostile.test_fuzz_forms import near_valid_document

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))
DOCUMENTS = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]


def test_the_examples_are_valid_by_parts_and_in_full() -> None:
    assert DOCUMENTS
    for document in DOCUMENTS:
        assert load._valid_by_parts(document) is True
        assert load._validator().is_valid(document)
        assert load.validate(document) == []


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_valid_by_parts_agrees_with_the_full_validator(data: st.DataObject) -> None:
    changed = near_valid_document(data)  # the JSON import fuzzer's documents
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
    assert load._root_checks_parts_alone() is True  # the real schema (the answer is kept)
    schema = {**load.request_schema(), "allOf": [{"required": ["facts"]}]}
    monkeypatch.setattr(load, "request_schema", lambda: schema)
    assert load._root_checks_parts_alone.__wrapped__() is False  # computed anew
