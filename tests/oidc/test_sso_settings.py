"""The ``PORTAL_OIDC_*`` settings, the role mapping, and single sign-on off: nothing changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.accounts.sso import Grant, claim_values, grant_for
from portal.app import create_app
from portal.config import ConfigError, Settings
from portal.sso_settings import OidcSettings, parse_role_mapping
from tests.conftest import Accounts
from tests.oidc.harness import Agent, Provider
from tests.web.conftest import location_path, post

ENV = {"PORTAL_ENV": "testing", "PORTAL_SECRET_KEY": "k" * 40,
       "PORTAL_ATTACHMENT_KEYS": "t1:" + "A" * 43 + "=",
       "PORTAL_BASE_URL": "https://portal.example.gov/",
       "PORTAL_OIDC_ISSUER": "https://login.example.gov/realms/doj",
       "PORTAL_OIDC_CLIENT_ID": "mla-portal", "PORTAL_OIDC_CLIENT_SECRET": "s3cret",
       "PORTAL_OIDC_ROLE_MAPPING": "CN=MLA Triage,OU=Groups,DC=doj=triage; mla-admins=admin"}


def test_the_role_mapping_keeps_its_order_and_values_with_commas_and_equals() -> None:
    assert parse_role_mapping("CN=MLA Triage,OU=Groups=triage;\n mla-boss = MANAGER ;") == (
        ("CN=MLA Triage,OU=Groups", "triage"), ("mla-boss", "manager"))
    for wrong in ("mla-triage", "=triage", "mla-triage=submitter"):
        with pytest.raises(ValueError, match="PORTAL_OIDC_ROLE_MAPPING"):
            parse_role_mapping(wrong)


def test_the_first_mapped_value_the_person_has_wins() -> None:
    mapping = parse_role_mapping("bosses=manager; admins=admin; triage=triage")
    assert grant_for(("triage", "bosses"), mapping) == Grant(Role.TRIAGE, manager=True)
    assert grant_for(("admins", "triage"), mapping) == Grant(Role.ADMIN)
    assert grant_for(("finance",), mapping) is None
    assert grant_for((), mapping) is None
    # a claim is a list or one string; anything else gives no value
    assert claim_values(["a", 3, "b"]) == ("a", "b")
    assert claim_values("admins") == ("admins",)
    assert claim_values({"admins": True}) == ()


def test_the_settings_are_read_from_the_environment(tmp_path: object) -> None:
    settings = Settings.from_env({**ENV, "PORTAL_DATA_DIR": str(tmp_path),
                                  "PORTAL_OIDC_SCOPES": "openid,email  groups"})
    oidc = settings.oidc
    assert oidc.enabled
    assert (oidc.issuer, oidc.client_id, oidc.client_secret) == (
        "https://login.example.gov/realms/doj", "mla-portal", "s3cret")
    assert oidc.scopes == "openid email groups"
    assert oidc.role_claim == "groups"
    assert oidc.redirect_base == "https://portal.example.gov"  # PORTAL_BASE_URL by default
    assert oidc.discovery_url == \
        "https://login.example.gov/realms/doj/.well-known/openid-configuration"
    assert "s3cret" not in repr(settings)
    settings.validate()


@pytest.mark.parametrize(("change", "problem"), [
    ({"PORTAL_OIDC_CLIENT_SECRET": ""}, "needs PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_CLIENT"),
    ({"PORTAL_OIDC_SCOPES": "email profile"}, "PORTAL_OIDC_SCOPES must include openid"),
    ({"PORTAL_OIDC_ROLE_MAPPING": ""}, "needs PORTAL_OIDC_ROLE_MAPPING"),
    ({"PORTAL_OIDC_ROLE_MAPPING": "x=root"}, "the role must be one of"),
    ({"PORTAL_OIDC_ISSUER": "login.example.gov"}, "PORTAL_OIDC_ISSUER must be an http"),
    ({"PORTAL_OIDC_REDIRECT_BASE": "portal"}, "PORTAL_OIDC_REDIRECT_BASE must be"),
    ({"PORTAL_OIDC_CLOCK_SKEW_SECONDS": "soon"}, "PORTAL_OIDC_CLOCK_SKEW_SECONDS"),
])
def test_wrong_settings_are_refused_at_start(tmp_path: object, change: dict[str, str],
                                             problem: str) -> None:
    settings = Settings.from_env({**ENV, "PORTAL_DATA_DIR": str(tmp_path), **change})
    with pytest.raises(ConfigError, match=problem):
        settings.validate()


def test_production_needs_an_https_issuer() -> None:
    oidc = OidcSettings(issuer="http://login.example.gov", client_id="c", client_secret="s",
                        role_mapping="a=admin", redirect_base="https://portal.example.gov")
    assert oidc.problems(production=True) == ["PORTAL_OIDC_ISSUER must be an https:// URL"]
    assert oidc.problems(production=False) == []


def test_unset_the_settings_are_off_and_valid(tmp_path: object) -> None:
    env = {key: value for key, value in ENV.items() if not key.startswith("PORTAL_OIDC")}
    settings = Settings.from_env({**env, "PORTAL_DATA_DIR": str(tmp_path)})
    assert not settings.oidc.enabled
    assert settings.oidc.problems(production=True) == []
    settings.validate()


@pytest.fixture()
def plain_app(settings: Settings) -> Iterator[Flask]:
    """The portal as it is without ``PORTAL_OIDC_*``."""
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["portal.db"].dispose()


def test_off_nothing_changes(plain_app: Flask) -> None:
    client = plain_app.test_client()
    page = client.get("/login")
    assert "sso-sign-in" not in page.text and "Sign in with the Department" not in page.text
    assert "form-action 'self';" in page.headers["Content-Security-Policy"]
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert client.get("/login/sso/link").status_code == 404
    # staff sign in with their password and code, as before
    staff = Accounts(plain_app).create(Role.TRIAGE)
    response = post(client, "/login", {"email": staff.email, "password": staff.password})
    assert location_path(response) == "/login/code"


def test_on_the_sign_out_form_may_end_at_the_provider(agent: Agent, provider: Provider) -> None:
    csp = agent.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in csp
    assert "script-src 'self';" in csp
