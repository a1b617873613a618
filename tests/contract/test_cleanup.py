"""Blank entries of repeatable answers are dropped on save; items and attachments are kept."""

from __future__ import annotations

from portal.contract.cleanup import is_empty, without_empty_entries
from portal.contract.model import Narrative, Request


def test_blank_entries_are_dropped_at_every_depth() -> None:
    request = Request.from_dict({
        "requesting_authority": {"case_references": ["DP 1834/2026", "  ", ""]},
        "persons": [{"name": "John Roe", "role": "suspect"}, {"name": " ", "role": ""}],
        "offences": [{"name": {"text": "", "english": " ", "language": "es"}}],
        "assistance": [
            {"type": "other"},
            {"type": "subscriber_info",
             "identifiers": [{"kind": "email", "value": "a@example.org"}, {"value": "   "}]},
        ],
        "preservation": [{"date": "", "channel": "", "identifier": ""}],
        "attachments": [{"filename": ""}],
    })
    cleaned = without_empty_entries(request)
    assert cleaned.requesting_authority.case_references == ("DP 1834/2026",)
    assert [p.name for p in cleaned.persons] == ["John Roe"]
    assert cleaned.offences == ()
    assert cleaned.preservation == ()
    assert [i.type for i in cleaned.assistance] == ["other", "subscriber_info"]
    assert [i.value for i in cleaned.assistance[1].identifiers] == ["a@example.org"]
    assert len(cleaned.attachments) == 1


def test_an_entry_with_any_answer_is_kept() -> None:
    request = Request.from_dict({"persons": [{"role": "witness"}],
                                 "preservation": [{"channel": "oia"}]})
    assert without_empty_entries(request) == request
    assert is_empty(Narrative(text=" ", english="\t", language="en"))
    assert not is_empty(Narrative(text="x"))
    assert without_empty_entries(Request()) == Request()
