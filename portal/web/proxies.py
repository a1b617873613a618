"""The client's address behind trusted reverse proxies (``PORTAL_TRUSTED_PROXIES``).

werkzeug's ``ProxyFix`` believes a fixed number of X-Forwarded-For entries from any client.
Here it is applied only to requests whose connecting address is a trusted proxy, with as many
hops as the entries that trusted proxies wrote: the rightmost entries that are themselves
trusted proxies, and then the one before them, which is the client. A client that connects
directly cannot choose its address by sending the header: the login rate limit
(``accounts.auth.rate_limited``) and the audit log key on ``request.remote_addr``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: At most this many X-Forwarded-For entries are walked (proxies in a chain).
MAX_HOPS = 10


class TrustedProxies:
    """WSGI middleware: X-Forwarded-For and X-Forwarded-Proto taken from trusted proxies only."""

    def __init__(self, app: WSGIApplication, proxies: Iterable[str]) -> None:
        self.app = app
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(p, strict=False) for p in proxies)
        # ProxyFix keeps only its settings: one per possible number of hops, made once.
        self.fixes = [ProxyFix(app, x_for=hops, x_proto=1) for hops in range(1, MAX_HOPS + 1)]

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def hops(self, environ: WSGIEnvironment) -> int:
        """The X-Forwarded-For entries written by trusted proxies (0: a direct client)."""
        if not self.is_trusted(str(environ.get("REMOTE_ADDR") or "")):
            return 0
        forwarded = [a.strip() for a in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = 1
        while hops < min(len(forwarded), MAX_HOPS) and self.is_trusted(forwarded[-hops]):
            hops += 1
        return hops

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        hops = self.hops(environ)
        if hops == 0:
            return self.app(environ, start_response)
        return self.fixes[hops - 1](environ, start_response)
