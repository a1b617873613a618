"""The parts around the schedule: every table hanging on a request is known to the deletion,
the practice purge spares a held request, the settings, the command and the daily job."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from portal.accounts.models import Role, User
from portal.config import ConfigError, Settings
from portal.jobs import schedule as jobs_schedule
from portal.retention import removal
from portal.retention.hold import set_hold
from portal.retention.run import RUN
from portal.retention_settings import RetentionSettings
from portal.training import sandbox
from tests.conftest import Accounts
from tests.retention.helpers import database, draft, exists, request_row, schedule
from tests.training.helpers import long_ago, start


def test_every_table_hanging_on_a_request_is_known_to_the_deletion() -> None:
    """A new table with a foreign key into a request's rows fails this until it is listed in
    DEPENDENT_TABLES, after checking that the files its rows name are deleted too."""
    assert removal.dependent_tables() == set(removal.DEPENDENT_TABLES)
    assert {"attachments", "packages", "request_versions", "triage_keys",
            "request_messages"} <= removal.dependent_tables()
    assert "audit_events" not in removal.dependent_tables()


def test_a_held_practice_request_is_not_purged(app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    manager = accounts.create(Role.TRIAGE, manager=True)
    held, gone = (start(app, submitter, created_at=long_ago(60)) for _ in range(2))
    with database(app).session() as db:
        boss = db.get(User, manager.id)
        assert boss is not None
        set_hold(db, request_row(db, held), boss, "Preserve for the inquiry.")
    with database(app).sessionmaker() as db:
        report = sandbox.purge(db, settings)
    assert report.requests == [gone]
    assert exists(app, held) and not exists(app, gone)


def test_the_settings_read_from_the_environment() -> None:
    base = {"PORTAL_ENV": "testing", "PORTAL_SECRET_KEY": "x" * 40}
    assert Settings.from_env(base).retention == RetentionSettings()
    assert RetentionSettings().draft_days == 365 and RetentionSettings().closed_days == 0
    read = Settings.from_env({**base, "PORTAL_RETENTION_DRAFT_DAYS": "",
                              "PORTAL_RETENTION_CLOSED_DAYS": "3650",
                              "PORTAL_RETENTION_DROP_DAYS": " 30 "}).retention
    assert (read.draft_days, read.closed_days, read.drop_days) == (0, 3650, 30)
    with pytest.raises(ConfigError, match="PORTAL_RETENTION_PACKAGE_DAYS"):
        Settings.from_env({**base, "PORTAL_RETENTION_PACKAGE_DAYS": "ten"})
    negative = Settings.from_env({**base, "PORTAL_RETENTION_WITHDRAWN_DAYS": "-1"})
    with pytest.raises(ConfigError, match="PORTAL_RETENTION_WITHDRAWN_DAYS must not be neg"):
        negative.validate()


def test_the_run_is_a_daily_job() -> None:
    [task] = [t for t in jobs_schedule.tasks() if t.kind == RUN]
    assert task.seconds(Settings()) == 86_400


def test_the_daily_job_purges(app: Flask, accounts: Accounts) -> None:
    from portal.jobs.queue import enqueue
    from portal.jobs.worker import drain

    schedule(app, draft_days=1)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    old = draft(app, submitter)
    with database(app).session() as db:
        request_row(db, old).updated_at = long_ago(2)
        enqueue(db, RUN, {})
    assert drain(database(app).engine, app.extensions["portal.settings"]).kinds.get(RUN) == 1
    assert not exists(app, old)


def test_the_command_reports_without_case_content(app: Flask, accounts: Accounts) -> None:
    from portal.cli import main

    schedule(app, draft_days=1)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    old = draft(app, submitter)
    with database(app).session() as db:
        request_row(db, old).updated_at = long_ago(2)
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    dry = runner.invoke(main, ["retention", "run", "--dry-run"], obj=info)
    assert dry.exit_code == 0, dry.output
    assert f"draft (after 1 days): would purge 1: {old}" in dry.output
    assert "closed: kept for ever (0 days)" in dry.output
    assert exists(app, old)
    done = runner.invoke(main, ["retention", "run", "--json"], obj=info)
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["dry_run"] is False
    assert report["kinds"]["draft"] == {"days": 1, "count": 1, "purged": [old], "held": []}
    assert not exists(app, old)
