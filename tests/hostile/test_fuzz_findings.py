"""What the route fuzz (test_fuzz_routes.py) found, one regression test each, on both
databases: dates at the ends of the calendar and ids too large for the database get a page
that says what was wrong (or no such object), never a 500."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.jobs.models import Job, JobState
from portal.jobs.queue import enqueue
from tests.conftest import Accounts, csrf_token, login

FAR_DATES = ("0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01")


def test_a_dashboard_period_at_the_ends_of_the_calendar_is_explained(
        client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.TRIAGE))
    for name in ("from", "to"):
        for value in FAR_DATES:
            page = client.get(f"/triage/dashboard?{name}={value}")
            assert page.status_code == 200, (name, value, page.status_code)
            wrong = "The start date" if name == "from" else "The end date"
            assert f"{wrong} is not a valid date." in page.text
            table = client.get(f"/triage/dashboard/pending.csv?{name}={value}")
            assert table.status_code == 200, (name, value, table.status_code)
    # the widest dates still accepted shorten the period, as any long one
    page = client.get("/triage/dashboard?from=1900-01-01&to=2999-12-31")
    assert page.status_code == 200
    assert "The period was shortened to five years." in page.text


def test_statistics_at_the_ends_of_the_calendar_fall_back_to_the_last_year(
        client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    usual = client.get("/training/statistics")
    assert usual.status_code == 200
    for name in ("start", "end"):
        for value in FAR_DATES:
            page = client.get(f"/training/statistics?{name}={value}")
            assert page.status_code == 200, (name, value, page.status_code)
            assert "Outreach statistics" in page.text


def test_retrying_a_job_with_an_id_too_large_for_the_database_is_no_such_job(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.ADMIN))
    token = csrf_token(client, "/admin/jobs")
    for job_id in (2**31, 2**63, 10**20):
        response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
        assert response.status_code == 404, (job_id, response.status_code)
        assert "Page not found" in response.text
    # a failed job of an id the database holds is still retried
    database = app.extensions["portal.db"]
    with database.session() as db:
        enqueue(db, "jobs.prune", {}, max_attempts=1)
        db.flush()
        job = db.scalars(select(Job).order_by(Job.id.desc())).first()
        assert job is not None
        job.state = JobState.FAILED.value
        job_id = job.id
    response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with database.session() as db:
        assert db.scalar(select(Job.state).where(Job.id == job_id)) == JobState.WAITING.value
