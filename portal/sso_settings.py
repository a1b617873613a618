"""The ``PORTAL_OIDC_*`` settings: single sign-on of OIA staff, trainers and administrators
through the Department's OpenID Connect provider. Unset issuer: single sign-on is off."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: What a value of the role claim can grant (``manager``: OIA triage with the manager's rights).
#: Submitters never sign in through the Department's provider.
ROLE_TARGETS = ("triage", "manager", "trainer", "admin")
DEFAULT_SCOPES = "openid email profile"


def parse_role_mapping(raw: str) -> tuple[tuple[str, str], ...]:
    """``value=role; value=role`` (or one per line) as ordered pairs. A value may hold ``=`` and
    ``,`` (an LDAP name such as ``CN=MLA Triage,OU=Groups``): each entry is split at its last
    ``=``. Raises ValueError naming the bad entry."""
    pairs: list[tuple[str, str]] = []
    for entry in (part.strip() for part in re.split(r"[;\n]", raw)):
        if not entry:
            continue
        value, sep, target = entry.rpartition("=")
        value, target = value.strip(), target.strip().lower()
        if not sep or not value:
            raise ValueError(f"PORTAL_OIDC_ROLE_MAPPING entry {entry!r} must be value=role")
        if target not in ROLE_TARGETS:
            raise ValueError(f"PORTAL_OIDC_ROLE_MAPPING entry {entry!r}: the role must be one of "
                             f"{', '.join(ROLE_TARGETS)}")
        pairs.append((value, target))
    return tuple(pairs)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL (empty when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@dataclass(frozen=True)
class OidcSettings:
    #: ``PORTAL_OIDC_ISSUER``: the provider's issuer URL, exactly as its ID tokens name it
    #: (its discovery document is at ``<issuer>/.well-known/openid-configuration``).
    issuer: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scopes: str = DEFAULT_SCOPES
    #: The claim (ID token or userinfo) whose values grant a role: a string or a list.
    role_claim: str = "groups"
    #: ``value=role; ...`` in order of precedence: the first value the person has wins.
    role_mapping: str = ""
    #: Where the provider sends people back (``<redirect_base>/login/sso/callback``); default
    #: ``PORTAL_BASE_URL``.
    redirect_base: str = ""
    #: Tolerated clock difference with the provider when checking exp and iat (seconds).
    clock_skew_seconds: int = 60

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    @property
    def mapping(self) -> tuple[tuple[str, str], ...]:
        return parse_role_mapping(self.role_mapping)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def from_env(cls, env: dict[str, str], base_url: str) -> OidcSettings:
        skew = env.get("PORTAL_OIDC_CLOCK_SKEW_SECONDS", "").strip()
        return cls(
            issuer=env.get("PORTAL_OIDC_ISSUER", "").strip(),
            client_id=env.get("PORTAL_OIDC_CLIENT_ID", "").strip(),
            client_secret=env.get("PORTAL_OIDC_CLIENT_SECRET", ""),
            scopes=" ".join(env.get("PORTAL_OIDC_SCOPES", "").replace(",", " ").split())
            or DEFAULT_SCOPES,
            role_claim=env.get("PORTAL_OIDC_ROLE_CLAIM", "").strip() or "groups",
            role_mapping=env.get("PORTAL_OIDC_ROLE_MAPPING", ""),
            redirect_base=(env.get("PORTAL_OIDC_REDIRECT_BASE", "").strip()
                           or base_url).rstrip("/"),
            clock_skew_seconds=int(skew) if skew.isdigit() else (-1 if skew else 60),
        )

    def problems(self, production: bool) -> list[str]:
        """What is wrong with the settings (nothing when single sign-on is off)."""
        if not self.enabled:
            return []
        found: list[str] = []
        scheme = ("https://",) if production else ("https://", "http://")
        if not self.issuer.startswith(scheme) or not origin(self.issuer):
            found.append("PORTAL_OIDC_ISSUER must be an https:// URL" if production else
                         "PORTAL_OIDC_ISSUER must be an http:// or https:// URL")
        if not self.redirect_base.startswith(scheme) or not origin(self.redirect_base):
            found.append("PORTAL_OIDC_REDIRECT_BASE must be an https:// URL" if production else
                         "PORTAL_OIDC_REDIRECT_BASE must be an http:// or https:// URL")
        if not self.client_id or not self.client_secret:
            found.append("PORTAL_OIDC_ISSUER needs PORTAL_OIDC_CLIENT_ID and "
                         "PORTAL_OIDC_CLIENT_SECRET")
        if "openid" not in self.scopes.split():
            found.append("PORTAL_OIDC_SCOPES must include openid")
        try:
            if not self.mapping:
                found.append("PORTAL_OIDC_ISSUER needs PORTAL_OIDC_ROLE_MAPPING "
                             "(value=role; ...)")
        except ValueError as exc:
            found.append(str(exc))
        if self.clock_skew_seconds < 0:
            found.append("PORTAL_OIDC_CLOCK_SKEW_SECONDS must be a whole number of seconds")
        return found
