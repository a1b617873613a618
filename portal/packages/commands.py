"""``portal package build|verify|repair|sweep`` and ``portal forward``."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.config import Settings
from portal.db import Database
from portal.jobs.worker import install_signal_handlers
from portal.packages import forwarder
from portal.packages.bag import BuildError, build_bag
from portal.packages.building import load_source
from portal.packages.disk import TEMP_DIR_NAME
from portal.packages.models import Package
from portal.packages.repair import repair, sweep
from portal.packages.targets import target_for
from portal.packages.verify import verify_package


def _db() -> Database:
    return current_app.extensions["portal.db"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.extensions["portal.settings"]  # type: ignore[no-any-return]


@click.group("package")
def package_group() -> None:
    """Packages: build, verify, repair."""


def _version_label(ctx: click.Context, param: click.Parameter,
                   value: str | None) -> tuple[int, int] | None:
    """``1`` (the version as submitted) or ``1.1`` (its minor version with added documents)."""
    del ctx, param
    if value is None:
        return None
    match = re.fullmatch(r"(\d{1,6})(?:\.(\d{1,6}))?", value.strip())
    if match is None:
        raise click.BadParameter("a version such as 2 or 1.1")
    return int(match.group(1)), int(match.group(2) or 0)


@package_group.command("build")
@click.argument("reference")
@click.option("--version", "version", default=None, callback=_version_label,
              help="Version: 2, or 1.1 for documents added to version 1 (default: the latest).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory in which the bag is written (as <reference>-v<N>[.<M>]).")
@with_appcontext
def build_command(reference: str, version: tuple[int, int] | None, out: Path) -> None:
    """Build the package of a submitted version from its frozen data into DIR."""
    with _db().session() as db:
        query = select(Package).where(Package.reference == reference)
        if version is not None:
            query = query.where(Package.version == version[0], Package.minor == version[1])
        package = db.scalar(query.order_by(Package.version.desc(), Package.minor.desc())
                            .limit(1))
        if package is None:
            label = "" if version is None else ".".join(map(str, version)).removesuffix(".0")
            raise click.ClickException(
                f"no submitted version {label} of {reference}".replace("  ", " "))
        source = load_source(db, _settings(), package)
        name = package.bag_name
    if (out / name).exists():
        raise click.ClickException(f"{out / name} already exists")
    try:
        built = build_bag(source, out, name=name)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        with contextlib.suppress(OSError):
            (out / TEMP_DIR_NAME).rmdir()  # only when empty
    click.echo(f"built {built.path} (Payload-Oxum {built.payload_oxum})")


@package_group.command("verify")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def verify_command(path: Path) -> None:
    """Check a package: bag checksums, request.json against the schema, findings.json, the
    attachments against the hashes recorded at upload (when the database is reachable)."""
    problems = None
    try:
        with _db().session() as db:
            db.scalar(select(Package.id).limit(1))
            problems = verify_package(path, db)
    except SQLAlchemyError:
        click.echo("note: the database is not reachable; the attachments are checked against "
                   "request.json and the manifest only", err=True)
    if problems is None:
        problems = verify_package(path)
    for problem in problems:
        click.echo(f"{problem}")
    if problems:
        click.echo(f"package {path} FAILED verification: {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"package {path} verified")


@package_group.command("repair")
@click.option("--sweep-older-than", "minutes", type=float, default=None,
              help="Minutes after which temporary files are removed (default: the setting).")
@with_appcontext
def repair_command(minutes: float | None) -> None:
    """Give every submitted version its package and hand-off entry; build missing bags; sweep
    temporary files. Idempotent."""
    report = repair(_db().engine, _settings(), sweep_older_than_minutes=minutes)
    for name in report.created:
        click.echo(f"created the missing package of {name}")
    for name in report.handoffs_created:
        click.echo(f"queued the missing hand-off of {name}")
    for name in report.missing_bags:
        click.echo(f"bag of {name} was missing: rebuilding")
    for name in report.built:
        click.echo(f"built {name}")
    for path in report.swept:
        click.echo(f"removed temporary {path}")
    for path in report.orphans:
        click.echo(f"warning: {path} belongs to no package", err=True)
    for name, error in report.failed:
        click.echo(f"error: {name}: {error}", err=True)
    if report.failed:
        sys.exit(1)
    click.echo("packages repaired")


@package_group.command("sweep")
@click.option("--older-than", "minutes", type=float, default=None,
              help="Minutes (default: PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES).")
@with_appcontext
def sweep_command(minutes: float | None) -> None:
    """Remove temporary files of interrupted builds and hand-offs."""
    for path in sweep(_settings(), minutes):
        click.echo(f"removed {path}")


@click.command("forward")
@click.option("--once", is_flag=True, help="Hand over what is due now, then exit.")
@with_appcontext
def forward_command(once: bool) -> None:
    """Hand queued packages to OIA's case system (PORTAL_FORWARD_URL, else the drop folder
    PORTAL_FORWARD_DIR); keeps running until stopped (SIGTERM/SIGINT) unless --once."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = _settings()
    stop = threading.Event()
    if not once:
        install_signal_handlers(stop)  # the hand-off under way is finished, then it stops
    target = target_for(settings)
    click.echo(f"forwarding to {target.describe()}")
    summary = forwarder.run(_db().engine, settings, once=once, stop=stop, target=target)
    click.echo(f"{summary.sent} sent, {summary.retrying} to retry, {summary.failed} failed")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    if once and (summary.failed or summary.errors):
        sys.exit(1)


__all__ = ["forward_command", "package_group"]
