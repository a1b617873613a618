"""Field-by-field differences between two versions of a request: the contract JSON flattened to
``path -> value`` (paths as the rules write them: ``assistance[0].identifiers[1].value``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for key, child in value.items():
            out.update(flatten(child, f"{path}.{key}" if path else str(key)))
        if not value and path:
            out[path] = {}
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.update(flatten(child, f"{path}[{index}]"))
        if not value and path:
            out[path] = []
    else:
        out[path] = value
    return out


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # added, removed, changed
    old: Any
    new: Any


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    a, b = flatten(old), flatten(new)
    changes: list[Change] = []
    for path in sorted(set(a) | set(b), key=_sort_key):
        if path not in a:
            changes.append(Change(path, "added", None, b[path]))
        elif path not in b:
            changes.append(Change(path, "removed", a[path], None))
        elif a[path] != b[path]:
            changes.append(Change(path, "changed", a[path], b[path]))
    return changes


def _sort_key(path: str) -> list[Any]:
    """Document order for list indexes (``[10]`` after ``[9]``)."""
    parts: list[Any] = []
    for chunk in path.replace("]", "").replace("[", ".#").split("."):
        parts.append((0, int(chunk[1:]), "") if chunk.startswith("#") and chunk[1:].isdigit()
                     else (1, 0, chunk))
    return parts


def under(flat: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The part of a flattened document at or below ``prefix`` (``[]`` wildcards allowed)."""
    if not prefix:
        return dict(flat)
    if "[]" in prefix:
        head, _, rest = prefix.partition("[]")
        return {k: v for k, v in flat.items() if k.startswith(head + "[")
                and _below(k.split("]", 1)[1] if "]" in k else "", rest)}
    return {k: v for k, v in flat.items() if _below(k, prefix)}


def _below(path: str, prefix: str) -> bool:
    if not prefix:
        return True
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
