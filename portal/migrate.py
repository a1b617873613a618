"""Running the Alembic migrations from code (CLI, tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

if TYPE_CHECKING:
    from portal.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head", settings: Settings | None = None) -> None:
    """Migrate up; ``settings``: the app's, for a migration that needs them (0018 reads the key
    ring from them; without them, from the environment as the app does)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["settings"] = settings
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base", settings: Settings | None = None) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["settings"] = settings
        command.downgrade(config, revision)
