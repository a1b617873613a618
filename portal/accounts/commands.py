"""``portal api-token create EMAIL``: a personal API token for a submitter or a triage
account, printed once (only its hash is kept), and ``portal api-token revoke PREFIX``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.accounts import tokens
from portal.accounts.auth import normalize_email
from portal.accounts.models import ApiToken, User
from portal.accounts.operations import AccountError, Actor
from portal.db import Database

CLI_ACTOR = Actor(None, "cli")


def _db() -> Database:
    return current_app.extensions["portal.db"]  # type: ignore[no-any-return]


@click.group("api-token")
def api_token_group() -> None:
    """Personal API tokens (the API at /api/v1 acts as the token's account)."""


@api_token_group.command("create")
@click.argument("email")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
@click.option("--expires-days", type=click.IntRange(1, tokens.MAX_EXPIRY_DAYS),
              default=tokens.DEFAULT_EXPIRY_DAYS, show_default=True,
              help="Days until the token stops working.")
@with_appcontext
def create_command(email: str, name: str, expires_days: int) -> None:
    """Create a token for the account EMAIL and print it (shown this once only)."""
    with _db().session() as db:
        user = db.scalar(select(User).where(User.email == normalize_email(email)))
        if user is None:
            raise click.ClickException(f"no account {email}")
        try:
            token, raw = tokens.create(db, CLI_ACTOR, user, name=name, expires_days=expires_days)
        except AccountError as error:
            raise click.ClickException(error.message) from error
        expires = token.expires_at.date().isoformat() if token.expires_at else "never"
        about = f"token {token.prefix} for {user.email}, expires {expires}; it is shown once:"
    click.echo(about, err=True)
    click.echo(raw)


@api_token_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def revoke_command(prefix: str) -> None:
    """Revoke the token whose visible prefix is PREFIX."""
    with _db().session() as db:
        token = db.scalar(select(ApiToken).where(ApiToken.prefix == prefix.strip()))
        if token is None:
            raise click.ClickException(f"no token {prefix}")
        done = tokens.revoke(db, CLI_ACTOR, token)
    click.echo(f"token {prefix} revoked" if done else f"token {prefix} was already revoked")
