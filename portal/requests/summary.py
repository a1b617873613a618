"""The check-your-answers view of a request: every answer of every section, with its label and
the anchor of its field so that a "change" link can return to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.contract import model as m
from portal.requests.labels import LIST_LABELS, choice_label, label_for
from portal.requests.sections import SECTIONS, Section, anchor_of_path
from portal.translation import lazy_gettext as _l


@dataclass(frozen=True)
class Row:
    label: Any
    value: Any  # str, or a Narrative pair for narratives
    anchor: str
    depth: int
    heading: bool = False
    narrative: m.Narrative | None = None

    @property
    def shown_depth(self) -> int:
        """The indentation shown (the styles go three levels deep)."""
        return min(self.depth, 3)


@dataclass(frozen=True)
class SummarySection:
    section: Section
    rows: tuple[Row, ...]


YES, NO = _l("Yes"), _l("No")
#: Kinds of codes shown by name: the patterns of the contract, and two field names.
NAMESPACES = ("country", "us_state", "language", "instrument", "category")


def _value(owner: type, name: str, kind: str, value: Any, names: Mapping[str, str]) -> Any:
    metas = {f.name: f.metadata for f in dataclasses.fields(owner)}
    meta: Mapping[str, Any] = metas.get(name, {})
    if kind == "bool":
        return YES if value else NO
    if kind == "str" and "enum" in meta:
        return choice_label(value, name) if value else ""
    if kind == "str" and value:
        namespace = meta.get("pattern") if meta.get("pattern") in NAMESPACES else name
        if namespace in NAMESPACES:
            return names.get(f"{namespace}:{value}", value)
    if kind == "list_str":
        return ", ".join(str(choice_label(v, name)) for v in value)
    if value is None:
        return ""
    return value


def _walk(cls: type, obj: Any, path: str, depth: int, rows: list[Row],
          names: Mapping[str, str]) -> None:
    allowed = m.item_fields(obj.type) if cls is m.AssistanceItem else None
    for name, kind, sub, _default in m.field_specs(cls):
        if allowed is not None and name not in allowed:
            continue
        child = f"{path}.{name}" if path else name
        value = getattr(obj, name)
        if cls is m.AssistanceItem and name == "type":
            continue
        label, _hint = label_for(cls.__name__, name)
        if kind == "obj" and sub is m.Narrative:
            rows.append(Row(label, "", anchor_of_path(child), depth, narrative=value))
        elif kind == "obj":
            rows.append(Row(label, "", anchor_of_path(child), depth, heading=True))
            _walk(sub, value, child, depth + 1, rows, names)
        elif kind == "list_obj":
            item_label = LIST_LABELS.get(name, (label, label))[0]
            rows.append(Row(label, "" if value else _l("None"), anchor_of_path(child), depth,
                            heading=bool(value)))
            for index, entry in enumerate(value):
                rows.append(Row(f"{item_label} {index + 1}", "",
                                anchor_of_path(f"{child}[{index}]"), depth + 1, heading=True))
                _walk(sub, entry, f"{child}[{index}]", depth + 2, rows, names)
        else:
            rows.append(Row(label, _value(cls, name, kind, value, names), anchor_of_path(child),
                            depth))


def summarize(content: m.Request, names: Mapping[str, str] | None = None
              ) -> list[SummarySection]:
    """``names``: display names of codes, keyed ``namespace:code`` (see :data:`NAMESPACES`)."""
    names = names or {}
    out = []
    for section in SECTIONS:
        rows: list[Row] = []
        for part in section.parts:
            value = getattr(content, part)
            if isinstance(value, tuple):
                item_label = LIST_LABELS[part][0]
                if not value:
                    rows.append(Row(item_label, _l("None"), anchor_of_path(part), 0))
                for index, entry in enumerate(value):
                    title: Any = f"{item_label} {index + 1}"
                    if isinstance(entry, m.AssistanceItem):
                        title = f"{title}: {choice_label(entry.type, 'type')}"
                    rows.append(Row(title, "", anchor_of_path(f"{part}[{index}]"), 0,
                                    heading=True))
                    _walk(type(entry), entry, f"{part}[{index}]", 1, rows, names)
            else:
                _walk(type(value), value, part, 0, rows, names)
        out.append(SummarySection(section, tuple(rows)))
    return out


EVENT_LABELS: dict[str, Any] = {
    "created": _l("Draft started"),
    "submitted": _l("Submitted to OIA"),
    "opened": _l("Review by OIA started"),
    "reassigned": _l("Assigned to another attorney"),
    "resubmitted": _l("Submitted again after changes"),
    "returned": _l("Returned for changes"),
    "accepted": _l("Accepted by OIA"),
    "assigned": _l("Assigned to an attorney"),
    "referred": _l("Referred to a U.S. Attorney's Office"),
    "in_execution": _l("Being executed"),
    "completed": _l("Completed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "reopened": _l("Reopened"),
    "documents_asked": _l("OIA asked for documents"),
    "documents_added": _l("Documents added after submission"),
}


def event_label(kind: str) -> Any:
    return EVENT_LABELS.get(kind, kind)
