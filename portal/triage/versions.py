"""What triage reads of a submitted version: its content and the findings recorded at its
submission. A version never changes once submitted."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from portal.contract import model as m


class FrozenVersion(Protocol):
    """A :class:`portal.requests.models.RequestVersion`, or a row of its columns (the package
    view reads its versions as plain rows, ``package.versions_read``)."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def minor(self) -> int: ...
    @property
    def content_json(self) -> str: ...
    @property
    def findings_json(self) -> str: ...
    @property
    def submitted_at(self) -> datetime: ...


def content_of_version(version: FrozenVersion) -> m.Request:
    """The version's content as the contract's model (empty when unreadable)."""
    try:
        return m.Request.from_dict(json.loads(version.content_json or "{}"))
    except ValueError:
        return m.Request()


def content_dict_of_version(version: FrozenVersion) -> dict[str, Any]:
    """The version's content as stored (a dictionary; empty when unreadable)."""
    try:
        value = json.loads(version.content_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def findings_of_version(version: FrozenVersion) -> list[dict[str, Any]]:
    """The findings recorded at the version's submission, as stored."""
    try:
        value = json.loads(version.findings_json or "[]")
    except ValueError:
        return []
    return [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []
