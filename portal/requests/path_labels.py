"""A finding's or a change's path in words, in the reader's language:
``preservation[0].channel`` -> "Preservation request 1 › Channel" (the path itself stays a small
secondary hint where it is shown)."""

from __future__ import annotations

import re
from typing import Any

from portal.contract import model as m
from portal.requests.labels import FIELD_LABELS, LIST_LABELS, choice_label
from portal.requests.sections import section_of_path
from portal.translation import gettext as _

_STEP = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")
SEPARATOR = " › "


def path_label(path: str) -> str:
    """The labels along ``path``, joined; the path itself where a step is unknown."""
    owner: Any = m.Request
    words: list[str] = []
    for name, index in _STEP.findall(path):
        specs = {spec[0]: spec for spec in m.field_specs(owner)} if owner else {}
        spec = specs.get(name)
        if spec is None:
            return path
        label = FIELD_LABELS.get(f"{owner.__name__}.{name}")
        if index:
            listed = LIST_LABELS.get(name)
            words.append(f"{listed[0] if listed else name} {int(index) + 1}")
        elif label is not None:
            words.append(str(label[0]))
        elif owner is m.Request:
            section = section_of_path(name)
            words.append(str(section.title) if section else name)
        else:
            words.append(name)
        owner = spec[2]  # the nested class, or None for a plain value
    return SEPARATOR.join(words)


def value_label(path: str, value: object) -> str:
    """A stored value as the reader knows it: a choice by its label, a boolean as yes or no."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, str) and value:
        field = path.rsplit(".", 1)[-1].split("[")[0]
        label = choice_label(value, field)
        return str(label)
    if value in ({}, []):
        return ""
    return "" if value is None else str(value)
