"""The portal's client of the Department's OpenID provider, with Authlib: discovery (read once,
then cached), the authorization request (code flow, PKCE S256, state, nonce, kept in the signed
session), the token exchange, and the ID token's checks: its signature by the keys the provider
publishes (JWKS from discovery), iss, aud, sub, exp, iat and nonce."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, current_app, session
from joserfc.errors import JoseError

from portal.config import Settings
from portal.sso_settings import OidcSettings, origin

PROVIDER_NAME = "department"
EXTENSION = "portal.sso"
TIMEOUT_SECONDS = 10
#: What the provider's answers can fail with: its errors, network errors, bad JSON, bad tokens.
FAILURES = (OAuthError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)


class SsoError(Exception):
    """A sign-in through the provider that could not be completed. ``reason`` is for the audit
    log (never shown); ``unavailable`` when the provider could not be reached."""

    def __init__(self, reason: str, *, unavailable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unavailable = unavailable


def install(app: Flask, settings: Settings) -> None:
    """Register the provider's client when single sign-on is on (nothing is fetched yet)."""
    if not settings.oidc.enabled:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        PROVIDER_NAME,
        client_id=settings.oidc.client_id,
        client_secret=settings.oidc.client_secret,
        server_metadata_url=settings.oidc.discovery_url,
        client_kwargs={"scope": settings.oidc.scopes, "code_challenge_method": "S256",
                       "default_timeout": TIMEOUT_SECONDS},
    )


def _client() -> Any:
    return current_app.extensions[EXTENSION]


def metadata(config: OidcSettings) -> dict[str, Any]:
    """The provider's discovery document (fetched once), which must name the configured
    issuer exactly."""
    try:
        found = cast(dict[str, Any], _client().load_server_metadata())
    except FAILURES as exc:
        raise SsoError(f"discovery failed: {exc}", unavailable=True) from exc
    if found.get("issuer") != config.issuer:
        raise SsoError(f"discovery names the issuer {found.get('issuer')!r}", unavailable=True)
    return found


def start(config: OidcSettings, redirect_uri: str, params: Mapping[str, Any],
          **keep: Any) -> str:
    """The authorization URL to send the browser to; its state, nonce and PKCE verifier (and
    ``keep``) are kept in the session under the state."""
    metadata(config)
    client = _client()
    try:
        created = client.create_authorization_url(redirect_uri, **params)
    except FAILURES as exc:
        raise SsoError(f"authorization request failed: {exc}", unavailable=True) from exc
    client.save_authorize_data(state=created["state"], redirect_uri=redirect_uri,
                               code_verifier=created["code_verifier"], nonce=created["nonce"],
                               **keep)
    return str(created["url"])


def finish(config: OidcSettings, args: Mapping[str, str]) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
    """The checked claims of the person the provider sent back (the ID token's, completed by
    userinfo) and what :func:`start` kept. Each state is used once."""
    client = _client()
    state = args.get("state", "")
    kept = client.framework.get_state_data(session, state) if state else None
    if state:
        client.framework.clear_state_data(session, state)
    if not kept:
        raise SsoError("unknown or reused state")
    if args.get("error"):
        raise SsoError(f"the provider answered {args.get('error')}: "
                       f"{args.get('error_description', '')}")
    if "iss" in args and args["iss"] != config.issuer:  # RFC 9207: a mixed-up provider
        raise SsoError(f"the response names the issuer {args['iss']!r}")
    if not args.get("code"):
        raise SsoError("no authorization code")
    found = metadata(config)
    try:
        token = client.fetch_access_token(code=args["code"], redirect_uri=kept["redirect_uri"],
                                          code_verifier=kept["code_verifier"])
    except requests.RequestException as exc:
        raise SsoError(f"token request failed: {exc}", unavailable=True) from exc
    except FAILURES as exc:
        raise SsoError(f"token request refused: {exc}") from exc
    claims = id_token_claims(client, config, token, kept["nonce"])
    if found.get("userinfo_endpoint") and token.get("access_token"):
        claims = _with_userinfo(client, claims, token)
    return claims, dict(kept)


def id_token_claims(client: Any, config: OidcSettings, token: Mapping[str, Any],
                    nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature and claims are checked."""
    if not token.get("id_token"):
        raise SsoError("the token response has no ID token")
    options = {"iss": {"essential": True, "value": config.issuer},
               "aud": {"essential": True, "value": config.client_id},
               "sub": {"essential": True}, "exp": {"essential": True},
               "iat": {"essential": True}}
    try:
        claims = client.parse_id_token(dict(token), nonce=nonce, claims_options=options,
                                       leeway=config.clock_skew_seconds)
    except requests.RequestException as exc:
        raise SsoError(f"the provider's keys could not be read: {exc}",
                       unavailable=True) from exc
    except FAILURES as exc:
        raise SsoError(f"ID token refused: {type(exc).__name__}: {exc}") from exc
    if not claims:
        raise SsoError("ID token refused: no claims")
    return dict(claims)


def _with_userinfo(client: Any, claims: dict[str, Any], token: Mapping[str, Any]
                   ) -> dict[str, Any]:
    """The ID token's claims, completed (never overridden) by userinfo's for the same
    subject (providers often send e-mail, name and groups only there)."""
    try:
        info = dict(client.userinfo(token=dict(token)))
    except requests.RequestException as exc:
        raise SsoError(f"userinfo request failed: {exc}", unavailable=True) from exc
    except FAILURES as exc:
        raise SsoError(f"userinfo refused: {exc}") from exc
    if info.get("sub") != claims["sub"]:
        raise SsoError("userinfo is about another subject")
    return {**info, **claims}


def logout_url(config: OidcSettings, post_logout_redirect_uri: str) -> str | None:
    """Where the provider ends its own session (RP-initiated logout), when it has an
    end_session_endpoint on the issuer's origin (the one the sign-out form may go to: the
    CSP's form-action); else None."""
    try:
        endpoint = metadata(config).get("end_session_endpoint")
    except SsoError:
        return None
    if not isinstance(endpoint, str) or origin(endpoint) != origin(config.issuer):
        return None
    created = _client().create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                          client_id=config.client_id)
    return str(created["url"])
