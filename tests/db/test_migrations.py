"""The Alembic migrations: up, down and up again, and the result equals ``Base.metadata``."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from portal import migrate
from portal.db import Database
from portal.models import Base, not_made_by_models


def tables(db: Database) -> set[str]:
    return {name for name in inspect(db.engine).get_table_names()
            if name != "alembic_version" and not_made_by_models(name, "table", {})}


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True,
                                                         "include_name": not_made_by_models})
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        assert tables(db) == set()
        migrate.upgrade(db.engine)
        expected = set(Base.metadata.tables)
        assert tables(db) == expected
        head = ScriptDirectory.from_config(
            migrate.alembic_config(empty_database_url)).get_current_head()
        assert current_revision(db) == head
        migrate.downgrade(db.engine, "base")
        assert tables(db) == set()
        assert current_revision(db) is None
        migrate.upgrade(db.engine)
        assert tables(db) == expected
        assert schema_differences(db) == []
    finally:
        db.dispose()


def test_each_revision_goes_down_and_up(empty_database_url: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_database_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions
    db = Database(empty_database_url)
    try:
        for revision in revisions:
            migrate.upgrade(db.engine, revision)
            assert current_revision(db) == revision
            migrate.downgrade(db.engine, "-1")
            migrate.upgrade(db.engine, revision)
            assert current_revision(db) == revision
    finally:
        db.dispose()


def test_the_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db.engine)
        assert schema_differences(db) == []
    finally:
        db.dispose()


def test_the_comparison_notices_a_difference(empty_database_url: str) -> None:
    """The check above can fail: drop a table and it reports it."""
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE login_attempts")
        differences = schema_differences(db)
        assert any(d[0] == "add_table" and d[1].name == "login_attempts"
                   for d in differences if isinstance(d, tuple))
    finally:
        db.dispose()
