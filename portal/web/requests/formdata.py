"""A section form's data in and out: the contract values as the form's initial data (lists as
numbered entries), the posted form back into the request, and the check that nothing was
posted for a field the page does not show."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import Field, Form, FormField

from portal.contract import model as m
from portal.requests.entries import MAX_ENTRIES
from portal.requests.sections import Section

#: Keys every section form accepts besides its fields.
CONTROL_KEYS = frozenset({"csrf_token", "revision", "op", "new_item_type", "next"})
#: The requesting authority's name and country come from the submitting account (issue #18):
#: section 1 shows them, and no form or page changes them (an import keeps what its file says,
#: and GEN-ACCOUNT-COUNTRY asks why when that is another country).
ACCOUNT_FIELDS = frozenset({"name", "country"})


def initial_data(section: Section, content: m.Request) -> dict[str, Any]:
    """The form's initial data: the contract values, lists flattened to numbered keys."""
    data: dict[str, Any] = {}
    for part in section.parts:
        value = getattr(content, part)
        if isinstance(value, tuple):
            for index, entry in enumerate(value[:MAX_ENTRIES]):
                data[f"{part}-{index}"] = _flatten(entry)
        else:
            data[part] = _flatten(value)
    return data


def _flatten(obj: Any) -> Any:
    if not dataclasses.is_dataclass(obj):
        return obj
    out: dict[str, Any] = {}
    for name, kind, _sub, _default in m.field_specs(type(obj)):
        value = getattr(obj, name)
        if kind == "list_obj" or (kind == "list_str" and name != "document_kinds"):
            for index, entry in enumerate(value[:MAX_ENTRIES]):
                out[f"{name}-{index}"] = _flatten(entry)
        elif kind == "list_str":
            out[name] = list(value)
        else:
            out[name] = _flatten(value)
    return out


def _unflatten(cls: type, data: Mapping[str, Any], current: Any) -> dict[str, Any]:
    """Form data of one object back into contract form (lists rebuilt from numbered keys)."""
    out: dict[str, Any] = {}
    allowed = m.item_fields(current.type) if cls is m.AssistanceItem else None
    for name, kind, sub, _default in m.field_specs(cls):
        if allowed is not None and name not in allowed:
            continue
        if cls is m.AssistanceItem and name == "type":
            out["type"] = current.type
            continue
        existing = getattr(current, name)
        if cls is m.RequestingAuthority and name in ACCOUNT_FIELDS:
            out[name] = existing
            continue
        if kind == "list_obj":
            out[name] = [_unflatten(sub, data.get(f"{name}-{i}") or {}, existing[i])
                         for i in range(min(len(existing), MAX_ENTRIES))]
        elif kind == "list_str" and name == "document_kinds":
            out[name] = list(data.get(name) or [])
        elif kind == "list_str":
            out[name] = [str(data.get(f"{name}-{i}") or "").strip()
                         for i in range(min(len(existing), MAX_ENTRIES))]
        elif kind == "obj":
            out[name] = _unflatten(sub, data.get(name) or {}, existing)
        elif kind == "str":
            raw = data.get(name)
            out[name] = raw.strip() if isinstance(raw, str) else ""
        elif kind == "bool":
            out[name] = bool(data.get(name))
        else:
            out[name] = data.get(name)
    return out


def merge(section: Section, form: Form, content: m.Request) -> m.Request:
    """The request with this section replaced by what the form holds."""
    document = content.to_dict()
    data = form.data
    for part in section.parts:
        current = getattr(content, part)
        if isinstance(current, tuple):
            document[part] = [_unflatten(type(entry), data.get(f"{part}-{i}") or {}, entry)
                              for i, entry in enumerate(current[:MAX_ENTRIES])]
        else:
            document[part] = _unflatten(type(current), data.get(part) or {}, current)
    return m.Request.from_dict(document)


def flat_fields(form: Form) -> dict[str, Field]:
    """Every bound leaf field by its input name (the templates look fields up by name)."""
    out: dict[str, Field] = {}
    for f in form:
        if isinstance(f, FormField):
            out.update(flat_fields(f.form))
        else:
            out[f.name] = f
    return out


def unexpected_keys(form: Form, posted: Iterable[str]) -> list[str]:
    """Posted keys that are not fields of this page (hidden or foreign fields)."""
    known = set(flat_fields(form)) | CONTROL_KEYS
    return sorted({key for key in posted if key not in known})
