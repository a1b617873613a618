"""``portal.triage.queue_html.rows_html`` renders the queue rows that the Jinja loop of
templates/triage/queue.html rendered (the loop is kept in former_queue_rows.html), on generated
rows in every language: hostile text in every field from the database, counts that take each
plural form, every status and type, and rows with and without each optional cell."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask, render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.contract.model import ASSISTANCE_TYPES
from portal.i18n_core import day_name
from portal.lru import LRU
from portal.requests.models import Status
from portal.triage.queue import Page, Row
from portal.triage.queue_html import rows_html

FORMER_ROWS = (Path(__file__).parent / "former_queue_rows.html").read_text(encoding="utf-8")
LOCALES = ["en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"]

TEXT = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'é中-")), max_size=10)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
COUNT = st.integers(min_value=0, max_value=25)

ROWS = st.builds(
    Row, request_id=st.integers(1, 10**6), public_id=TEXT, reference=TEXT, country=TEXT,
    status=st.sampled_from([*(s.value for s in Status), "unknown<status>"]),
    types=st.lists(st.sampled_from([*ASSISTANCE_TYPES, "odd&type"]), max_size=3).map(tuple),
    urgency_date=st.none() | DAYS,
    submitted_at=st.just(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    age_days=st.integers(0, 5000), assignee=TEXT, blockers=COUNT, warnings=COUNT,
    acknowledged=COUNT, duplicate=st.booleans(), resubmit_unchanged=st.booleans(),
    referral_district=TEXT, referral_due=st.none() | DAYS, overdue=st.booleans(), handoff=TEXT)


KEPT: LRU[tuple[Row, str, str], str] = LRU(64)


def _normalized(html: str) -> str:
    """Without the loop's indentation: white space is collapsed and dropped next to tags (the
    spaces the rows need there are checked by test_rows_are_translated_and_escaped)."""
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROWS, min_size=1, max_size=6), locale=st.sampled_from(LOCALES))
def test_rows_are_what_the_template_loop_rendered(app: Flask, rows: list[Row],
                                                  locale: str) -> None:
    with app.test_request_context(f"/triage?lang={locale}"):
        former = render_template_string(FORMER_ROWS, page=Page(rows, None))
        href = "/triage/"
        now = str(rows_html(rows, href, lambda day: day_name(day, locale)))
        # rows kept between pages (one LRU for every example and language) give the same
        kept = str(rows_html(rows, href, lambda day: day_name(day, locale), kept=KEPT,
                             locale=locale))
    assert _normalized(now) == _normalized(former)
    assert now.count("<tr") == len(rows)
    assert kept == now


def test_rows_are_translated_and_escaped(app: Flask) -> None:
    row = Row(request_id=1, public_id="abc", reference="MLA-<1>", country="ES",
              status="referred", types=("bank_records",), urgency_date=date(2026, 3, 1),
              submitted_at=datetime(2026, 1, 1, tzinfo=UTC), age_days=3,
              assignee="<script>x</script>", blockers=1, warnings=2, acknowledged=0,
              duplicate=True, resubmit_unchanged=False, referral_district="D&C",
              referral_due=date(2026, 2, 1), overdue=True, handoff="")
    with app.test_request_context("/triage?lang=fr"):
        html = str(rows_html([row], "/triage/", lambda day: day_name(day, "fr")))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "MLA-&lt;1&gt;" in html and "D&amp;C" in html
    assert "1 bloquant, 2 " in html and 'class="portal-overdue"' in html
    assert ' <strong class="usa-tag portal-tag portal-tag--blocker">' in html
    assert day_name(date(2026, 3, 1), "fr") in html


def test_kept_rows_are_told_apart_by_language_address_and_every_value(app: Flask) -> None:
    row = Row(request_id=1, public_id="abc", reference="MLA-1", country="ES",
              status="submitted", types=("bank_records",), urgency_date=None,
              submitted_at=datetime(2026, 1, 1, tzinfo=UTC), age_days=3, assignee="",
              blockers=1, warnings=0, acknowledged=0, duplicate=False,
              resubmit_unchanged=False, referral_district="", referral_due=None,
              overdue=False, handoff="")
    kept: LRU[tuple[Row, str, str], str] = LRU(16)
    variants = [(row, "fr", "/triage/"), (row, "en", "/triage/"), (row, "en", "/x/"),
                (Row(**{**row.__dict__, "age_days": 4}), "en", "/triage/"),
                (Row(**{**row.__dict__, "status": "assigned"}), "en", "/triage/")]
    seen = set()
    for current, locale, href in variants:
        with app.test_request_context(f"/triage?lang={locale}"):
            def day(value: date, locale: str = locale) -> str:
                return day_name(value, locale)

            fresh = str(rows_html([current], href, day))
            assert str(rows_html([current], href, day, kept=kept, locale=locale)) == fresh
        seen.add(fresh)
    assert len(seen) == len(variants) and len(kept) == len(variants)
