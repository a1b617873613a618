"""A draft's findings are kept by request id and revision, language, day and reference data
(portal.requests.checks.findings_of): a kept answer is the engine's answer, a new revision or
another language is evaluated again, and callers get their own list."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

from flask import Flask

from portal.contract.load import load_request
from portal.contract.model import Request
from portal.requests import checks
from portal.requests.models import MlaRequest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _load(path: Path) -> Request:
    loaded = load_request(json.loads(path.read_text(encoding="utf-8")))
    assert loaded.request is not None
    return loaded.request


def _draft(content: Request, request_id: int | None, revision: int) -> MlaRequest:
    return MlaRequest(id=request_id, revision=revision,
                      draft_json=json.dumps(content.to_dict(omit_defaults=True)))


def test_kept_findings_are_the_engines(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        for number, path in enumerate(EXAMPLES, start=1):
            content = _load(path)
            fresh = checks.compute(content, "fr")
            assert checks.findings_of(_draft(content, number, 1), "fr") == fresh
            again = checks.findings_of(_draft(content, number, 1), "fr")
            assert again == fresh
            again.clear()  # the caller's own list
            assert checks.findings_of(_draft(content, number, 1), "fr") == fresh
            assert checks.findings_of(_draft(content, None, 1), "fr") == fresh  # not stored


def test_a_new_revision_or_language_is_evaluated_again(app: Flask) -> None:
    content = _load(EXAMPLES[0])
    with app.test_request_context("/?lang=en"):
        before = checks.findings_of(_draft(content, 1, 1), "en")
        emptied = dataclasses.replace(content, offences=())
        after = checks.findings_of(_draft(emptied, 1, 2), "en")
        assert after == checks.compute(emptied, "en")
        assert after != before
        french = checks.findings_of(_draft(content, 1, 1), "fr")
        assert [f.code for f in french] == [f.code for f in before]
        assert french != before or not before  # titles in French


def test_compute_reads_the_day_it_is_given(app: Flask) -> None:
    dated = _load(next(p for p in EXAMPLES if p.name.startswith("05-")))  # a preservation
    day = date(2026, 11, 2)
    with app.test_request_context("/?lang=en"):
        now = checks.compute(dated, "en", day)
        expired = checks.compute(dated, "en", date(2036, 11, 2))  # the preservation expired
        assert "ELEC-PRESERVE-EXPIRY" in {f.code for f in expired} - {f.code for f in now}
