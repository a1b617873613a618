"""An admin reaches the background jobs from the home page, reads a failed job's error and runs
it again, in English, Spanish and Arabic (the error and the job's kind stay left to right)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.jobs.models import Job, JobState
from tests.browser.conftest import sign_in
from tests.conftest import Accounts
from tests.jobs.test_jobs_page import _failed_job

pytestmark = pytest.mark.browser

TITLES = {"en": "Background jobs", "es": "Tareas en segundo plano", "ar": "المهام في الخلفية"}
RETRIED = {"en": "The job will run again.", "es": "La tarea se ejecutará de nuevo.",
           "ar": "ستُشغَّل المهمة مرة أخرى."}


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_admin_runs_a_failed_job_again(  # type: ignore[no-untyped-def]
        app: Flask, accounts: Accounts, live_server: str, page, tmp_path: Path,
        locale: str) -> None:
    job_id = _failed_job(app)
    with app.extensions["portal.db"].session() as db:
        first = db.get(Job, job_id)
        assert first is not None and first.started_at is not None
        first_run = first.started_at
    admin = accounts.create(Role.ADMIN, locale=locale)
    sign_in(page, live_server, admin)
    page.click(f"nav.portal-nav a:has-text('{TITLES[locale]}')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLES[locale]
    error = page.locator("#jobs-failed .portal-job-error").first
    assert "refused the connection" in error.inner_text()
    assert error.evaluate("e => getComputedStyle(e).direction") == "ltr"
    box, table = error.bounding_box(), page.locator("#jobs-failed").bounding_box()
    assert box and table and box["x"] >= table["x"] - 1  # the error wraps inside its table
    page.screenshot(path=str(tmp_path / f"jobs-{locale}.png"), full_page=True)
    page.click("#jobs-failed button[type=submit]")
    page.wait_for_load_state()
    assert RETRIED[locale] in page.locator("main").inner_text()
    with app.extensions["portal.db"].session() as db:
        job = db.get(Job, job_id)
        # waiting, or already run again by the live server's worker
        assert job is not None and (job.state == JobState.WAITING.value or
                                    (job.started_at is not None and job.started_at > first_run))
