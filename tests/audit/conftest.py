"""The audit log's tests: the web app's database (tests/conftest.py), an empty one for the
migration from unkeyed rows, and the ``portal`` command."""

from __future__ import annotations

from flask import Flask

from portal.audit.keys import AuditKeys, keys_for
from portal.audit.log import record
from portal.db import Database
from tests.cli.conftest import cli_env, invoke  # noqa: F401 - fixtures used here
from tests.db.conftest import empty_database_url  # noqa: F401 - a fixture used here
from tests.web.conftest import make_app  # noqa: F401 - a fixture used here


def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def ring(app: Flask) -> AuditKeys:
    """The keys the app signs and verifies its audit log with."""
    return keys_for(database(app).engine)


def write_events(db: Database, count: int, tag: str = "test") -> None:
    for number in range(count):
        with db.session() as s:
            record(s, f"{tag}.event", actor=f"{tag}-{number}", object_type="thing",
                   object_id=number, ip="192.0.2.1", details={"n": number})
