"""The text-reading rules on the corpus: every code at the target precision and recall, and
docs/RULES_QUALITY.md up to date."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.rules.corpus import quality
from tests.rules.corpus.harness import LANGUAGES, cases, score

AMENDED = ("GEN-ENGLISH", "ELEC-CONTENT-PC", "ELEC-INTERCEPT", "ELEC-CSLI", "ELEC-PEN-DURATION",
           "GEN-DATE-FUTURE")


def test_the_corpus_covers_each_amended_rule_in_every_language() -> None:
    counts = Counter((c.rule, c.label) for c in cases())
    langs: dict[str, set[str]] = {}
    for case in cases():
        langs.setdefault(case.rule, set()).add(case.lang)
    for rule in AMENDED:
        assert counts[(rule, "good")] >= 15 and counts[(rule, "deficient")] >= 15, rule
        assert langs[rule] == set(LANGUAGES), rule


@pytest.mark.parametrize("code", AMENDED)
def test_precision_and_recall_meet_the_target(code: str) -> None:
    s = score()[code]
    assert s.precision >= quality.TARGET, (code, s.precision, s.false_alarms)
    assert s.recall >= quality.TARGET, (code, s.recall, s.misses)


def test_rules_quality_document_is_current() -> None:
    assert quality.OUTPUT.read_text(encoding="utf-8") == quality.render(), (
        "docs/RULES_QUALITY.md is out of date: run python -m tests.rules.corpus.quality")
