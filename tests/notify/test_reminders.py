"""The daily run: referral and urgency reminders and the digests, each sent once however
often it runs (the command, its dry run, and the scheduled job)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import Settings
from portal.jobs import schedule
from portal.jobs.models import Job
from portal.mail import messages
from portal.notify.commands import remind_command
from portal.notify.preferences import DIGEST, Preference
from portal.notify.reminders import REMIND, remind
from portal.requests.models import MlaRequest
from portal.triage import operations as ops
from tests.conftest import Account, Accounts, run_jobs
from tests.notify.conftest import (
    PERSON,
    assert_no_case_content,
    mails_to,
    notes_of,
    prefer,
    staff,
    submitted,
)
from tests.triage.conftest import session, user

TODAY = datetime.now(UTC).date()


def _referred(app: Flask, settings: Settings, accounts: Accounts, due_in: int,
              attorney_locale: str = "en") -> tuple[Account, Account, str, date]:
    """A request assigned to an attorney and referred, due in ``due_in`` days."""
    manager = staff(accounts, manager=True)
    attorney = staff(accounts, locale=attorney_locale)
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, _public_id, reference = submitted(app, settings, submitter)
    due = TODAY + timedelta(days=max(due_in, 0))
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        actor = user(db, manager)
        ops.open_request(db, settings, actor, request)
        ops.accept(db, settings, actor, request)
        ops.assign(db, settings, actor, request, user(db, attorney))
        ops.refer(db, settings, actor, request, "CAN", due)
    return manager, attorney, reference, due


def _run(app: Flask, settings: Settings, today: date) -> int:
    with session(app) as db:
        return len(remind(db, settings, today).sent)


def test_a_referral_due_soon_then_overdue_is_reminded_once_each(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    manager, attorney, reference, due = _referred(app, settings_obj, accounts, 2, "ar")
    assert _run(app, settings_obj, TODAY - timedelta(days=5)) == 0  # not within 3 days yet
    assert _run(app, settings_obj, TODAY) == 1
    assert _run(app, settings_obj, TODAY) == 0  # a second run the same day
    assert _run(app, settings_obj, TODAY + timedelta(days=1)) == 0  # and the next day
    assert _run(app, settings_obj, due + timedelta(days=1)) == 1  # overdue: once more
    assert _run(app, settings_obj, due + timedelta(days=2)) == 0
    reminders = [m for m in mails_to(app, attorney) if m.kind.startswith("notify.referral")]
    assert [m.kind for m in reminders] == ["notify.referral_due", "notify.referral_overdue"]
    subject, _body = messages.STAFF_TEXTS["referral_due"]
    from portal.i18n_core import get_translations

    assert reminders[0].subject == get_translations("ar").gettext(subject) % {
        "reference": reference, "date": due.isoformat()}
    assert all(m.locale == "ar" for m in reminders)
    for mail in reminders:
        assert_no_case_content(mail)
    assert not [m for m in mails_to(app, manager) if m.kind.startswith("notify.")]


def test_an_urgency_date_approaching_is_reminded_once(app: Flask, settings_obj: Settings,
                                                      accounts: Accounts) -> None:
    covering = staff(accounts, countries=("ES",))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    submitted(app, settings_obj, submitter, urgent_in=4)
    submitted(app, settings_obj, submitter, urgent_in=30)  # far off: not yet
    submitted(app, settings_obj, submitter)  # not urgent
    assert _run(app, settings_obj, TODAY) == 1
    assert _run(app, settings_obj, TODAY) == 0
    [mail] = mails_to(app, covering)
    assert mail.kind == "notify.urgency"
    assert (TODAY + timedelta(days=4)).isoformat() in mail.subject
    assert_no_case_content(mail)


def test_the_digest_is_one_mail_a_day_with_counts_and_links(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    manager = staff(accounts, manager=True)
    reader = staff(accounts, locale="fr")
    prefer(app, reader, assigned=Preference(DIGEST, True))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    made = [submitted(app, settings_obj, submitter) for _ in range(2)]
    with session(app) as db:
        for rid, _public_id, _reference in made:
            request = db.get(MlaRequest, rid)
            assert request is not None
            ops.assign(db, settings_obj, user(db, manager), request, user(db, reader))
    assert mails_to(app, reader) == [] and len(notes_of(app, reader)) == 2
    with session(app) as db:
        report = remind(db, settings_obj, TODAY)
        assert report.digests == 1
    with session(app) as db:
        assert remind(db, settings_obj, TODAY).digests == 0
    [mail] = mails_to(app, reader)
    assert mail.kind == "notify.digest" and mail.locale == "fr"
    assert ": 2" in mail.body  # the count of assignments
    for _rid, public_id, reference in made:
        assert reference in mail.body and f"/triage/{public_id}" in mail.body
    assert PERSON not in mail.body
    assert_no_case_content(mail)
    assert not any(n.digest_pending for n in notes_of(app, reader))
    # what comes later waits for tomorrow's digest
    rid, _public_id, _reference = submitted(app, settings_obj, submitter)
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        ops.assign(db, settings_obj, user(db, manager), request, user(db, reader))
        assert remind(db, settings_obj, TODAY).digests == 0
    with session(app) as db:
        assert remind(db, settings_obj, TODAY + timedelta(days=1)).digests == 1


def test_the_command_and_its_dry_run(app: Flask, settings_obj: Settings,
                                     accounts: Accounts) -> None:
    _manager, attorney, reference, _due = _referred(app, settings_obj, accounts, 1)
    runner = app.test_cli_runner()
    dry = runner.invoke(remind_command, ["--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would send referral_due {reference}" in dry.output
    assert not [m for m in mails_to(app, attorney) if m.kind == "notify.referral_due"]
    for expected in (1, 0):  # run twice: sent once
        done = runner.invoke(remind_command, [])
        assert done.exit_code == 0, done.output
        assert f"{expected} reminder(s)" in done.output
    assert len([m for m in mails_to(app, attorney) if m.kind == "notify.referral_due"]) == 1


def test_the_daily_job_runs_the_reminders_once(app: Flask, settings_obj: Settings,
                                               accounts: Accounts) -> None:
    assert any(task.kind == REMIND and task.seconds(settings_obj) == 86400
               for task in schedule.tasks())
    _manager, attorney, _reference, _due = _referred(app, settings_obj, accounts, 0)
    engine = app.extensions["portal.db"].engine
    for _ in range(2):  # two workers' polls: one job for the day
        schedule.enqueue_due(engine, settings_obj)
        run_jobs(app)
    with session(app) as db:
        jobs = list(db.scalars(select(Job).where(Job.kind == REMIND)))
        assert len(jobs) == 1 and jobs[0].state == "done"
    # the command run by hand the same day sends nothing again
    assert app.test_cli_runner().invoke(remind_command, []).exit_code == 0
    assert len([m for m in mails_to(app, attorney) if m.kind == "notify.referral_due"]) == 1
