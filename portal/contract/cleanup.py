"""Drop the blank entries of repeatable answers when a draft is saved (issue #18): case
references, persons, identifiers, preservation records. Assistance items and attachments are
kept (an item's type is an answer; an attachment stands for a file)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from portal.contract.model import Narrative

KEPT_LISTS = frozenset({"assistance", "attachments"})
T = TypeVar("T")


def is_empty(value: object) -> bool:
    """Blank: no text (only spaces), no number, nothing ticked, in every part."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Narrative):
        return value.is_empty()
    if isinstance(value, tuple):
        return all(is_empty(entry) for entry in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(is_empty(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def without_empty_entries(obj: T) -> T:
    """``obj`` with the blank entries of its lists removed, at every depth."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, tuple):
            entries = tuple(without_empty_entries(entry) for entry in value)
            if f.name not in KEPT_LISTS:
                entries = tuple(entry for entry in entries if not is_empty(entry))
            if entries != value:
                changes[f.name] = entries
        elif dataclasses.is_dataclass(value):
            cleaned = without_empty_entries(value)
            if cleaned is not value:
                changes[f.name] = cleaned
    return dataclasses.replace(obj, **changes) if changes else obj
