"""``portal check`` and ``portal rules``. ``check`` exits with 0 (no blocker), 1 (a blocker) or 2
(not valid JSON or not valid against the schema: errors as JSON on stdout, a summary on
stderr)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from portal.contract.load import load_request_json
from portal.rules.engine import counts, default_context, evaluate
from portal.rules.render import catalog_as_json, render_finding


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("must be a date in the form YYYY-MM-DD") from exc


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--lang", "locale", default="en", show_default=True, help="Interface language.")
@click.option("--today", callback=_parse_today, help="Evaluate as of this date (YYYY-MM-DD).")
def check_command(file: Path, locale: str, today: date | None) -> None:
    """Check a request JSON FILE against the U.S. legal-standard rules."""
    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    result = load_request_json(raw, locale)
    if result.request is None:
        _emit({"errors": result.errors_as_json()})
        click.echo(
            f"error: {file} is not a valid request ({len(result.errors)} problem(s))", err=True
        )
        sys.exit(2)
    context = default_context(today=today)
    findings = evaluate(result.request, context)
    rendered = [render_finding(f, locale, context.settings) for f in findings]
    summary = counts(findings)
    _emit({"findings": rendered, "counts": summary})
    sys.exit(1 if summary["blocker"] else 0)


@click.command("rules")
@click.option("--lang", "locale", default="en", show_default=True, help="Interface language.")
def rules_command(locale: str) -> None:
    """Print the rule catalog as JSON."""
    _emit(catalog_as_json(locale))
