"""``portal training purge``: delete practice requests older than the retention setting."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.config import Settings
from portal.db import Database
from portal.training.sandbox import purge


@click.group("training")
def training_group() -> None:
    """Training mode: the practice sandbox."""


@training_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Purge practice (TRAINING) requests started more than PORTAL_TRAINING_RETENTION_DAYS
    (default 30) days ago, with their attachments and packages."""
    database: Database = current_app.extensions["portal.db"]
    settings: Settings = current_app.extensions["portal.settings"]
    total = 0
    with database.sessionmaker() as db:
        while True:
            report = purge(db, settings)
            total += len(report.requests)
            for error in report.errors:
                click.echo(f"error: {error}", err=True)
            if report.errors:
                sys.exit(1)
            if not report.requests:
                break
    click.echo(f"purged {total} practice request(s) older than "
               f"{settings.training_retention_days} days")
