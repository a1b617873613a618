"""Declaring the fields of the model (with their schema metadata), and converting model objects
to and from plain data: leniently (wrong types become defaults, unknown keys are ignored)."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import field
from typing import Any, TypeVar

T = TypeVar("T")

#: (name, kind, nested class or None, default) of one field; kinds: "str", "bool", "int", "num",
#: "obj", "list_str", "list_obj".
FieldSpec = tuple[str, str, Any, Any]

_MISSING = object()


def schema_field(default: Any = "", **meta: Any) -> Any:
    """A dataclass field with schema metadata (enum, format, pattern, description...)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or a dataclass for mutable defaults")
    if dataclasses.is_dataclass(default) and isinstance(default, type):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def described(description: str) -> dict[str, str]:
    """The metadata of a field that has only a description."""
    return {"description": description}


# A registry of the model's classes (a handful, fixed by the code), not a cache of data.
_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """(name, kind, nested class, default) of each field of a model dataclass."""
    known = _SPECS.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls)
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        if hint is str:
            specs.append((f.name, "str", None, default))
        elif hint is bool:
            specs.append((f.name, "bool", None, default))
        elif hint == int | None:
            specs.append((f.name, "int", None, default))
        elif hint == float | None:
            specs.append((f.name, "num", None, default))
        elif dataclasses.is_dataclass(hint):
            specs.append((f.name, "obj", hint, default))
        elif typing.get_origin(hint) is tuple:
            (inner, _ellipsis) = typing.get_args(hint)
            if inner is str:
                specs.append((f.name, "list_str", None, ()))
            else:
                specs.append((f.name, "list_obj", inner, ()))
        else:  # pragma: no cover - guarded by tests
            raise TypeError(f"unsupported field type {hint!r} on {cls.__name__}.{f.name}")
    result = tuple(specs)
    _SPECS[cls] = result
    return result


def _coerce(kind: str, sub: Any, value: object, default: Any) -> Any:
    if kind == "str":
        return value if isinstance(value, str) else default
    if kind == "bool":
        return value if isinstance(value, bool) else default
    if kind == "int":
        if isinstance(value, bool):
            return default
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
            return int(value)
        return default
    if kind == "num":
        if isinstance(value, bool):
            return default
        if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
            return value
        return default
    if kind == "obj":
        return from_dict(sub, value) if isinstance(value, Mapping) else default
    if kind == "list_str":
        if isinstance(value, (list, tuple)):
            return tuple(v for v in value if isinstance(v, str))
        return default
    if kind == "list_obj":
        if isinstance(value, (list, tuple)):
            return tuple(from_dict(sub, v) for v in value if isinstance(v, Mapping))
        return default
    return default  # pragma: no cover


def from_dict(cls: type[T], data: object) -> T:
    """Build any model class leniently from a mapping (never raises)."""
    kwargs: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for name, kind, sub, default in field_specs(cls):
            value = data.get(name, _MISSING)
            if value is not _MISSING:
                kwargs[name] = _coerce(kind, sub, value, default)
    return cls(**kwargs)


def to_dict(obj: Any, *, omit_defaults: bool = False) -> dict[str, Any]:
    """Any model object as plain data: only its ``written_fields()`` when it has them, and the
    names in its class's ``ALWAYS_WRITTEN`` even when ``omit_defaults`` would leave them out."""
    cls = type(obj)
    written = getattr(obj, "written_fields", None)
    allowed: tuple[str, ...] | None = written() if written is not None else None
    out: dict[str, Any] = {}
    for name, kind, _sub, default in field_specs(cls):
        if allowed is not None and name not in allowed:
            continue
        value = getattr(obj, name)
        if kind == "obj":
            dumped: Any = to_dict(value, omit_defaults=omit_defaults)
            if omit_defaults and not dumped:
                continue
        elif kind == "list_obj":
            dumped = [to_dict(v, omit_defaults=omit_defaults) for v in value]
            if omit_defaults and not dumped:
                continue
        elif kind == "list_str":
            dumped = list(value)
            if omit_defaults and not dumped:
                continue
        else:
            dumped = value
            if omit_defaults and value == default and type(value) is type(default):
                continue
        out[name] = dumped
    for name in sorted(getattr(cls, "ALWAYS_WRITTEN", ())):
        if name not in out:
            out[name] = getattr(obj, name)
    return out


def as_plain_data(obj: object) -> object:
    """A (possibly malformed) model object turned back into plain mappings and lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: as_plain_data(getattr(obj, f.name, None)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [as_plain_data(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: as_plain_data(v) for k, v in obj.items()}
    return obj


def is_well_typed(obj: object, cls: type) -> bool:
    """True when ``obj`` is an instance of ``cls`` whose every attribute has its declared type."""
    if type(obj) is not cls:
        return False
    for name, kind, sub, _default in field_specs(cls):
        value = getattr(obj, name, _MISSING)
        if kind == "str":
            ok = type(value) is str
        elif kind == "bool":
            ok = type(value) is bool
        elif kind == "int":
            ok = value is None or type(value) is int
        elif kind == "num":
            ok = value is None or (
                isinstance(value, (int, float))
                and type(value) is not bool
                and value == value
                and abs(value) != float("inf")
            )
        elif kind == "obj":
            ok = is_well_typed(value, sub)
        elif kind == "list_str":
            ok = type(value) is tuple and all(type(v) is str for v in value)
        else:
            ok = type(value) is tuple and all(is_well_typed(v, sub) for v in value)
        if not ok:
            return False
    return True
