"""Entries of a request's repeatable parts added and removed by the wizard's buttons
(``add:persons``, ``remove:assistance[0].identifiers[1]``)."""

from __future__ import annotations

import re
from typing import Any

from portal.contract import model as m
from portal.requests.sections import anchor_of_path

#: Entries a repeatable part holds at most.
MAX_ENTRIES = m.LIST_MAX

_OP = re.compile(r"^(add|remove):([a-z_]+(?:\[\d+\]|\.[a-z_]+)*)$")


def apply_entry_op(content: m.Request, op: str, new_item_type: str = ""
                   ) -> tuple[m.Request, str]:
    """The request with an entry added or removed, and the anchor to show; an unknown or
    malformed operation leaves the request unchanged (and no anchor)."""
    match = _OP.match(op or "")
    if not match:
        return content, ""
    action, path = match.groups()
    document = content.to_dict()
    steps = re.findall(r"([a-z_]+)|\[(\d+)\]", path)
    parent: Any = document
    for name, index in steps[:-1]:
        key: str | int = name if name else int(index)
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return content, ""
    last_name, last_index = steps[-1]
    if action == "add" and last_name:
        target = parent.get(last_name) if isinstance(parent, dict) else None
        if not isinstance(target, list) or len(target) >= MAX_ENTRIES:
            return content, ""
        if last_name == "assistance":
            if new_item_type not in m.ASSISTANCE_TYPES:
                return content, ""
            target.append({"type": new_item_type})
        elif last_name in ("case_references", "documents_to_serve"):
            target.append("")
        else:
            target.append({})
        return m.Request.from_dict(document), anchor_of_path(f"{path}[{len(target) - 1}]")
    if action == "remove" and last_index:
        if not isinstance(parent, list) or int(last_index) >= len(parent):
            return content, ""
        del parent[int(last_index)]
        return m.Request.from_dict(document), anchor_of_path(path[: path.rfind("[")])
    return content, ""
