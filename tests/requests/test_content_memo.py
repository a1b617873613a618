"""A draft's content is remembered by its saved JSON text (portal.requests.drafts.content_of):
the remembered model is the one built from the text, a changed text is built again, and the
shared model cannot be changed by a reader."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from portal.contract.model import Request
from portal.requests import drafts
from portal.requests.models import MlaRequest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _draft(text: str | None) -> MlaRequest:
    return MlaRequest(draft_json=text)


def test_remembered_content_is_the_content_built_from_the_text() -> None:
    assert len(EXAMPLES) > 20
    for path in EXAMPLES:
        document = json.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(document.get("request", document))
        built = Request.from_dict(json.loads(text))
        first = drafts.content_of(_draft(text))
        assert first == built
        assert drafts.content_of(_draft(str(text))) is first  # the same text read again


def test_a_changed_text_is_built_again_and_no_text_is_an_empty_request() -> None:
    a = drafts.content_of(_draft(json.dumps({"facts": {"summary": {"text": "first"}}})))
    b = drafts.content_of(_draft(json.dumps({"facts": {"summary": {"text": "second"}}})))
    assert (a.facts.summary.text, b.facts.summary.text) == ("first", "second")
    assert drafts.content_of(_draft(None)) == Request() == drafts.content_of(_draft("{}"))


def test_the_shared_model_cannot_be_changed() -> None:
    content = drafts.content_of(_draft(json.dumps({"facts": {"summary": {"text": "kept"}}})))
    with pytest.raises(dataclasses.FrozenInstanceError):
        content.facts = content.facts  # type: ignore[misc]
    assert isinstance(content.offences, tuple)
