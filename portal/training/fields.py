"""What a finding points at, for people: the label of the field (in the interface language) and
its value in the request, for any path of the contract (an unknown one falls back to its raw
text). Needs a Flask request or app context (the labels are lazy translations)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portal.contract import model as m
from portal.reference import current_reference
from portal.requests.labels import FIELD_LABELS, LIST_LABELS, choice_label
from portal.requests.sections import section_of_path
from portal.translation import gettext as _

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
MAX_VALUE = 600


@dataclass(frozen=True)
class FieldView:
    path: str
    labels: tuple[str, ...]  # from the outermost part to the field itself
    value: str  # the value as shown ("" when the field is empty)
    english: str = ""  # the English translation of a narrative, when there is one
    section: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else self.path

    @property
    def trail(self) -> str:
        return " › ".join(self.labels)


def _spec(cls: type, name: str) -> tuple[str, Any] | None:
    for spec_name, kind, sub, _default in m.field_specs(cls):
        if spec_name == name:
            return kind, sub
    return None


def _label(cls: type, name: str) -> str:
    entry = FIELD_LABELS.get(f"{cls.__name__}.{name}")
    if entry is not None:
        return str(entry[0])
    if name in LIST_LABELS:
        return str(LIST_LABELS[name][0])
    section = section_of_path(name)
    return str(section.title) if section is not None else name


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def format_value(value: Any, name: str = "") -> tuple[str, str]:
    """(value, English translation) of any contract value, for reading."""
    if isinstance(value, m.Narrative):
        english = value.english.strip()
        return _clip(value.text), _clip(english) if english != value.text.strip() else ""
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), ""
    if value is None or value == "":
        return "", ""
    if isinstance(value, str) and name == "instrument":
        return _clip(instrument_name(value)), ""
    if isinstance(value, str):
        label = choice_label(value, name)
        return _clip(str(label)), ""
    if isinstance(value, (int, float)):
        return str(value), ""
    if isinstance(value, m.Period):
        if not (value.start or value.end):
            return "", ""
        return f"{value.start or '…'} – {value.end or '…'}", ""
    if isinstance(value, m.Money):
        if value.amount is None:
            return "", ""
        return f"{value.amount:,.0f} {value.currency}".strip(), ""
    if isinstance(value, m.Identifier):
        parts = [value.value, str(choice_label(value.kind)) if value.kind else ""]
        if value.platform:
            parts.append(value.platform)
        if value.datetime:
            parts.append(value.datetime)
        return _clip(" · ".join(p for p in parts if p)), ""
    if isinstance(value, m.Account):
        return _clip(" · ".join(p for p in (value.number, value.holder) if p)), ""
    if isinstance(value, m.ForeignOfficial):
        return _clip(" · ".join(p for p in (value.name, value.role) if p)), ""
    if isinstance(value, tuple):
        shown = [format_value(v, name)[0] for v in value]
        return _clip("; ".join(s for s in shown if s)), ""
    if isinstance(value, m.AssistanceItem):
        return str(choice_label(value.type, "type")), ""
    if isinstance(value, m.LegalBasisChoice):
        parts = [str(choice_label(value.kind)) if value.kind else "",
                 instrument_name(value.instrument)]
        return _clip(" · ".join(p for p in parts if p)), ""
    return "", ""


def instrument_name(instrument: str) -> str:
    if not instrument:
        return ""
    basis = current_reference().legal_bases.get(instrument)
    return basis.name if basis is not None else instrument


def describe(request: m.Request, path: str) -> FieldView:
    """The labels and the value of ``path`` in ``request``."""
    cls: type = m.Request
    obj: Any = request
    labels: list[str] = []
    last_name = ""
    parent: Any = None
    for index, name in _TOKEN.findall(path):
        if index:
            position = int(index)
            if not isinstance(obj, tuple) or position >= len(obj):
                obj = None
                break
            obj = obj[position]
            item_label = LIST_LABELS.get(last_name, (last_name,))[0]
            if labels:
                labels.pop()  # "Offences" then "Offence 1": the entry says it all
            labels.append(f"{item_label} {position + 1}")
            if isinstance(obj, m.AssistanceItem):
                labels[-1] += f": {choice_label(obj.type, 'type')}"
            continue
        if obj is None or not hasattr(obj, "__dataclass_fields__"):
            obj = None
            break
        cls = type(obj)
        spec = _spec(cls, name)
        if spec is None:
            obj = None
            break
        labels.append(_label(cls, name))
        parent, obj = obj, getattr(obj, name)
        last_name = name
    value, english = format_value(obj, last_name) if obj is not None else ("", "")
    extra: tuple[str, ...] = ()
    if isinstance(parent, m.Narrative) and last_name == "english" and parent.text.strip():
        extra = (_clip(parent.text),)  # the original beside its missing translation
    section = section_of_path(path)
    return FieldView(path=path, labels=tuple(labels) or (path,), value=value, english=english,
                     section=str(section.title) if section is not None else "", extra=extra)


def pattern_label(pattern: str) -> str:
    """The label trail of a rule's field pattern such as ``assistance[].identifiers`` or
    ``requesting_authority.contact.email`` (the ``[]`` of lists are ignored)."""
    cls: type | None = m.Request
    labels: list[str] = []
    for name in pattern.replace("[]", "").split("."):
        if cls is None or not name:
            break
        spec = _spec(cls, name)
        if spec is None:
            labels.append(name)
            break
        labels.append(_label(cls, name))
        kind, sub = spec
        cls = sub if kind in ("obj", "list_obj") else None
    return " › ".join(labels) or pattern
