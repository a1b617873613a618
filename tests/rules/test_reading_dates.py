"""The date reader: dates written in every interface language are read back; odd input never
breaks it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.rules.reading import lexicon, read_dates, write_date
from portal.rules.reading.dates import STYLES, find_dates

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@settings(max_examples=400, deadline=None)
@given(DATES, st.sampled_from(lexicon.LANGUAGES), st.sampled_from(STYLES))
def test_a_written_date_reads_back_as_the_same_day(day: date, language: str, style: str) -> None:
    written = write_date(day, language, style)
    found = read_dates(f"— {written} —")
    assert [(m.first, m.last) for m in found] == [(day, day)], written


@settings(max_examples=300, deadline=None)
@given(DATES, st.sampled_from(lexicon.LANGUAGES))
def test_a_date_in_a_sentence_reads_back(day: date, language: str) -> None:
    written = write_date(day, language)
    found = find_dates(f"The events of {written}, as reported, happened.")
    assert found == [day]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_unicode(value: str) -> None:
    for mention in read_dates(value):
        assert 0 <= mention.start < mention.end <= len(value)
        assert mention.first <= mention.last


@pytest.mark.parametrize(("text", "expected"), [
    ("Between 3 February and 27 September 2026 the suspect", ["2026-02-03", "2026-09-27"]),
    ("del 3 de febrero al 27 de septiembre de 2026", ["2026-02-03", "2026-09-27"]),
    ("du 3 février au 27 septembre 2026", ["2026-02-03", "2026-09-27"]),
    ("vom 3. Februar bis 27. September 2026", ["2026-02-03", "2026-09-27"]),
    ("de 3 de fevereiro a 27 de setembro de 2026", ["2026-02-03", "2026-09-27"]),
    ("с 3 февраля по 27 сентября 2026 года", ["2026-02-03", "2026-09-27"]),
    ("2026年2月3日至9月27日", ["2026-02-03", "2026-09-27"]),
    ("من ٣ فبراير إلى ٢٧ سبتمبر ٢٠٢٦", ["2026-02-03", "2026-09-27"]),
    ("في ٣ شباط ٢٠٢٦", ["2026-02-03"]),
    ("from 3 to 27 September 2026", ["2026-09-03", "2026-09-27"]),
    ("from 20 December to 5 January 2027", ["2026-12-20", "2027-01-05"]),
    ("le 1er mars 2026", ["2026-03-01"]),
    ("on March 5, 2026 and 2026-03-06 and 07/03/2026", ["2026-03-05", "2026-03-06", "2026-03-07"]),
    ("в марте 2026 года", ["2026-03-01", "2026-03-31"]),
    ("It may 5 times happen; born in 1980.", []),
])
def test_dates_in_texts(text: str, expected: list[str]) -> None:
    assert [d.isoformat() for d in find_dates(text)] == expected
