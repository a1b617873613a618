"""``portal retention run [--dry-run] [--json]``: purge what the retention schedule says is due
(the daily job does the same), or only report it."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.config import Settings
from portal.db import Database
from portal.retention.run import RetentionReport, run


@click.group("retention")
def retention_group() -> None:
    """Retention schedule: purges per PORTAL_RETENTION_* (audit entries are never purged)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Report what is due; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def run_command(dry_run: bool, as_json: bool) -> None:
    """Purge unsubmitted drafts, withdrawn and closed requests, package bags and drop-folder
    copies past their days (0 keeps for ever); requests under a legal hold are skipped. The
    report names public ids and counts only. Exit status 1 when a file could not be deleted."""
    database: Database = current_app.extensions["portal.db"]
    settings: Settings = current_app.extensions["portal.settings"]
    with database.sessionmaker() as db:
        report = run(db, settings, dry_run=dry_run)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else text(report))
    if report.errors:
        sys.exit(1)


def text(report: RetentionReport) -> str:
    verb = "would purge" if report.dry_run else "purged"
    lines = ["retention run (dry run: nothing changed)" if report.dry_run else "retention run"]
    for name, kind in report.kinds.items():
        if kind.days <= 0:
            lines.append(f"{name}: kept for ever (0 days)")
            continue
        lines.append(f"{name} (after {kind.days} days): {verb} {len(kind.purged)}"
                     + (f": {', '.join(kind.purged)}" if kind.purged else ""))
        if kind.held:
            lines.append(f"  skipped under legal hold: {len(kind.held)}: {', '.join(kind.held)}")
    if not report.dry_run:
        lines.append(f"files deleted: {report.files}, bags deleted: {report.bags}")
    lines.extend(f"error: {error}" for error in report.errors)
    return "\n".join(lines)
