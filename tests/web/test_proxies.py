"""The client's address behind reverse proxies (PORTAL_TRUSTED_PROXIES, portal.web.proxies):
X-Forwarded-For is believed from a trusted proxy only, so that the login rate limit and the
audit log key on the real client, and a client cannot choose its address by sending it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import LoginAttempt, Role
from portal.audit.models import AuditEvent
from portal.config import ConfigError, Settings
from tests.conftest import Accounts
from tests.web.conftest import AppFactory, in_db, post

PROXY = "10.0.0.5"
DIRECT = "203.0.113.9"


def failed_login(client: FlaskClient, remote: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = post(client, "/login", {"email": "nobody@example.org", "password": "guess guess"},
                    environ_base={"REMOTE_ADDR": remote}, headers=headers)
    return int(response.status_code)


def good_login(client: FlaskClient, email: str, password: str, remote: str,
               forwarded: str) -> int:
    response = post(client, "/login", {"email": email, "password": password},
                    environ_base={"REMOTE_ADDR": remote}, headers={"X-Forwarded-For": forwarded})
    return int(response.status_code)


def recorded_ips(app: Flask) -> tuple[set[str], set[str]]:
    """The addresses of the login attempts and of the audit events of failed logins."""
    found: tuple[set[str], set[str]] = in_db(app, lambda s: (
        set(s.scalars(select(LoginAttempt.ip))),
        set(s.scalars(select(AuditEvent.ip).where(AuditEvent.action == "login.failed")))))
    return found


def test_without_trusted_proxies_a_forged_header_changes_nothing(make_app: AppFactory) -> None:
    app = make_app(login_rate_limit=3)
    client = app.test_client()
    statuses = [failed_login(client, DIRECT, f"198.51.100.{n}") for n in range(4)]
    assert statuses == [400, 400, 400, 429]  # one address, whatever the header claims
    assert recorded_ips(app) == ({DIRECT}, {DIRECT})


def test_two_users_behind_the_proxy_have_their_own_rate_limits(make_app: AppFactory,
                                                               accounts: Accounts) -> None:
    app = make_app(login_rate_limit=3, trusted_proxies=("10.0.0.0/8",))
    account = accounts.create(Role.SUBMITTER)
    first, second = app.test_client(), app.test_client()
    assert [failed_login(first, PROXY, "198.51.100.1") for _ in range(4)] == [400, 400, 400, 429]
    assert good_login(first, account.email, account.password, PROXY, "198.51.100.1") == 429
    # the other user behind the same proxy is not limited by the first one's failures
    assert good_login(second, account.email, account.password, PROXY, "198.51.100.2") == 302
    attempts, audited = recorded_ips(app)
    assert attempts == {"198.51.100.1", "198.51.100.2"}
    assert audited == {"198.51.100.1"}


def test_with_trusted_proxies_a_direct_client_is_still_its_connecting_address(
        make_app: AppFactory) -> None:
    app = make_app(login_rate_limit=2, trusted_proxies=(PROXY + "/32",))
    client = app.test_client()
    assert [failed_login(client, DIRECT, f"198.51.100.{n}") for n in range(3)] == [400, 400, 429]
    assert recorded_ips(app) == ({DIRECT}, {DIRECT})


def test_the_client_is_the_last_address_no_trusted_proxy_wrote(make_app: AppFactory) -> None:
    app = make_app(trusted_proxies=("10.0.0.0/8",))
    client = app.test_client()
    # the client forged the first entry; the outer proxy 10.1.2.3 wrote the client's address,
    # the inner proxy (connecting) wrote the outer one's
    failed_login(client, PROXY, "192.0.2.66, 198.51.100.7, 10.1.2.3")
    # a client that claims to be a trusted proxy is still taken at its word only as far as
    # the proxies vouch for: the connecting proxy saw 198.51.100.8
    failed_login(client, PROXY, "10.9.9.9, 198.51.100.8")
    # no header at all: the proxy itself
    failed_login(client, PROXY)
    assert recorded_ips(app)[0] == {"198.51.100.7", "198.51.100.8", PROXY}


def test_the_setting_is_a_list_of_addresses_and_networks(tmp_path: Path) -> None:
    env = {"PORTAL_ENV": "testing", "PORTAL_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).trusted_proxies == ()
    assert Settings.from_env({**env, "PORTAL_TRUSTED_PROXIES": "10.0.0.5"}).trusted_proxies \
        == ("10.0.0.5/32",)
    assert Settings.parse_trusted_proxies(" 10.0.0.5, 192.168.0.0/16,,fd00::1 ") == (
        "10.0.0.5/32", "192.168.0.0/16", "fd00::1/128")
    with pytest.raises(ConfigError, match="PORTAL_TRUSTED_PROXIES"):
        Settings.parse_trusted_proxies("10.0.0.5, proxy.example.org")
