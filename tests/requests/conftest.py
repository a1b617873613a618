"""Fixtures of the wizard's tests."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.accounts.models import Role
from tests.conftest import Account, Accounts, login


@pytest.fixture()
def submitter(client: FlaskClient, accounts: Accounts) -> Account:
    """A signed-in submitter of a German authority."""
    account = accounts.create(Role.SUBMITTER, country="DE")
    login(client, account)
    return account
