"""``portal openapi``: the API's OpenAPI document, as committed in docs/openapi.json."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.web.api.openapi import document_text


@click.command("openapi")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write it to this file (docs/openapi.json) instead of printing it.")
@with_appcontext
def openapi_command(output: Path | None) -> None:
    """Print or write the OpenAPI document of /api/v1."""
    text = document_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
