"""Failed sign-ins cannot be used to lock people out (portal.accounts.auth): a lock holds for the
address (or the browser) the failures came from; the account-wide limit of many addresses only
makes browsers where the account never signed in wait, and the owner's browser (its device
cookie, portal.web.accounts.devices) signs in all the same."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.limit_settings import RateLimitSettings
from tests.conftest import Account, Accounts
from tests.web.conftest import AppFactory, error_messages, in_db, post, user_row
from tests.web.test_login import WRONG_LOGIN, is_signed_in

ACCOUNT_LIMITED = "There have been too many failed attempts to sign in to this account."


def sign_in(client: FlaskClient, email: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return post(client, "/login", {"email": email, "password": password},
                environ_base={"REMOTE_ADDR": address})


def owner_browser(app: Flask, account: Account, address: str) -> FlaskClient:
    """The owner's browser, signed in once and out again: it keeps its device cookie."""
    client = app.test_client()
    assert sign_in(client, account.email, account.password, address).status_code == 302
    assert post(client, "/logout", {}, token_from="/account").status_code == 302
    return client


def test_failures_from_one_address_lock_the_account_for_that_address_only(
        app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"]
    victim = accounts.create(Role.SUBMITTER)
    attacker = app.test_client()
    for _ in range(settings.login_max_failures):
        assert sign_in(attacker, victim.email, "a guess, wrong", "192.0.2.1").status_code == 400
    refused = sign_in(attacker, victim.email, victim.password, "192.0.2.1")
    assert refused.status_code == 400 and error_messages(refused.text) == [WRONG_LOGIN]
    assert not is_signed_in(attacker)
    # the owner, from their own address (a browser never used before), is not locked out
    owner = app.test_client()
    assert sign_in(owner, victim.email, victim.password, "198.51.100.20").status_code == 302
    assert user_row(app, victim.id).locked_until is None
    locks = in_db(app, lambda s: list(s.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "account.locked"))))
    assert len(locks) == 1 and "address" in str(locks[0])


def test_one_address_cannot_lock_out_every_account(app: Flask, accounts: Accounts) -> None:
    settings = app.extensions["portal.settings"]
    victims = [accounts.create(Role.SUBMITTER) for _ in range(5)]
    attacker = app.test_client()
    statuses = [sign_in(attacker, victim.email, "a guess, wrong", "192.0.2.2").status_code
                for victim in victims for _ in range(settings.login_max_failures)]
    # the address's own limit stops the guesser after PORTAL_LOGIN_RATE_LIMIT failures
    assert statuses.count(400) == settings.login_rate_limit
    assert set(statuses[settings.login_rate_limit:]) == {429}
    for number, victim in enumerate(victims):
        client = app.test_client()
        assert sign_in(client, victim.email, victim.password, f"198.51.100.{number + 1}"
                       ).status_code == 302, victim.email


def test_many_addresses_slow_new_browsers_but_not_the_owner_s(make_app: AppFactory,
                                                              accounts: Accounts) -> None:
    app = make_app(limits=RateLimitSettings(login_account_failures=3))
    victim = accounts.create(Role.SUBMITTER)
    known = owner_browser(app, victim, "198.51.100.30")
    for number in range(3):  # a guesser with many addresses
        guess = sign_in(app.test_client(), victim.email, "a guess, wrong", f"192.0.2.{number}")
        assert guess.status_code == 400
    refused = sign_in(app.test_client(), victim.email, victim.password, "192.0.2.50")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    assert ACCOUNT_LIMITED in refused.text
    # the owner's browser signs in, even from an address it never used
    assert sign_in(known, victim.email, victim.password, "203.0.113.99").status_code == 302
    assert is_signed_in(known)


def test_an_unknown_address_is_limited_like_an_account(make_app: AppFactory) -> None:
    """The account-wide limit says nothing of which e-mail addresses have accounts."""
    app = make_app(limits=RateLimitSettings(login_account_failures=2))
    for number in range(2):
        sign_in(app.test_client(), "nobody@example.org", "a guess", f"192.0.2.{number}")
    refused = sign_in(app.test_client(), "nobody@example.org", "a guess", "192.0.2.9")
    assert refused.status_code == 429 and ACCOUNT_LIMITED in refused.text


def test_a_device_cookie_is_its_own_client(make_app: AppFactory, accounts: Accounts) -> None:
    app = make_app(limits=RateLimitSettings(login_account_failures=2))
    settings = app.extensions["portal.settings"]
    victim = accounts.create(Role.SUBMITTER)
    known = owner_browser(app, victim, "198.51.100.40")
    # the owner's own mistakes lock that browser (as they would an address)...
    for _ in range(settings.login_max_failures):
        assert sign_in(known, victim.email, "my typo", "198.51.100.40").status_code == 400
    assert sign_in(known, victim.email, victim.password, "198.51.100.40").status_code == 400
    # ... and do not lock the account for the address's other browsers
    other = app.test_client()
    assert sign_in(other, victim.email, victim.password, "198.51.100.40").status_code == 302


def test_a_device_cookie_of_another_account_or_altered_counts_as_none(
        make_app: AppFactory, accounts: Accounts) -> None:
    app = make_app(limits=RateLimitSettings(login_account_failures=1))
    victim, other = accounts.create(Role.SUBMITTER), accounts.create(Role.SUBMITTER)
    browser = owner_browser(app, other, "198.51.100.50")  # a cookie of the other account
    assert sign_in(app.test_client(), victim.email, "a guess", "192.0.2.1").status_code == 400
    assert sign_in(browser, victim.email, victim.password, "198.51.100.50").status_code == 429
    name = "portal-device"
    cookie = browser.get_cookie(name)
    assert cookie is not None
    forged = app.test_client()
    forged.set_cookie(name, cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA")
                                                 else "BB"))
    assert sign_in(forged, victim.email, victim.password, "198.51.100.51").status_code == 429
