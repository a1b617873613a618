"""``portal audit verify`` (the chain with the key, and every checkpoint) and ``portal audit
checkpoint`` (sign the head of the log into the checkpoint file, and e-mail it when set)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.audit.checkpoints import CheckpointRefused, checkpoint_file, write_checkpoint
from portal.audit.verify import verify_with_checkpoints
from portal.config import Settings
from portal.db import Database


def _db() -> Database:
    return current_app.extensions["portal.db"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.extensions["portal.settings"]  # type: ignore[no-any-return]


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--checkpoints", "extra", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file of checkpoint lines (kept from the e-mails) to check as well; "
                   "repeatable.")
@with_appcontext
def verify_command(extra: tuple[Path, ...]) -> None:
    """Check every row's hash and link with the audit keys, and the log against every
    checkpoint; exit status 1 when it was tampered with."""
    with _db().session() as db:
        result = verify_with_checkpoints(db, _settings(), extra)
    for problem in result.problems:
        click.echo(f"row {problem.event_id}: {problem.problem}")
    for checkpoint in result.checkpoint_problems:
        click.echo(f"checkpoint {checkpoint.source}: {checkpoint.problem}")
    if not result.intact:
        click.echo(f"audit log FAILED verification: {result.problem_count} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"audit log verified: the chain is intact ({result.rows} rows, "
               f"{result.legacy_rows} of them legacy rows from before the key) and matches "
               f"{result.checkpoints} checkpoint(s)")
    if not result.checkpoints:
        click.echo("warning: no checkpoint was read, so rows deleted from the end of the log "
                   "cannot be detected (portal audit checkpoint writes "
                   f"{checkpoint_file(_settings())})", err=True)


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Append the signed head of the log to the checkpoint file (and e-mail it when
    PORTAL_AUDIT_CHECKPOINT_EMAIL is set)."""
    settings = _settings()
    try:
        checkpoint = write_checkpoint(_db().engine, settings)
    except CheckpointRefused as exc:
        click.echo(f"no checkpoint written: {exc}", err=True)
        sys.exit(1)
    if checkpoint is None:
        click.echo("the audit log is empty: no checkpoint written")
        return
    click.echo(f"checkpoint written to {checkpoint_file(settings)}: row {checkpoint.event_id}, "
               f"hash {checkpoint.hash}")
    if settings.audit_checkpoint_email:
        click.echo(f"and queued for e-mail to {settings.audit_checkpoint_email} "
                   "(portal worker or portal mail send delivers it)")
