"""Property-based fuzzing (hypothesis) of every wizard form field and of the JSON import:
whatever is posted, never a 500 nor a stack trace, and a refusal is always explained (the
page shows its error summary). Each test is bounded (max_examples, no deadline)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from portal.requests.models import MlaRequest
from portal.requests.sections import SECTIONS
from tests.hostile.conftest import Owner, assert_no_leak, token_of
from tests.requests.htmlform import read_form

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
EXPLAINED = ("There is a problem", "saved this draft after you opened this page")

# Text without lone surrogates (a browser cannot send them in UTF-8 form data).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
hostile_value = st.one_of(
    any_text,
    st.sampled_from([
        "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "\u200f\u061c\u2066x\u2069",
        "\r\n\t\x0b\x0c\x1b[31m", "<script>alert(1)</script>", "' OR 1=1 --", "{{ 7*7 }}",
        "%(name)s %s {0}", "../../etc/passwd", "\ufeff\ufffe\uffff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍⚖️",
        "-1", "0", "-0", "1e309", "NaN", "Infinity", "99999999999999999999999999",
        "-9223372036854775809", "0x10", "1_000", "３", "٣",
        "0000-00-00", "9999-12-31", "10000-01-01", "1900-02-29", "2024-13-45", "-0001-01-01",
        "2024-02-30", "1970-01-01T00:00:00Z", "99/99/9999",
        "__unknown_choice__", "y", "on", "true", "False",
    ]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from(["A", "é", "\u202e", "\x00", "ب"]),
              st.sampled_from([1000, 20_000, 200_000])),
)


def _section_form(owner: Owner, slug: str) -> list[tuple[str, str]]:
    page = owner.client.get(f"/requests/{owner.public_id}/{slug}")
    assert page.status_code == 200, page.status_code
    assert_no_leak(page.text)
    return read_form(page.text, "portal-wizard-form")


def _mutate(data: st.DataObject, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    names = [k for k, _v in fields if k not in ("csrf_token",)]
    chosen = set(data.draw(st.lists(st.sampled_from(names), max_size=6), label="fields"))
    out = [(k, data.draw(hostile_value, label=k) if k in chosen else v) for k, v in fields]
    extra = data.draw(st.sampled_from(["none", "duplicate", "extra", "drop"]), label="keys")
    if extra == "duplicate" and names:
        name = data.draw(st.sampled_from(names), label="duplicated")
        out.append((name, data.draw(hostile_value, label="duplicate value")))
    elif extra == "extra":
        out.append((data.draw(st.sampled_from(["x", "assistance-99-type", "revision2",
                                               "facts-summary-text-extra", "\x00"])),
                    data.draw(hostile_value)))
    elif extra == "drop" and names:
        dropped = data.draw(st.sampled_from(names), label="dropped")
        out = [(k, v) for k, v in out if k != dropped]
    op = data.draw(st.sampled_from(["draft", "continue", "add:assistance", "remove:persons[0]",
                                    "add:nowhere", "remove:assistance[99]", "", "\x00"]))
    return [*out, ("op", op)]


@pytest.mark.parametrize("slug", [s.slug for s in SECTIONS])
def test_any_input_to_a_section_page_is_answered_or_explained(app: Flask, owner: Owner,
                                                              slug: str) -> None:
    url = f"/requests/{owner.public_id}/{slug}"
    database = app.extensions["portal.db"]
    where = MlaRequest.public_id == owner.public_id
    with database.session() as db:
        original = db.scalar(select(MlaRequest.draft_json).where(where))

    @settings(FUZZ, max_examples=15)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        with database.session() as db:  # every example starts from the same draft
            db.execute(update(MlaRequest).where(where).values(draft_json=original,
                                                             revision=MlaRequest.revision + 1))
        fields = _mutate(data, _section_form(owner, slug))
        response = owner.client.post(url, data=MultiDict(fields))
        assert response.status_code in (302, 400, 409), (response.status_code, fields)
        assert_no_leak(response.text)
        if response.status_code != 302:
            assert any(text in response.text for text in EXPLAINED), response.text[:2000]
        # whatever was saved can be shown again
        _section_form(owner, slug)

    fuzz()
    for check in ("", "/check", "/review", "/export.json"):
        response = owner.client.get(f"/requests/{owner.public_id}{check}")
        assert response.status_code == 200, (check, response.status_code)
        assert_no_leak(response.text)


def _import(owner: Owner, body: bytes) -> Any:
    page = owner.client.get("/requests/import")
    return owner.client.post("/requests/import", data={
        "csrf_token": token_of(page.text), "file": (io.BytesIO(body), "request.json")},
        content_type="multipart/form-data")


def _check_import(owner: Owner, body: bytes) -> None:
    response = _import(owner, body)
    assert response.status_code in (302, 400), response.status_code
    assert_no_leak(response.text)
    if response.status_code == 400:
        assert "The file is not a valid request" in response.text or \
            "There is a problem" in response.text, response.text[:2000]
    else:
        draft = owner.client.get(response.headers["Location"])
        assert draft.status_code == 200
        assert_no_leak(draft.text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(any_text, children, max_size=4), max_leaves=20)


def test_arbitrary_json_import_is_explained(owner: Owner) -> None:
    @FUZZ
    @given(value=json_values)
    def fuzz(value: Any) -> None:
        _check_import(owner, json.dumps(value).encode())

    fuzz()


def test_arbitrary_bytes_import_is_explained(owner: Owner) -> None:
    @settings(FUZZ, max_examples=25)
    @given(body=st.binary(max_size=300) | st.sampled_from([
        b"", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"[" * 100_000 + b"]" * 100_000,
        b'{"a": 1, "a": 2}', b"NaN", b'{"language": "en"' , b"\x00" * 100]))
    def fuzz(body: bytes) -> None:
        _check_import(owner, body)

    fuzz()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def near_valid_document(data: st.DataObject) -> Any:
    """An example request with one to three changes: a value replaced (by any JSON value or
    a hostile text), a name deleted or an unknown one added (also used by
    tests/contract/test_validate_by_parts.py)."""
    source = data.draw(st.sampled_from(sorted(EXAMPLES.glob("*.json"))), label="example")
    document = json.loads(source.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(_paths(document)[1:]), label="path")
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        how = data.draw(st.sampled_from(["replace", "delete", "extra", "text"]), label="how")
        last = path[-1]
        if how == "delete":
            del parent[last]
        elif how == "extra" and isinstance(parent, dict):
            parent[data.draw(any_text, label="key")] = data.draw(json_values, label="value")
        elif how == "text":
            parent[last] = data.draw(hostile_value, label="text")
        else:
            parent[last] = data.draw(json_values, label="value")
    return document


def _near_valid(data: st.DataObject) -> bytes:
    document = near_valid_document(data)
    text = json.dumps(document, ensure_ascii=data.draw(st.booleans(), label="ascii"))
    if data.draw(st.booleans(), label="duplicate key"):
        text = text.replace("{", '{"language": "xx", ', 1)
    return text.encode("utf-8", "surrogatepass")


def test_near_valid_contract_documents_import_or_are_explained(owner: Owner) -> None:
    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        _check_import(owner, _near_valid(data))

    fuzz()
