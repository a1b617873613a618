"""Fixtures for the package tests: a submitter, the database and the settings of the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.config import Settings
from portal.db import Database
from tests.conftest import Accounts
from tests.packages import helpers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "soak: long-running variants (make soak; PORTAL_SOAK=1)")


@dataclass
class Env:
    app: Flask
    database: Database
    settings: Settings
    user_id: int

    def submitted(self, attachments: list[tuple[str, str, bytes]] | None = None,
                  **kwargs: Any) -> tuple[str, str]:
        """(request public id, reference) of a newly submitted request."""
        return helpers.submitted_request(self.database, self.settings, self.user_id,
                                         attachments, **kwargs)

    def with_settings(self, **changes: Any) -> Env:
        return replace(self, settings=self.settings.with_overrides(**changes))


@pytest.fixture()
def env(app: Flask, accounts: Accounts) -> Env:
    account = accounts.create(Role.SUBMITTER, country="DE")
    return Env(app, app.extensions["portal.db"], app.extensions["portal.settings"], account.id)


FOUR_SCRIPTS: list[tuple[str, str, Callable[[], bytes]]] = [
    ("Request letter.pdf", "request_letter", lambda: helpers.pdf("letter", pages=2)),
    ("Постановление суда.pdf", "court_order", lambda: helpers.pdf("order")),
    ("شهادة.pdf", "evidence", lambda: helpers.pdf("evidence", pages=3)),
    ("证据 清单.pdf", "evidence", lambda: helpers.pdf("list")),
]


@pytest.fixture()
def attachments() -> list[tuple[str, str, bytes]]:
    return [(name, kind, make()) for name, kind, make in FOUR_SCRIPTS]
