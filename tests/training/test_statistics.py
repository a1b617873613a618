"""Outreach statistics: aggregates per country and period, counts under 5 suppressed, training
requests never counted, no case content, and only for trainers, managers and admins."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.training import statistics
from portal.training.statistics import Count
from portal.triage.models import TriageEntry, TriageReturn, TriageReturnItem
from tests.conftest import Accounts, login
from tests.training.conftest import session, user_of
from tests.triage.conftest import SVG, content, drawn_charts, make_submitted

SPEECH = [{"code": "GEN-SPEECH", "severity": "warning", "path": "offences[0].category",
           "acknowledgement": "The posts threaten violence."}]


def test_counts_under_five_are_suppressed() -> None:
    assert [Count.of(n).value for n in (0, 1, 4, 5, 17)] == [0, None, None, 5, 17]
    assert Count.of(3).suppressed and not Count.of(0).suppressed


def _world(app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"]
    staff = accounts.create(Role.TRIAGE)
    now = datetime.now(UTC) - timedelta(days=3)
    people = {c: accounts.create(Role.SUBMITTER, country=c) for c in ("ES", "FR", "DE")}
    practising = accounts.create(Role.SUBMITTER, country="DE")
    with session(app) as db:
        def made(country: str, n: int, *, returned: int = 0, codes: tuple[str, ...] = (),
                 findings: list[dict[str, str]] | None = None, warned: int = 0,
                 at: datetime = now) -> None:
            submitter = user_of(db, people[country])
            for index in range(n):
                req = make_submitted(db, settings, submitter,
                                     content(country, persons=("Secret Suspect Name",)),
                                     findings=findings if index < warned else [], at=at)
                if index < returned:
                    ret = TriageReturn(request_id=req.id, version=1, actor_id=staff.id,
                                       country=country, at=at)
                    db.add(ret)
                    db.flush()
                    for code in codes[: 1 if index >= 2 else len(codes)]:
                        db.add(TriageReturnItem(return_id=ret.id, code=code))
        made("ES", 7, returned=6, codes=("ELEC-PROVIDER", "ELEC-IP-TIME"))
        made("FR", 3)
        made("DE", 10, returned=5, codes=("GEN-FACTS",), findings=SPEECH, warned=5)
        made("ES", 9, returned=9, codes=("GEN-BASIS",), at=now - timedelta(days=800))
        trainee = user_of(db, practising)
        for _ in range(6):  # practice requests: even with a queue entry, never counted
            req = make_submitted(db, settings, trainee, content("DE"), training=True, at=now)
            db.add(TriageEntry(request_id=req.id, authority_id=req.authority_id, country="DE",
                               status="submitted", submitted_at=now, last_submitted_at=now))


def test_figures_per_country(app: Flask, accounts: Accounts) -> None:
    _world(app, accounts)
    today = date.today()
    with session(app) as db:
        figures = statistics.compute(db, today - timedelta(days=365), today)
    rows = {row.country: row for row in figures.rows}
    assert set(rows) == {"DE", "ES", "FR"}
    de, es, fr = rows["DE"], rows["ES"], rows["FR"]
    assert (de.submitted.value, de.returned.value, de.share) == (10, 5, 0.5)
    assert [(r.code, r.count.value) for r in de.return_rules] == [("GEN-FACTS", 5)]
    assert [(r.code, r.count.value) for r in de.warning_rules] == [("GEN-SPEECH", 5)]
    # 7 submitted and 6 returned: the share would reveal the one not returned
    assert (es.submitted.value, es.returned.value, es.share) == (7, 6, None)
    assert [(r.code, r.count.value) for r in es.return_rules] == [("ELEC-PROVIDER", 6),
                                                                  ("ELEC-IP-TIME", None)]
    assert fr.submitted.suppressed and fr.returned.value == 0 and fr.share is None
    with session(app) as db:
        only = statistics.compute(db, today - timedelta(days=365), today, "ES")
        old = statistics.compute(db, today - timedelta(days=1000), today - timedelta(days=700))
    assert [r.country for r in only.rows] == ["ES"]
    assert [(r.country, r.submitted.value) for r in old.rows] == [("ES", 9)]


def test_the_page_shows_aggregates_only(app: Flask, client: FlaskClient,
                                        accounts: Accounts) -> None:
    _world(app, accounts)
    login(client, accounts.create(Role.TRAINER))
    page = client.get("/training/statistics")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "fewer than 5" in text and "GEN-SPEECH" in text and "50 %" in text
    (chart,) = drawn_charts(page.text)
    assert chart.get("aria-labelledby") == "chart-share-returned-title chart-share-returned-desc"
    # DE, the one country whose share is shown: 50 %, the longest bar
    assert [t.text for t in chart.iter(SVG + "text")] == ["Germany", "50"]
    assert "Secret Suspect Name" not in text and "MLA-" not in text
    country = client.get("/training/statistics?country=DE&start=2000-01-01&end=2100-01-01")
    assert country.status_code == 200 and "GEN-FACTS" in country.text
    assert "ELEC-PROVIDER" not in country.text


@pytest.mark.parametrize(("role", "manager", "status"), [
    (Role.TRAINER, False, 200), (Role.ADMIN, False, 200), (Role.TRIAGE, True, 200),
    (Role.TRIAGE, False, 302), (Role.SUBMITTER, False, 403)])
def test_who_sees_the_statistics(client: FlaskClient, accounts: Accounts, role: Role,
                                 manager: bool, status: int) -> None:
    login(client, accounts.create(role, manager=manager))
    response = client.get("/training/statistics")
    assert response.status_code == status
    if status == 302:  # an attorney who is not a manager goes to the triage dashboard
        assert response.headers["Location"].endswith("/triage/dashboard")
