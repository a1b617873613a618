"""Fixtures for the rule tests: a small base request, hand-made reference data, merging."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from portal.rules.base import EvaluationContext
from portal.rules.settings import RuleSettings

HERE = Path(__file__).resolve().parent
BASE_REQUEST = HERE / "base_request.json"
CASES_DIR = HERE / "cases"
DEFAULT_TODAY = date(2024, 6, 1)


@dataclass(frozen=True)
class FakeBasis:
    id: str
    kind: str
    name: str
    countries: frozenset[str]
    in_force: str | None


@dataclass(frozen=True)
class FakeProvider:
    id: str
    name: str
    data_in_us: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeCategory:
    id: str
    flags: frozenset[str]
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeReference:
    """Reference data for tests, using the same ids as the real files where they overlap."""

    version: str = "test"
    legal_bases: Mapping[str, FakeBasis] = field(
        default_factory=lambda: {
            b.id: b
            for b in (
                FakeBasis(
                    "mlat-es", "bilateral_treaty", "US-ES MLAT", frozenset({"ES"}), "1993-06-30"
                ),
                FakeBasis(
                    "mlat-gb", "bilateral_treaty", "US-UK MLAT", frozenset({"GB"}), "1996-12-02"
                ),
                FakeBasis(
                    "mlat-future", "bilateral_treaty", "Future", frozenset({"FR"}), "2099-01-01"
                ),
                FakeBasis(
                    "budapest",
                    "multilateral_convention",
                    "Budapest",
                    frozenset({"*"}),
                    "2004-07-01",
                ),
                FakeBasis(
                    "cloud-act-gb",
                    "cloud_act_agreement",
                    "US-UK CLOUD Act agreement",
                    frozenset({"GB"}),
                    "2022-10-03",
                ),
                FakeBasis(
                    "cloud-act-au",
                    "cloud_act_agreement",
                    "US-AU CLOUD Act agreement",
                    frozenset({"AU"}),
                    "2024-01-31",
                ),
            )
        }
    )
    providers: Mapping[str, FakeProvider] = field(
        default_factory=lambda: {
            p.id: p
            for p in (
                FakeProvider("google", "Google LLC", True, ("Google", "Gmail")),
                FakeProvider("meta", "Meta Platforms, Inc.", True, ("Facebook", "Instagram")),
                FakeProvider("telegram", "Telegram FZ-LLC", False, ("Telegram",)),
            )
        }
    )
    offence_categories: Mapping[str, FakeCategory] = field(
        default_factory=lambda: {
            c.id: c
            for c in (
                FakeCategory("fraud", frozenset()),
                FakeCategory(
                    "speech",
                    frozenset({"speech"}),
                    {"en": ("defamation",), "es": ("difamación",), "zh_Hans": ("侮辱",)},
                ),
                FakeCategory("political", frozenset({"political"})),
                FakeCategory("military", frozenset({"military"})),
            )
        }
    )

    def bases_for(self, country: str) -> list[FakeBasis]:
        return [
            b for b in self.legal_bases.values() if country in b.countries or "*" in b.countries
        ]

    def find_provider(self, name_or_id: str) -> FakeProvider | None:
        key = name_or_id.strip().casefold()
        for p in self.providers.values():
            if key in {p.id, p.name.casefold(), *(a.casefold() for a in p.aliases)}:
                return p
        return None

    def cloud_act_agreement(self, country: str, on: date) -> FakeBasis | None:
        for b in self.legal_bases.values():
            usable = b.in_force is not None and date.fromisoformat(b.in_force) <= on
            if b.kind == "cloud_act_agreement" and country in b.countries and usable:
                return b
        return None


def load_base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASE_REQUEST.read_text(encoding="utf-8"))
    return data


def merge(base: Any, fragment: Any) -> Any:
    """Deep-merge ``fragment`` onto ``base``: mappings merge, anything else (lists included)
    replaces, and a value of ``None`` removes the key."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        out = copy.deepcopy(base)
        for key, value in fragment.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(fragment)


def make_context(today: date = DEFAULT_TODAY, reference: Any = None) -> EvaluationContext:
    return EvaluationContext(
        today=today,
        reference=reference if reference is not None else FakeReference(),
        settings=RuleSettings(),
    )


@pytest.fixture
def base_request() -> dict[str, Any]:
    return load_base()


@pytest.fixture
def context() -> EvaluationContext:
    return make_context()
