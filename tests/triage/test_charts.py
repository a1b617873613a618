"""The charts: their geometry (portal/triage/charts.py), the SVG the macro of
templates/macros/charts.html draws from it, and the charts of the dashboard page (labelled by
their title and description, every text escaped)."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.accounts.models import Role, User
from portal.requests.models import MlaRequest
from portal.triage import charts
from portal.triage import operations as ops
from tests.conftest import Accounts, login
from tests.triage.conftest import SVG, content, drawn_charts, make_submitted, session, user

HOSTILE = '<script>alert("x")</script>'


def test_bar_chart_geometry() -> None:
    chart = charts.bar_chart("chart-x", "Title", "Description", [
        charts.Bar("CAN", 4, highlight=1), charts.Bar("A label longer than twenty-eight", 2.5),
        charts.Bar("NYS", 1, highlight=3)])
    assert (chart.kind, chart.width, chart.height) == ("bar", 640, 106)
    assert (chart.title_id, chart.desc_id) == ("chart-x-title", "chart-x-desc")
    assert chart.axes == (charts.Axis("180", "8", "180", "98"),)
    assert [(b.label.text, b.y, b.width, b.alert_width, b.value.x, b.value.text)
            for b in chart.bars] == [
        ("CAN", "8", "400.0", "100.0", "586.0", "4"),
        ("A label longer than twenty-…", "38", "250.0", "", "436.0", "2.5"),
        ("NYS", "68", "100.0", "100.0", "286.0", "1")]  # the alert part never overruns
    assert chart.bars[0].label == charts.Label("174", "23.4", "CAN", "end")
    with pytest.raises(dataclasses.FrozenInstanceError):
        chart.title = "Other"  # type: ignore[misc]


def test_line_chart_geometry() -> None:
    chart = charts.line_chart("chart-y", "Title", "Description",
                              [("2026-01-05", 2.0), ("2026-01-12", 4.0), ("2026-01-19", 0.0)])
    assert chart.kind == "line" and chart.bars == ()
    assert chart.polyline == "48.0,110.0 336.0,16.0 624.0,204.0"
    assert [(t.y, t.text) for t in chart.ticks] == [("26", "4"), ("204", "0")]
    assert [(x.x, x.text, x.anchor) for x in chart.x_labels] == [
        ("48", "2026-01-05", ""), ("624", "2026-01-19", "end")]


def test_empty_charts() -> None:
    bars = charts.bar_chart("chart-x", "Title", "Description", [])
    assert (bars.height, bars.bars) == (46, ())
    line = charts.line_chart("chart-y", "Title", "Description", [])
    assert (line.points, line.x_labels, line.polyline) == ((), (), "")
    assert [t.text for t in line.ticks] == ["1", "0"]


def test_the_macro_draws_the_svg(app: Flask) -> None:
    draw = app.jinja_env.get_template("macros/charts.html").module.draw_chart  # type: ignore[attr-defined]
    bars = charts.bar_chart("chart-x", 'A "title"', "D & d", [charts.Bar("A<b>", 2, 1)])
    assert str(draw(bars)) == (
        '<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" role="img" '
        'viewBox="0 0 640 46" width="100%" aria-labelledby="chart-x-title chart-x-desc" '
        'focusable="false"><title id="chart-x-title">A &#34;title&#34;</title>'
        '<desc id="chart-x-desc">D &amp; d</desc>'
        '<line x1="180" y1="8" x2="180" y2="38" stroke="#565c65" stroke-width="1"/>'
        '<text x="174" y="23.4" text-anchor="end" font-size="12" fill="#1b1b1b">A&lt;b&gt;</text>'
        '<rect x="180" y="8" width="400.0" height="22" fill="#1a4480"/>'
        '<rect x="180" y="8" width="200.0" height="22" fill="#b50909"/>'
        '<text x="586.0" y="23.4" font-size="12" fill="#1b1b1b">2</text></svg>')
    line = charts.line_chart("chart-y", "T", "D", [("a", 1.0), ("b", 2.0)], height=100)
    assert str(draw(line)) == (
        '<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" role="img" '
        'viewBox="0 0 640 100" width="100%" aria-labelledby="chart-y-title chart-y-desc" '
        'focusable="false"><title id="chart-y-title">T</title><desc id="chart-y-desc">D</desc>'
        '<line x1="48" y1="64" x2="624" y2="64" stroke="#565c65" stroke-width="1"/>'
        '<line x1="48" y1="16" x2="48" y2="64" stroke="#565c65" stroke-width="1"/>'
        '<text x="42" y="26" text-anchor="end" font-size="12" fill="#1b1b1b">2</text>'
        '<text x="42" y="64" text-anchor="end" font-size="12" fill="#1b1b1b">0</text>'
        '<polyline points="48.0,40.0 624.0,16.0" fill="none" stroke="#1a4480" stroke-width="2"/>'
        '<circle cx="48.0" cy="40.0" r="2.5" fill="#1a4480"/>'
        '<circle cx="624.0" cy="16.0" r="2.5" fill="#1a4480"/>'
        '<text x="48" y="88" font-size="12" fill="#1b1b1b">a</text>'
        '<text x="624" y="88" text-anchor="end" font-size="12" fill="#1b1b1b">b</text></svg>')


def test_the_dashboard_escapes_labels_and_labels_each_chart(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    manager = accounts.create(Role.TRIAGE, manager=True)
    attorney = accounts.create(Role.TRIAGE)
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    with session(app) as db:
        db.execute(update(User).where(User.id == attorney.id).values(name=HOSTILE))
        request = make_submitted(db, app.extensions["portal.settings"], user(db, submitter),
                                 content("ES"))
    with session(app) as db:
        found = db.get(MlaRequest, request.id)
        assert found is not None
        settings, actor = app.extensions["portal.settings"], user(db, manager)
        ops.open_request(db, settings, actor, found)
        ops.assign(db, settings, actor, found, user(db, attorney))
    login(client, manager)
    page = client.get("/triage/dashboard").text
    assert HOSTILE not in page and "alert(&#34;x&#34;)" in page
    drawn = {svg.get("aria-labelledby"): svg for svg in drawn_charts(page)}
    assert len(drawn) == 7
    attorneys = drawn["chart-attorneys-title chart-attorneys-desc"]
    assert HOSTILE in [t.text for t in attorneys.iter(SVG + "text")]
