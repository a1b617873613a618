"""Changes to the documents of a version in force: one entry replaced, added or removed, a
whole set read from an export (pure functions; :func:`portal.reference.store.save` validates
and stores the result)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from portal.reference.changes import KEY_FIELDS, entries_by_key

#: The format name of an export (``portal.reference`` writes and reads it).
EXPORT_FORMAT = "mla-portal-reference-data/1"


class BadInput(ValueError):
    """What was typed or uploaded is not usable (``code`` says why, for the message)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def entry_text(entry: Mapping[str, Any] | None) -> str:
    """An entry as the editor shows it (indented JSON)."""
    return json.dumps(dict(entry or {}), ensure_ascii=False, indent=2, sort_keys=False)


def parse_entry(kind: str, text: str) -> dict[str, Any]:
    """The entry typed in the editor (a JSON object with its key field)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput("json", f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, dict):
        raise BadInput("object")
    if not isinstance(value.get(KEY_FIELDS[kind]), str) or not value[KEY_FIELDS[kind]].strip():
        raise BadInput("key", KEY_FIELDS[kind])
    return value


def with_entry(docs: Mapping[str, Any], kind: str, old_key: str | None,
               entry: Mapping[str, Any]) -> dict[str, Any]:
    """``docs`` with entry ``old_key`` of ``kind`` replaced by ``entry`` (added at the end when
    ``old_key`` is None). A new key already used by another entry is refused."""
    field = KEY_FIELDS[kind]
    new_key = entry[field]
    existing = entries_by_key(kind, docs.get(kind))
    if new_key != old_key and new_key in existing:
        raise BadInput("duplicate", new_key)
    if old_key is not None and old_key not in existing:
        raise BadInput("missing", old_key)
    out = copy.deepcopy(dict(docs))
    entries = out[kind]["entries"]
    if old_key is None:
        entries.append(dict(entry))
    else:
        index = next(i for i, e in enumerate(entries)
                     if isinstance(e, dict) and e.get(field) == old_key)
        entries[index] = dict(entry)
    return out


def without_entry(docs: Mapping[str, Any], kind: str, key: str) -> dict[str, Any]:
    field = KEY_FIELDS[kind]
    if key not in entries_by_key(kind, docs.get(kind)):
        raise BadInput("missing", key)
    out = copy.deepcopy(dict(docs))
    out[kind]["entries"] = [e for e in out[kind]["entries"]
                            if not (isinstance(e, dict) and e.get(field) == key)]
    return out


def export_document(number: int, label: str, docs: Mapping[str, Any]) -> dict[str, Any]:
    return {"format": EXPORT_FORMAT, "number": number, "version": label, "data": dict(docs)}


def read_export(raw: bytes) -> dict[str, Any]:
    """The documents of an uploaded export (or of a bare kind -> document object)."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput("json", str(exc)) from None
    if isinstance(value, dict) and value.get("format") == EXPORT_FORMAT:
        value = value.get("data")
    if not isinstance(value, dict) or not set(KEY_FIELDS) <= set(value):
        raise BadInput("export")
    return {kind: value[kind] for kind in KEY_FIELDS}
