"""A draft's content is kept by request id and revision (portal.requests.drafts.content_of):
the kept model is the one built from the saved text, a new revision is read again, a request
not yet stored is read from its text, and the shared model cannot be changed by a reader."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from portal.contract.model import Request
from portal.requests import drafts
from portal.requests.models import MlaRequest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _draft(text: str | None, request_id: int | None = None, revision: int = 1) -> MlaRequest:
    return MlaRequest(id=request_id, draft_json=text, revision=revision)


def test_kept_content_is_the_content_built_from_the_text() -> None:
    assert len(EXAMPLES) > 20
    for number, path in enumerate(EXAMPLES, start=1):
        document = json.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(document.get("request", document))
        built = Request.from_dict(json.loads(text))
        first = drafts.content_of(_draft(text, number))
        assert first == built
        assert drafts.content_of(_draft(text, number)) is first  # the same revision again


def test_a_new_revision_is_read_again_and_no_text_is_an_empty_request() -> None:
    first = json.dumps({"facts": {"summary": {"text": "first"}}})
    second = json.dumps({"facts": {"summary": {"text": "second"}}})
    a = drafts.content_of(_draft(first, 7, revision=1))
    b = drafts.content_of(_draft(second, 7, revision=2))
    assert (a.facts.summary.text, b.facts.summary.text) == ("first", "second")
    unsaved = drafts.content_of(_draft(second))  # no id yet: read from its text
    assert unsaved.facts.summary.text == "second"
    assert drafts.content_of(_draft(None)) == Request() == drafts.content_of(_draft("{}"))


def test_the_shared_model_cannot_be_changed() -> None:
    content = drafts.content_of(_draft(json.dumps({"facts": {"summary": {"text": "kept"}}}), 3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        content.facts = content.facts  # type: ignore[misc]
    assert isinstance(content.offences, tuple)
