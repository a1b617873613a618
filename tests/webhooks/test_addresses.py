"""Which URLs may receive webhooks: https only, public addresses only (IPv4 and IPv6, and IPv4
carried inside IPv6), loopback and plain http only in development and tests; a name is judged
by every address it resolves to."""

from __future__ import annotations

import ipaddress

import pytest

from portal.config import Settings
from portal.webhooks.addresses import IPAddress, UrlRefused, address_allowed, check, parse

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def resolver_to(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[IPAddress]:
        del host, port
        return [ipaddress.ip_address(a) for a in addresses]
    return resolve


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1",  # noqa: S104 - refused, never bound "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1",
    "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::1", "2002:a9fe:a9fe::1", "64:ff9b::a00:1",
])
def test_a_non_public_address_is_refused_outside_development(address: str) -> None:
    assert not address_allowed(ipaddress.ip_address(address), local_allowed=False)
    url = f"https://[{address}]/hook" if ":" in address else f"https://{address}/hook"
    with pytest.raises(UrlRefused) as refused:
        check(url, local_allowed=False)
    assert refused.value.code == "address"


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "::ffff:93.184.215.14"])
def test_a_public_address_is_allowed(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address), local_allowed=False)


def test_loopback_only_in_development_and_tests() -> None:
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert address_allowed(ipaddress.ip_address(address), local_allowed=True)
    for address in ("10.0.0.1", "169.254.169.254", "fe80::1", "fc00::1"):
        assert not address_allowed(ipaddress.ip_address(address), local_allowed=True)
    assert Settings(env="testing").local_addresses_allowed
    assert Settings(env="development").local_addresses_allowed
    assert not Settings(env="production").local_addresses_allowed


def test_https_only_outside_development() -> None:
    with pytest.raises(UrlRefused) as refused:
        check(f"http://{PUBLIC_V4}/hook", local_allowed=False)
    assert refused.value.code == "scheme"
    assert check(f"http://{PUBLIC_V4}/hook", local_allowed=True)[0].port == 80
    for url in ("ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)",
                "gopher://example.org/"):
        with pytest.raises(UrlRefused):
            check(url, local_allowed=True)


@pytest.mark.parametrize("url", [
    "", "https://", "https://user:pw@example.org/x", "https://example.org/x#frag",
    "https://exa mple.org/", "https://example.org:99999/", "https://intranet/x",
    "https://" + "a" * 2100 + ".org/", "https://example.org./x",
])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        parse(url, local_allowed=False)
    assert refused.value.code in ("format", "host")


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    target, addresses = check("https://hooks.example.org:8443/in", local_allowed=False,
                              resolver=resolver_to(PUBLIC_V4, PUBLIC_V6))
    assert (target.host, target.port, len(addresses)) == ("hooks.example.org", 8443, 2)
    for inside in ("10.1.2.3", "169.254.169.254", "fd00::5", "::ffff:192.168.0.1"):
        with pytest.raises(UrlRefused) as refused:
            check("https://hooks.example.org/in", local_allowed=False,
                  resolver=resolver_to(PUBLIC_V4, inside))  # one bad address is enough
        assert refused.value.code == "address"
        assert str(ipaddress.ip_address(inside)) in refused.value.detail


def test_the_system_resolver_is_asked_for_a_name() -> None:
    """localhost resolves to loopback: refused outside development, allowed in tests."""
    with pytest.raises(UrlRefused) as refused:
        check("https://localhost/hook", local_allowed=False)
    assert refused.value.code == "address"
    _target, addresses = check("https://localhost/hook", local_allowed=True)
    assert all(a.is_loopback for a in addresses)
    with pytest.raises(UrlRefused) as unknown:
        check("https://no-such-host.invalid/hook", local_allowed=True)
    assert unknown.value.code == "resolve"


def test_an_internationalised_name_is_kept_in_ascii() -> None:
    target = parse("https://bücher.example/hook", local_allowed=False)
    assert target.host == "xn--bcher-kva.example"
