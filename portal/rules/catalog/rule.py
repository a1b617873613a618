"""What a rule of the catalog is: its code, severity, family, texts, citations and fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Severity = Literal["blocker", "warning", "advice"]
SEVERITIES: tuple[Severity, ...] = ("blocker", "warning", "advice")
SEVERITY_RANK: Mapping[str, int] = {"blocker": 0, "warning": 1, "advice": 2}

#: ``applies_to`` of a rule for every type of assistance, every electronic type, stored data.
ALL = ("all",)
ELECTRONIC = ("subscriber_info", "non_content", "stored_content", "real_time")
STORED = ("non_content", "stored_content")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    family: str
    applies_to: tuple[str, ...]
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    settings: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    computed_by: Literal["engine", "triage"] = "engine"
