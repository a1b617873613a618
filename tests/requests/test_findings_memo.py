"""The wizard's findings are remembered by content, language and day
(portal.requests.checks.compute): a remembered answer is the engine's answer, a changed draft,
language or day is evaluated again, and callers get their own list."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

from flask import Flask

from portal.contract.load import load_request
from portal.contract.model import Request
from portal.requests import checks
from portal.rules import default_context

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _load(path: Path) -> Request:
    loaded = load_request(json.loads(path.read_text(encoding="utf-8")))
    assert loaded.request is not None
    return loaded.request


def test_remembered_findings_are_the_engines(app: Flask) -> None:
    day = date(2026, 11, 2)
    with app.test_request_context("/?lang=fr"):
        for path in EXAMPLES:
            content = _load(path)
            fresh = checks._compute(content, "fr", default_context(today=day))
            assert checks.compute(content, "fr", day) == fresh
            again = checks.compute(_load(path), "fr", day)  # read again: an equal key
            assert again == fresh
            again.clear()  # the caller's own list
            assert checks.compute(content, "fr", day) == fresh


def test_a_changed_draft_language_or_day_is_evaluated_again(app: Flask) -> None:
    content = _load(EXAMPLES[0])
    day = date(2026, 11, 2)
    with app.test_request_context("/?lang=en"):
        before = checks.compute(content, "en", day)
        emptied = dataclasses.replace(content, offences=())
        after = checks.compute(emptied, "en", day)
        assert after == checks._compute(emptied, "en", default_context(today=day))
        assert after != before
        french = checks.compute(content, "fr", day)
        assert [f.code for f in french] == [f.code for f in before]
        assert french != before or not before  # titles in French
    dated = _load(next(p for p in EXAMPLES if p.name.startswith("05-")))  # a preservation
    with app.test_request_context("/?lang=en"):
        now = checks.compute(dated, "en", day)
        later = day + timedelta(days=3650)  # the preservation has expired by then
        expired = checks.compute(dated, "en", later)
        assert expired == checks._compute(dated, "en", default_context(today=later))
        assert "ELEC-PRESERVE-EXPIRY" in {f.code for f in expired} - {f.code for f in now}
