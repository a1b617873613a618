"""Which URLs webhooks may be sent to (the defence against server-side request forgery).

A URL must be ``https://`` with a host name or a public address, no user name or password and
no fragment. Every address its host resolves to must be public: loopback, private, link-local,
shared (100.64.0.0/10), multicast, reserved and unspecified addresses are refused, in IPv4 and
IPv6 (an IPv4 address carried in an IPv6 one, mapped, 6to4 or Teredo, is judged as the
IPv4 one). Development and tests
(Settings.local_addresses_allowed) may also use loopback addresses and plain ``http://``.

The check runs at registration and again at each delivery after resolving the name, and the
delivery connects to the address that was checked (portal.webhooks.sending): a name that
resolves to another address the second time (DNS rebinding) cannot lead the portal inside."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[IPAddress]]


class UrlRefused(ValueError):
    """The URL may not receive webhooks; ``code`` says why (format, scheme, host, resolve,
    address) for the page's message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Target:
    """A checked URL's parts: ``host`` in ASCII (IDNA), brackets left out of an IPv6 one."""

    url: str
    scheme: str
    host: str
    port: int
    literal: IPAddress | None  # the host, when the URL names an address


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def parse(url: str, *, local_allowed: bool) -> Target:
    """The URL's parts, or :class:`UrlRefused` (its addresses are not checked here)."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in text):
        raise UrlRefused("format")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("format", str(exc)) from exc
    schemes = ("https", "http") if local_allowed else ("https",)
    if parts.scheme not in schemes:
        raise UrlRefused("scheme", parts.scheme)
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise UrlRefused("format", "credentials or fragment")
    host = parts.hostname or ""
    if not host:
        raise UrlRefused("host")
    literal = _literal(host)
    if literal is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise UrlRefused("host", str(exc)) from exc
        if host.endswith(".") or ("." not in host and host != "localhost"):
            raise UrlRefused("host", host)
    return Target(text, parts.scheme, host, port or (443 if parts.scheme == "https" else 80),
                  literal)


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo's client), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or \
            (address.teredo[1] if address.teredo else None)
        if inner is not None:
            return inner
    return address


def address_allowed(address: IPAddress, *, local_allowed: bool) -> bool:
    """Whether webhooks may go to ``address``."""
    address = _embedded(address)
    if address.is_loopback:
        return local_allowed
    refused = (address.is_private or address.is_link_local or address.is_multicast
               or address.is_reserved or address.is_unspecified)
    if isinstance(address, ipaddress.IPv6Address):
        refused = refused or address.is_site_local
    return address.is_global and not refused


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (the system's resolver), in its order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UrlRefused("resolve", str(exc)) from exc
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise UrlRefused("resolve", host)
    return found


def check(url: str, *, local_allowed: bool, resolver: Resolver = resolve
          ) -> tuple[Target, list[IPAddress]]:
    """The URL's parts and its addresses, every one allowed; else :class:`UrlRefused`."""
    target = parse(url, local_allowed=local_allowed)
    addresses = [target.literal] if target.literal is not None \
        else resolver(target.host, target.port)
    refused = [a for a in addresses if not address_allowed(a, local_allowed=local_allowed)]
    if refused:
        raise UrlRefused("address", ", ".join(str(a) for a in refused))
    return target, addresses
