"""Weights of the assistance types in a caseload (the setting ``triage_weights``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from portal.config import Settings

DEFAULT_WEIGHT = 1.0


def parse(raw: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in raw.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            continue
        try:
            out[name.strip()] = float(value)
        except ValueError:
            continue
    return out


def of_settings(settings: Settings) -> dict[str, float]:
    return parse(settings.triage_weights)


def request_weight(types: Iterable[str], weights: Mapping[str, float]) -> float:
    """The weight of a request: the sum of its items' weights (at least one)."""
    total = sum(weights.get(t, DEFAULT_WEIGHT) for t in types)
    return total if total > 0 else DEFAULT_WEIGHT
