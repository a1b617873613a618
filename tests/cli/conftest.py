"""Running the ``portal`` command against a temporary data folder and an empty database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.db.conftest import empty_database_url  # noqa: F401 - a fixture used here

Invoke = Callable[..., Result]


@pytest.fixture()
def cli_env(tmp_path: Path, empty_database_url: str) -> dict[str, str]:  # noqa: F811
    return {
        "PORTAL_ENV": "development",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_SECRET_KEY": "",
        "PORTAL_DEMO_DATA": "",
        "PORTAL_SMTP_URL": "",
        "PORTAL_BASE_URL": "",
    }


@pytest.fixture()
def invoke(cli_env: dict[str, str]) -> Invoke:
    from portal.cli import main

    def _invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None
                ) -> Result:
        runner = CliRunner()
        return runner.invoke(main, list(args), env={**cli_env, **(env or {})}, input=input,
                             catch_exceptions=False)

    return _invoke
