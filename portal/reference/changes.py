"""What changed between two states of the reference data, entry by entry (computed when the
history is shown: versions store the whole set, never a diff)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The field that names an entry of each kind.
KEY_FIELDS: Mapping[str, str] = {
    "countries": "code",
    "districts": "code",
    "legal_bases": "id",
    "offence_categories": "id",
    "providers": "id",
}


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    before: Mapping[str, Any] | None  # None: added
    after: Mapping[str, Any] | None  # None: removed

    @property
    def action(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    @property
    def fields(self) -> list[str]:
        """The fields whose value differs (all of them when added or removed)."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def entries_by_key(kind: str, doc: object) -> dict[str, Mapping[str, Any]]:
    """The entries of one kind's document by their key (entries without one are skipped)."""
    entries = doc.get("entries") if isinstance(doc, dict) else None
    field = KEY_FIELDS.get(kind, "id")
    out: dict[str, Mapping[str, Any]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get(field), str):
            out[entry[field]] = entry
    return out


def changed_kinds(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """The kinds whose entries differ (a kind's own ``version`` string does not count)."""
    return [kind for kind in KEY_FIELDS
            if _entries(before.get(kind)) != _entries(after.get(kind))]


def _entries(doc: object) -> object:
    return doc.get("entries") if isinstance(doc, dict) else None


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> list[Change]:
    """Every entry added, removed or changed, by kind then key."""
    out: list[Change] = []
    for kind in KEY_FIELDS:
        old = entries_by_key(kind, before.get(kind))
        new = entries_by_key(kind, after.get(kind))
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                out.append(Change(kind, key, old.get(key), new.get(key)))
    return out
