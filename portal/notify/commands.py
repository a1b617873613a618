"""``portal triage remind``: the day's reminders and digests (what the daily job does)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.config import Settings
from portal.db import Database
from portal.notify.reminders import remind


@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@with_appcontext
def remind_command(dry_run: bool) -> None:
    """Remind OIA staff of referrals due in PORTAL_NOTIFY_REFERRAL_DAYS days (default 3) or
    overdue and of urgency dates within PORTAL_NOTIFY_URGENCY_DAYS (default 5), and send the
    daily digests; each once (a second run the same day sends nothing)."""
    database: Database = current_app.extensions["portal.db"]
    settings: Settings = current_app.extensions["portal.settings"]
    with database.sessionmaker() as db:
        report = remind(db, settings)
        if dry_run:
            db.rollback()
        else:
            db.commit()
    for email, kind, reference in report.sent:
        click.echo(f"{'would send' if dry_run else 'sent'} {kind} {reference} to {email}")
    click.echo(f"{len(report.sent)} reminder(s), {report.digests} digest(s)"
               f"{' (dry run: nothing sent)' if dry_run else ''}")
