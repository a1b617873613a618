"""Fixtures of the hostile-input tests: a signed-in submitter with a draft of their own."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from tests.conftest import Account, Accounts, login
from tests.requests.test_wizard import _import

#: What must never appear in a response, whatever was sent.
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "OperationalError",
         "Internal Server Error", 'File "/')


@dataclass
class Owner:
    client: FlaskClient
    account: Account
    public_id: str


@pytest.fixture()
def owner(app: Flask, client: FlaskClient, accounts: Accounts) -> Owner:
    account = accounts.create(Role.SUBMITTER, country="DE")
    login(client, account)
    return Owner(client, account, _import(app, account, "05-stored-content-good-de.json",
                                          documents=False))


def token_of(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def assert_no_leak(body: str) -> None:
    found = [marker for marker in LEAKS if marker in body]
    assert found == [], (found, body[:1500])
