"""Who may read ``/metrics`` (``PORTAL_METRICS_TOKEN``, ``PORTAL_METRICS_ALLOWED``); neither
set: the page is off (404). portal.web.metrics checks them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

#: A shorter token could be guessed by a scraper's neighbours: 32 characters of
#: ``openssl rand -hex 16`` at least.
MIN_TOKEN_LENGTH = 32

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str, variable: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (CIDR), normalised (``10.0.0.5`` is
    ``10.0.0.5/32``). Raises ValueError naming ``variable`` and the bad entry."""
    networks: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ValueError(f"{variable} must list IP addresses or networks (CIDR), "
                             f"comma-separated; got {item!r}") from exc
    return tuple(networks)


@dataclass(frozen=True)
class MetricsSettings:
    #: A scraper sending ``Authorization: Bearer <token>`` may read the metrics.
    token: str = field(default="", repr=False)
    #: Clients from these networks may read them without a token (the client's address as
    #: the portal sees it: behind ``PORTAL_TRUSTED_PROXIES``, the forwarded one).
    allowed: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.token or self.allowed)

    def networks(self) -> tuple[Network, ...]:
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> MetricsSettings:
        """Raises ValueError naming a variable whose value is not understood."""
        return cls(token=env.get("PORTAL_METRICS_TOKEN", "").strip(),
                   allowed=parse_networks(env.get("PORTAL_METRICS_ALLOWED", ""),
                                          "PORTAL_METRICS_ALLOWED"))

    def problems(self) -> list[str]:
        if self.token and (len(self.token) < MIN_TOKEN_LENGTH or len(set(self.token)) < 8):
            return [f"PORTAL_METRICS_TOKEN is weak: use at least {MIN_TOKEN_LENGTH} random "
                    "characters"]
        return []
