from flask.testing import FlaskClient

from portal.accounts.models import Role
from tests.conftest import Accounts, login


def test_login_page_renders(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.text


def test_login_then_home(client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    login(client, account)
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome" in response.text
