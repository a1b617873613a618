"""Fixtures of the training tests; the browser fixtures of tests/browser are re-exported for
the headless-Chromium test of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.db import Database
from tests.browser.conftest import browser, live_server, page
from tests.conftest import Account

__all__ = ["browser", "live_server", "page", "session", "user_of"]


@contextmanager
def session(app: Flask) -> Iterator[Session]:
    database: Database = app.extensions["portal.db"]
    with database.session() as db:
        yield db


def user_of(db: Session, account: Account) -> User:
    found = db.get(User, account.id)
    assert found is not None
    return found
