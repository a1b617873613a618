"""An empty database (no schema) per test, on SQLite or on the PostgreSQL test server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _worker


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture()
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: migrations and ``init-db`` start from scratch."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"portal_empty_{re.sub(r'[^a-z0-9]', '', _worker())}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
