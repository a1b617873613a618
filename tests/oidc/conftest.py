"""Fixtures of the single sign-on tests: the portal served over HTTP with ``PORTAL_OIDC_*`` set,
and the real test OpenID provider beside it (both on loopback, one of each per test module);
the browser's fixtures of tests/browser for the journey in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal.app import create_app
from portal.config import Settings
from portal.sso_settings import OidcSettings
from tests.browser.conftest import (  # noqa: F401 - the browser journey's fixtures
    axe_page,
    browser,
    page,
)
from tests.oidc.harness import (
    ROLE_MAPPING,
    SECRETS,
    Agent,
    PortalServer,
    Provider,
    serve_portal,
    start_provider,
)


@pytest.fixture(scope="module")
def portal_server() -> Iterator[PortalServer]:
    with serve_portal() as server:
        yield server


@pytest.fixture(scope="module")
def provider(portal_server: PortalServer,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    started = start_provider(portal_server.url, tmp_path_factory.mktemp("oidc"))
    try:
        yield started
    finally:
        started.stop()


def sso_settings(settings: Settings, portal_url: str, issuer: str, client_id: str = "portal",
                 **oidc: object) -> Settings:
    """The test settings with single sign-on through the test provider."""
    return settings.with_overrides(base_url=portal_url, oidc=OidcSettings(
        issuer=issuer, client_id=client_id, client_secret=SECRETS.get(client_id, "wrong"),
        scopes="openid email profile groups", role_claim="groups", role_mapping=ROLE_MAPPING,
        redirect_base=portal_url, **oidc))  # type: ignore[arg-type]


def serve(portal_server: PortalServer, settings: Settings) -> Flask:
    """An app with these settings, served at the portal's address until the test ends."""
    application = create_app(settings)
    application.config["TESTING"] = True
    portal_server.target.append(application)
    return application


@pytest.fixture()
def app(settings: Settings, portal_server: PortalServer,
        provider: Provider) -> Iterator[Flask]:
    """The portal with single sign-on on, served at ``portal_server.url``."""
    application = serve(portal_server, sso_settings(settings, portal_server.url,
                                                    provider.issuer))
    yield application
    for served in portal_server.target:  # with those a test served instead (serve())
        served.extensions["portal.db"].dispose()
    portal_server.target.clear()


@pytest.fixture()
def agent(app: Flask, portal_server: PortalServer, provider: Provider) -> Agent:
    return Agent(portal_server.url, provider.issuer)
