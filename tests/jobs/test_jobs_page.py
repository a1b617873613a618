"""The admins' page of background jobs: counts, the failed jobs with their error and a retry
(audited, with its form token), in the page's language; other roles never see it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.jobs import queue
from portal.jobs.models import Job, JobState
from tests.conftest import Accounts, login, run_jobs


@queue.handler("test.page.fail")
def _fail(_context: queue.JobContext, _payload: dict[str, object]) -> None:
    raise ConnectionError("the SMTP server at mail.example refused the connection")


def _failed_job(app: Flask) -> int:
    database = app.extensions["portal.db"]
    with database.session() as db:
        queue.enqueue(db, "test.page.fail", max_attempts=1)
        queue.enqueue(db, "mail.deliver")
    run_jobs(app)
    with database.session() as db:
        job_id = db.scalar(select(Job.id).where(Job.kind == "test.page.fail"))
        assert job_id is not None
        return job_id


def test_admin_sees_a_failed_job_with_its_error_and_runs_it_again(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    job_id = _failed_job(app)
    login(client, accounts.create(Role.ADMIN))
    home = client.get("/")
    assert 'href="/admin/jobs"' in home.text  # reached from the navigation
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    failed = page.text.split('id="jobs-failed"')[1].split("</table>")[0]
    assert "test.page.fail" in failed and "1/1" in failed
    assert "ConnectionError: the SMTP server at mail.example refused the connection" in failed
    done = page.text.split('id="jobs-done"')[1].split("</table>")[0]
    assert "Deliver the e-mail waiting in the outbox" in done and "mail.deliver" in done
    token = re.search(r'name="csrf_token" value="([^"]+)"', failed)
    assert token is not None
    assert client.post(f"/admin/jobs/{job_id}/retry", data={}).status_code == 400
    with app.extensions["portal.db"].session() as db:  # no token: nothing done
        assert db.get(Job, job_id).state == JobState.FAILED.value  # type: ignore[union-attr]
    response = client.post(f"/admin/jobs/{job_id}/retry",
                           data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert "The job will run again." in client.get("/admin/jobs").text
    with app.extensions["portal.db"].session() as db:
        job = db.get(Job, job_id)
        assert job is not None and job.state == JobState.WAITING.value and job.attempts == 0
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"jobs.viewed", "job.retried"} <= actions
    again = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token.group(1)})
    assert again.status_code == 302  # not failed any more: refused with a message
    assert "This job cannot run again" in client.get("/admin/jobs").text


def test_the_page_speaks_the_admins_language(app: Flask, client: FlaskClient,
                                             accounts: Accounts) -> None:
    _failed_job(app)
    login(client, accounts.create(Role.ADMIN))
    spanish = client.get("/admin/jobs?lang=es").text
    assert "Tareas en segundo plano" in spanish and "Tareas fallidas" in spanish
    assert "Volver a ejecutar" in spanish and "Fallida" in spanish
    arabic = client.get("/admin/jobs?lang=ar").text
    assert 'dir="rtl"' in arabic and "المهام في الخلفية" in arabic
    assert '<code dir="ltr">test.page.fail</code>' in arabic  # codes stay left to right


def test_only_admins_see_the_jobs(app: Flask, accounts: Accounts) -> None:
    job_id = _failed_job(app)
    for role in (Role.SUBMITTER, Role.TRIAGE, Role.TRAINER):
        client = app.test_client()
        login(client, accounts.create(role))
        assert client.get("/admin/jobs").status_code in (403, 404)
        assert client.post(f"/admin/jobs/{job_id}/retry").status_code in (400, 403, 404)
    assert app.test_client().get("/admin/jobs").status_code == 302  # to the sign-in page
