"""``portal attachments rotate-keys``: put a new key first in PORTAL_ATTACHMENT_KEYS
(``new:...,old:...``), restart, run the command, then remove the old key once it reports no
failure. The same key ring seals the accounts' TOTP secrets and the webhook endpoints' secrets: they
are re-encrypted too."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.accounts.key_rotation import reseal_totp_secrets
from portal.attachments.service import rotate_keys
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import Database
from portal.webhooks.key_rotation import reseal_webhook_secrets


@click.group("attachments")
def attachments_group() -> None:
    """Attachment files: encryption keys."""


@attachments_group.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every attachment file, TOTP secret and webhook secret under the current key
    (the first listed)."""
    database: Database = current_app.extensions["portal.db"]
    settings: Settings = current_app.extensions["portal.settings"]
    result = rotate_keys(database, settings)
    click.echo(f"re-encrypted {result.rotated} file(s); {result.current} already under the "
               "current key")
    for attachment_id, problem in result.failed:
        click.echo(f"error: attachment {attachment_id}: {problem}", err=True)
    secrets = reseal_totp_secrets(database, KeyRing.from_settings(settings))
    click.echo(f"re-encrypted {secrets.rotated} TOTP secret(s); {secrets.current} already under "
               "the current key")
    for user_id, problem in secrets.failed:
        click.echo(f"error: TOTP secret of user {user_id}: {problem}", err=True)
    hooks = reseal_webhook_secrets(database, KeyRing.from_settings(settings))
    click.echo(f"re-encrypted {hooks.rotated} webhook secret(s); {hooks.current} already under "
               "the current key")
    for endpoint_id, problem in hooks.failed:
        click.echo(f"error: webhook secret of endpoint {endpoint_id}: {problem}", err=True)
    if result.failed or secrets.failed or hooks.failed:
        sys.exit(1)
