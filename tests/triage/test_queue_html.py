"""The queue rows (templates/triage/_queue_rows.html) show what OIA reads of each request:
eleven cells, references and codes kept left to right, the flags, the link to the package, and
every value from the database escaped, in every language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask, render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.contract.model import ASSISTANCE_TYPES
from portal.i18n_core import day_name
from portal.requests.models import Status
from portal.triage.queue import Row
from portal.triage.target_clock import Standing
from portal.web.triage.queue_rows import shown_rows

LOCALES = ["en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"]
ROWS_TEMPLATE = '{% from "triage/_queue_rows.html" import queue_rows %}{{ queue_rows(rows) }}'

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
    referral_district=TEXT, referral_due=st.none() | DAYS, overdue=st.booleans(), handoff=TEXT,
    target=st.sampled_from(["", "first_action", "decision"]), target_due=st.none() | DAYS,
    target_standing=st.none() | st.builds(Standing, st.integers(0, 40), st.booleans()))


def _row(**changes: object) -> Row:
    values: dict[str, object] = dict(
        request_id=1, public_id="abc", reference="MLA-1", country="ES", status="submitted",
        types=("bank_records",), urgency_date=None, submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
        age_days=3, assignee="", blockers=1, warnings=0, acknowledged=0, duplicate=False,
        resubmit_unchanged=False, referral_district="", referral_due=None, overdue=False,
        handoff="")
    values.update(changes)
    return Row(**values)  # type: ignore[arg-type]


def _render(app: Flask, rows: list[Row], locale: str = "en") -> str:
    with app.test_request_context(f"/triage?lang={locale}"):
        return render_template_string(ROWS_TEMPLATE, rows=shown_rows(rows, locale))


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][ >].*?</t[hd]>", row, re.S)
            for row in re.findall(r"<tr.*?</tr>", html, re.S)]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROWS, min_size=1, max_size=4), locale=st.sampled_from(LOCALES))
def test_each_row_has_its_eleven_cells_and_nothing_unescaped(app: Flask, rows: list[Row],
                                                          locale: str) -> None:
    html = _render(app, rows, locale)
    cells = _cells(html)
    assert len(cells) == len(rows) and all(len(row) == 11 for row in cells)
    # the only tags are the template's: nothing from the database became markup
    tags = set(re.findall(r"<(/?[a-z]+)", html))
    assert tags <= {"tr", "/tr", "th", "/th", "td", "/td", "a", "/a", "bdi", "/bdi", "span",
                    "/span", "strong", "/strong", "br"}
    for row, shown in zip(rows, cells, strict=True):
        assert f'<bdi dir="ltr">{_escaped(row.reference)}</bdi>' in shown[0]
        assert f'<bdi dir="ltr">{_escaped(row.country)}</bdi>' in shown[1]
        assert f'href="/triage/{_escaped(row.public_id)}"' in shown[0]
        assert shown[3] == f"<td>{row.age_days}</td>"
        assert shown[8].count("portal-tag--warning") == row.duplicate + row.resubmit_unchanged
        assert ("portal-tag--blocker" in shown[9]) == bool(row.referral_district and row.overdue)
        late = bool(row.target and row.target_standing and row.target_standing.overdue)
        assert ("portal-tag--blocker" in shown[6]) == late


def _escaped(value: str) -> str:
    from markupsafe import escape

    return str(escape(value))


def test_rows_are_translated_escaped_and_flagged(app: Flask) -> None:
    row = _row(reference="MLA-<1>", status="referred", urgency_date=date(2026, 3, 1),
               assignee="<script>x</script>", blockers=1, warnings=2, duplicate=True,
               referral_district="D&C", referral_due=date(2026, 2, 1), overdue=True)
    html = _render(app, [row], "fr")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<bdi dir="ltr">MLA-&lt;1&gt;</bdi>' in html
    assert '<bdi dir="ltr">D&amp;C</bdi>, échéance le ' in html  # escaped, then translated
    assert "1 bloquant, 2 " in html and 'class="portal-overdue"' in html
    assert '<strong class="usa-tag portal-tag portal-tag--blocker">' in html
    assert day_name(date(2026, 3, 1), "fr") in html
    assert 'usa-tag portal-tag portal-tag--warning' in html  # the possible duplicate


def test_rows_in_arabic_keep_references_left_to_right(app: Flask) -> None:
    html = _render(app, [_row(reference="MLA-2026-000123", referral_district="CAN",
                              referral_due=date(2026, 2, 1), status="referred")], "ar")
    assert '<bdi dir="ltr">MLA-2026-000123</bdi>' in html
    # the district and its due date joined as Arabic writes it (its comma, not ", ")
    assert '<bdi dir="ltr">CAN</bdi>، الموعد النهائي ' in html
    assert "Not assigned" not in html  # translated


def test_optional_cells_show_a_dash_and_flags_only_when_set(app: Flask) -> None:
    plain = _cells(_render(app, [_row()]))[0]
    assert plain[4] == "<td>–</td>" and plain[9] == "<td>–</td>" and plain[10] == "<td>–</td>"
    assert plain[6] == "<td>–</td>"  # no service target owed
    assert "Not assigned" in plain[7]
    assert "portal-tag--warning" not in plain[8] and "acknowledged" not in plain[8]
    flagged = _cells(_render(app, [_row(acknowledged=2, warnings=3, resubmit_unchanged=True,
                                        assignee="Ana", handoff="queued")]))[0]
    assert "(2 acknowledged)" in flagged[8] and "Resubmitted unchanged" in flagged[8]
    assert "Ana" in flagged[7] and "queued" in flagged[10]


def test_no_row_says_so(app: Flask) -> None:
    html = _render(app, [])
    assert "No request matches." in html and html.count("<tr") == 1


def test_service_target_badges(app: Flask) -> None:
    rows = [_row(target="first_action", target_due=date(2026, 1, 5),
                 target_standing=Standing(3, False)),
            _row(target="decision", target_due=date(2026, 1, 5),
                 target_standing=Standing(2, True)),
            _row(target="first_action", target_due=date(2026, 1, 5),
                 target_standing=Standing(1, False)),
            _row(target="decision", target_due=date(2026, 1, 5),
                 target_standing=Standing(0, False))]
    cells = [row[6] for row in _cells(_render(app, rows))]
    assert cells[0] == "<td>First action: due in 3 working days</td>"
    assert cells[1] == ('<td>Decision: <strong class="usa-tag portal-tag portal-tag--blocker">'
                        "overdue by 2 working days</strong></td>")
    assert cells[2] == "<td>First action: due in 1 working day</td>"  # the singular
    assert cells[3] == "<td>Decision: due today</td>"
