"""``portal attachments rotate-keys``: put a new key first in PORTAL_ATTACHMENT_KEYS
(``new:...,old:...``), restart, run the command, then remove the old key once it reports no
failure."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.attachments.service import rotate_keys
from portal.config import Settings
from portal.db import Database


@click.group("attachments")
def attachments_group() -> None:
    """Attachment files: encryption keys."""


@attachments_group.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every attachment file under the current key (the first listed)."""
    database: Database = current_app.extensions["portal.db"]
    settings: Settings = current_app.extensions["portal.settings"]
    result = rotate_keys(database, settings)
    click.echo(f"re-encrypted {result.rotated} file(s); {result.current} already under the "
               "current key")
    for attachment_id, problem in result.failed:
        click.echo(f"error: attachment {attachment_id}: {problem}", err=True)
    if result.failed:
        sys.exit(1)
