"""The ``portal`` command."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from portal import wiring  # noqa: F401 - connects the domains' events
from portal.accounts import totp
from portal.accounts.models import Authority, Role
from portal.accounts.operations import Actor, create_user
from portal.accounts.passwords import policy_problems
from portal.app import create_app
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import Database
from portal.demo import DEMO_ACCOUNTS, load_demo
from portal.demo_requests import load_demo_requests
from portal.mail.outbox import deliver_pending
from portal.triage.demo_volume import run_volume, volume_options

CLI_ACTOR = Actor(None, "cli")


def _app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """MLA request intake portal. `portal run` is the development server; in production run
    gunicorn from the project's directory, which reads ./gunicorn.conf.py (README.md)."""


def _db() -> Database:
    return current_app.extensions["portal.db"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.extensions["portal.settings"]  # type: ignore[no-any-return]


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from portal.migrate import upgrade

    upgrade(_db().engine, settings=_settings())
    click.echo("database is at the latest migration")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--authority", "authority_id", type=int, default=None,
              help="Authority id (submitters only).")
@click.option("--manager", is_flag=True, help="OIA manager (triage only).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--totp/--no-totp", "totp_flag", default=None,
              help="Enrol a second factor (always on for triage, trainer and admin).")
@with_appcontext
def create_user_command(email: str, name: str, role: str, authority_id: int | None,
                        manager: bool, password: str, totp_flag: bool | None) -> None:
    """Create an account with a password (for bootstrapping the first administrator)."""
    settings = _settings()
    problems = policy_problems(password, min_length=settings.password_min_length,
                               max_length=settings.password_max_length)
    if problems:
        raise click.ClickException(" ".join(msg % params for msg, params in problems))
    role_enum = Role(role)
    secret = None
    if role_enum is not Role.SUBMITTER or totp_flag:
        secret = totp.new_secret()
    with _db().session() as db:
        if role_enum is Role.SUBMITTER and (authority_id is None
                                            or db.get(Authority, authority_id) is None):
            raise click.ClickException("a submitter needs --authority with an existing id")
        create_user(db, current_app.extensions["portal.hasher"], CLI_ACTOR, email=email,
                    name=name, role=role_enum, password=password, authority_id=authority_id,
                    is_manager=manager, totp_secret=secret,
                    keyring=KeyRing.from_settings(settings))
    click.echo(f"created {email} ({role})")
    if secret:
        click.echo(f"TOTP secret (enter it in an authenticator app): {secret}")
        click.echo(f"provisioning URI: {totp.provisioning_uri(secret, email)}")


@main.command("demo")
@volume_options
@with_appcontext
def demo(volume: int, seed: int) -> None:
    """Load demo authorities and one account per role; print the accounts."""
    settings = _settings()
    if settings.is_production:
        raise click.ClickException("refusing to load demo data in production")
    with _db().session() as db:
        created = load_demo(db, current_app.extensions["portal.hasher"],
                            KeyRing.from_settings(settings))
    click.echo("demo data loaded" if created else "demo data already present")
    with _db().session() as db:
        if load_demo_requests(db, settings, click.echo):
            click.echo("demo requests submitted and taken to several states")
    if volume:
        run_volume(_db(), volume, seed, click.echo)
    click.echo("")
    click.echo("Demo accounts (development only):")
    for account in DEMO_ACCOUNTS:
        line = f"  {account.role.value:<9} {account.email:<36} password: {account.password}"
        if account.totp_secret:
            line += (f"  TOTP secret: {account.totp_secret}"
                     f" (code now: {totp.current_code(account.totp_secret)})")
        click.echo(line)
    click.echo("")
    click.echo("Current TOTP codes: portal totp-code SECRET")


@main.command("totp-code")
@click.argument("secret")
def totp_code(secret: str) -> None:
    """Print the current code for a TOTP secret (development helper for demo accounts)."""
    click.echo(totp.current_code(secret))


@main.group("triage")
def triage_group() -> None:
    """OIA's triage queue."""


@triage_group.command("rebuild")
@click.option("--all", "everything", is_flag=True, help="Rebuild every entry, not only the "
              "missing ones.")
@with_appcontext
def triage_rebuild(everything: bool) -> None:
    """Rebuild the queue entries of submitted requests (missing ones, or all)."""
    from portal.triage.intake import rebuild, rebuild_missing

    with _db().session() as db:
        if everything:
            click.echo(f"{rebuild(db, settings=_settings())} queue entries rebuilt")
        else:
            click.echo(f"{rebuild_missing(db, settings=_settings())} missing entries rebuilt")


@triage_group.command("rebuild-aggregates")
@with_appcontext
def triage_rebuild_aggregates() -> None:
    """Recount the dashboard's daily counts from the queue, returns and referrals (after rows
    were written in bulk, or to repair them; running it again changes nothing)."""
    from portal.triage.daily_counts import rebuild

    with _db().session() as db:
        click.echo(f"{rebuild(db)} daily counts rebuilt")


@triage_group.command("targets")
@with_appcontext
def triage_targets() -> None:
    """Recompute every queue entry's service targets from its timeline, with the current
    PORTAL_TARGET_* (after changing them)."""
    from portal.triage.targets import recompute

    with _db().session() as db:
        click.echo(f"{recompute(db, _settings().targets)} queue entries recomputed")


@main.group("mail")
def mail() -> None:
    """The e-mail outbox."""


@mail.command("send")
@with_appcontext
def mail_send() -> None:
    """Deliver the messages waiting in the outbox."""
    count = deliver_pending(_db().session, _settings())
    click.echo(f"{count} message(s) delivered")


def _register_domain_commands() -> None:
    from portal.accounts.commands import api_token_group
    from portal.attachments.commands import attachments_group
    from portal.audit.commands import audit_group
    from portal.jobs.commands import jobs_group, worker_command
    from portal.notify.commands import remind_command
    from portal.packages.commands import forward_command, package_group
    from portal.retention.commands import retention_group
    from portal.rules.commands import check_command, rules_command
    from portal.training.commands import training_group
    from portal.web.api.commands import openapi_command

    main.add_command(check_command, "check")
    main.add_command(rules_command, "rules")
    main.add_command(attachments_group, "attachments")
    main.add_command(audit_group, "audit")
    main.add_command(training_group, "training")
    main.add_command(retention_group, "retention")
    main.add_command(package_group, "package")
    main.add_command(forward_command, "forward")
    main.add_command(worker_command, "worker")
    main.add_command(jobs_group, "jobs")
    triage_group.add_command(remind_command, "remind")
    main.add_command(api_token_group, "api-token")
    main.add_command(openapi_command, "openapi")


_register_domain_commands()
