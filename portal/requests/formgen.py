"""WTForms forms generated from the request contract, one per section of the wizard.

The model (:mod:`portal.contract.model`) is the single source of the fields: each section form
is built from the dataclasses of its parts, with the labels of :mod:`.labels`, validators that
mirror the JSON Schema (so that a saved draft is always a valid contract document), and
repeatable parts expanded into numbered entries (``persons-0-name``, ``persons-1-name`` …) so
that entries are added and removed by plain submit buttons, without JavaScript. An assistance
item shows only the fields of its type; any posted key that is not a field of the page is
refused (:func:`unexpected_keys`), which is how data for a hidden field is rejected.

A :class:`Node` tree mirrors the form for the templates: groups, lists with their add and
remove buttons, narrative pairs, and leaf fields with their anchors.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Email, Length, NumberRange, Optional, Regexp, ValidationError

from portal.contract import model as m
from portal.requests.labels import LIST_LABELS, choice_label, label_for
from portal.requests.sections import Section
from portal.web.select_widget import FastSelect, FastSelectField

#: Keys every section form accepts besides its fields.
CONTROL_KEYS = frozenset({"csrf_token", "revision", "op", "new_item_type", "next"})
#: Entries a page shows for an empty repeatable part of these kinds.
MAX_ENTRIES = m.LIST_MAX


@dataclass(frozen=True)
class Choices:
    """Reference data for select boxes (already sorted and labelled)."""

    countries: tuple[tuple[str, str], ...] = ()
    states: tuple[tuple[str, str], ...] = ()
    languages: tuple[tuple[str, str], ...] = ()
    categories: tuple[tuple[str, str], ...] = ()
    instruments: tuple[tuple[str, str], ...] = ()
    providers: tuple[str, ...] = ()


@dataclass
class Node:
    """One element of a section page, for the templates."""

    kind: str  # field | group | narrative | list | checkboxes
    anchor: str
    label: Any = None
    hint: Any = None
    field: Any = None  # the bound WTForms field (field, checkboxes)
    children: list[Node] = dataclasses.field(default_factory=list)
    path: str = ""  # the contract path, e.g. assistance[0].nexus
    add_op: str = ""
    add_label: Any = None
    remove_op: str = ""
    item_label: Any = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _valid_date(_form: Form, f: Field) -> None:
    value = (f.data or "").strip()
    if not value:
        return
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_l("Enter a real date in the form YYYY-MM-DD, for example "
                                 "2026-03-27.")) from exc
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or parsed.year < 1900 or parsed.year > 2200:
        raise ValidationError(_l("Enter a real date in the form YYYY-MM-DD, for example "
                                 "2026-03-27."))


#: Fields whose values are written left to right whatever the page's direction (numbers,
#: identifiers, addresses): shown with dir="ltr" so that "+44 20 7035 4848" stays intact in
#: an Arabic page.
LTR_FIELDS = frozenset({
    ("Contact", "phone"), ("Contact", "time_zone"), ("Identifier", "value"),
    ("Identifier", "datetime"), ("Identifier", "platform"), ("Account", "number"),
    ("PreservationRecord", "reference"), ("PreservationRecord", "identifier"),
    ("AssistanceItem", "questions_attachment"),
    ("AssistanceItem", "judgment_attachment"),
})


def _meta(cls: type) -> dict[str, Mapping[str, Any]]:
    return {f.name: f.metadata for f in dataclasses.fields(cls)}


def _select(label: Any, hint: Any, options: Iterable[tuple[str, Any]], current: str = ""
            ) -> SelectField:
    choices = [("", _l("Choose…")), *options]
    if current and all(value != current for value, _label in choices):
        choices.append((current, current))  # keep a value the lists no longer offer
    return FastSelectField(label, description=hint or "", choices=choices, validate_choice=True,
                           validators=[Optional()], widget=FastSelect())


def _select_options(owner: type, name: str, meta: Mapping[str, Any], choices: Choices
                    ) -> Iterable[tuple[str, Any]] | None:
    """The options of a text field shown as a select box; None for any other field."""
    pattern = meta.get("pattern")
    if "enum" in meta:
        return [(v, choice_label(v, name)) for v in meta["enum"] if v]
    lists = {"country": choices.countries, "us_state": choices.states,
             "language": choices.languages}
    if pattern in lists:
        return lists[pattern]
    if owner is m.Offence and name == "category":
        return choices.categories
    if owner is m.LegalBasisChoice and name == "instrument":
        return choices.instruments
    return None


def _unoffered(owner: type, name: str, meta: Mapping[str, Any], choices: Choices,
               current: Any) -> str | None:
    """A saved value that the field's select box no longer offers (added to its options by
    :func:`_select`, so part of the form's shape); None otherwise."""
    if not isinstance(current, str) or not current:
        return None
    options = _select_options(owner, name, meta, choices)
    if options is None or any(value == current for value, _label in options):
        return None
    return current


def _str_field(owner: type, name: str, meta: Mapping[str, Any], choices: Choices,
               current: str) -> Field:
    label, hint = label_for(owner.__name__, name)
    hint = hint or ""
    pattern = meta.get("pattern")
    options = _select_options(owner, name, meta, choices)
    if options is not None:
        return _select(label, hint, options, current)
    if name == "provider":
        return StringField(label, description=hint, validators=[Length(max=m.SHORT_MAX)],
                           render_kw={"list": "provider-list", "autocomplete": "off"})
    if meta.get("format") == "date":
        return StringField(label, description=hint, validators=[Optional(), _valid_date],
                           render_kw={"type": "date", "dir": "ltr"})
    if meta.get("format") == "email":
        return EmailField(label, description=hint, validators=[
            Optional(), Length(max=320),
            Email(_l("Enter an e-mail address in the correct format, like name@example.org."),
                  check_deliverability=False)], render_kw={"dir": "ltr"})
    if pattern == "currency":
        return StringField(label, description=hint, validators=[
            Optional(), Regexp(r"^[A-Z]{3}$", message=_l(
                "Enter a three-letter currency code in capitals, for example USD."))],
            render_kw={"dir": "ltr", "class": "usa-input--small"})
    if meta.get("long"):
        return TextAreaField(label, description=hint, validators=[Length(max=m.LONG_MAX)],
                             render_kw={"dir": "auto"})
    direction = "ltr" if (owner.__name__, name) in LTR_FIELDS else "auto"
    return StringField(label, description=hint, validators=[Length(max=m.SHORT_MAX)],
                       render_kw={"dir": direction})


def _leaf(owner: type, name: str, kind: str, meta: Mapping[str, Any], choices: Choices,
          current: Any) -> Field:
    label, hint = label_for(owner.__name__, name)
    if kind == "str":
        return _str_field(owner, name, meta, choices, current if isinstance(current, str) else "")
    if kind == "bool":
        return BooleanField(label, description=hint or "")
    if kind == "int":
        low, high = meta.get("minimum", 0), meta.get("maximum", 10**9)
        message = _l("Enter a whole number between %(min)d and %(max)d.", min=low, max=high)
        return IntegerField(label, description=hint or "", validators=[
            Optional(), NumberRange(low, high, message=message)],
            render_kw={"inputmode": "numeric", "dir": "ltr"})
    if kind == "num":
        return FloatField(label, description=hint or "", validators=[
            Optional(), NumberRange(0, 1e15, message=_l("Enter a positive number."))],
            render_kw={"inputmode": "decimal", "dir": "ltr"})
    raise TypeError(f"no leaf field for {kind}")


#: The requesting authority's name and country come from the submitting account (issue #18):
#: section 1 shows them, and no form or page changes them (an import keeps what its file says,
#: and GEN-ACCOUNT-COUNTRY asks why when that is another country).
ACCOUNT_FIELDS = frozenset({"name", "country"})


def _anchor(path: str) -> str:
    return "f-" + re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


class _Builder:
    """Walks one object of the contract: appends its nodes, and returns its form class (None
    when ``fields`` is off) with its shape, a hashable value that determines that class given
    the object's type and the choices (list lengths, item types, saved values that a select
    box no longer offers)."""

    def __init__(self, choices: Choices, fields: bool = True) -> None:
        self.choices = choices
        self.fields = fields

    def object_form(self, cls: type, value: Any, path: str, allowed: tuple[str, ...] | None,
                    nodes: list[Node]) -> tuple[type[Form] | None, tuple[Any, ...]]:
        attrs: dict[str, Any] = {}
        shape: list[Any] = [cls, allowed]
        metas = _meta(cls)
        for name, kind, sub, _default in m.field_specs(cls):
            if allowed is not None and name not in allowed:
                continue
            if cls is m.AssistanceItem and name == "type":
                continue  # the type is chosen when the item is added, shown as a heading
            if cls is m.RequestingAuthority and name in ACCOUNT_FIELDS:
                continue  # from the account (shown above the form), never typed
            shape.append(self.add_member(attrs, cls, name, kind, sub, metas[name],
                                         getattr(value, name),
                                         f"{path}.{name}" if path else name, nodes))
        form = type(f"{cls.__name__}Form", (Form,), attrs) if self.fields else None
        return form, tuple(shape)

    def add_member(self, attrs: dict[str, Any], owner: type, name: str, kind: str, sub: Any,
                   meta: Mapping[str, Any], value: Any, path: str, nodes: list[Node]) -> Any:
        label, hint = label_for(owner.__name__, name)
        if kind in ("str", "bool", "int", "num"):
            if self.fields:
                attrs[name] = _leaf(owner, name, kind, meta, self.choices, value)
            nodes.append(Node("field", _anchor(path), label, hint, path=path,
                              extra={"attr": name}))
            return _unoffered(owner, name, meta, self.choices, value) if kind == "str" else None
        if kind == "obj":
            children: list[Node] = []
            form, shape = self.object_form(sub, value, path, None, children)
            if self.fields:
                attrs[name] = FormField(form, label=label, separator="-")
            nodes.append(Node("narrative" if sub is m.Narrative else "group", _anchor(path),
                              label, hint, path=path, children=children,
                              extra={"attr": name}))
            return shape
        if kind == "list_str" and "enum" in meta:
            if self.fields:
                options = [(v, choice_label(v, name)) for v in meta["enum"] if v]
                attrs[name] = MultiCheckboxField(label, description=hint or "",
                                                 choices=options, validate_choice=True)
            nodes.append(Node("checkboxes", _anchor(path), label, hint, path=path,
                              extra={"attr": name}))
            return None
        if kind in ("list_str", "list_obj"):
            return self.add_list(attrs, owner, name, kind, sub, value, path, nodes)
        raise TypeError(kind)  # pragma: no cover - every kind is handled above

    def add_list(self, attrs: dict[str, Any], owner: type, name: str, kind: str, sub: Any,
                 value: tuple[Any, ...], path: str, nodes: list[Node]) -> tuple[Any, ...]:
        label, hint = label_for(owner.__name__, name)
        item_label, add_label = LIST_LABELS.get(name, (label, label))
        entries: list[Node] = []
        shape: list[Any] = []
        for index, entry in enumerate(value[:MAX_ENTRIES]):
            entry_path = f"{path}[{index}]"
            key = f"{name}-{index}"
            children: list[Node] = []
            if kind == "list_str":
                if self.fields:
                    attrs[key] = StringField(item_label, validators=[Length(max=m.SHORT_MAX)])
                children.append(Node("field", _anchor(entry_path), item_label, None,
                                     path=entry_path, extra={"attr": key}))
                shape.append(None)
            else:
                allowed = m.item_fields(entry.type) if sub is m.AssistanceItem else None
                form, entry_shape = self.object_form(sub, entry, entry_path, allowed, children)
                if self.fields:
                    attrs[key] = FormField(form, label=item_label, separator="-")
                shape.append(entry_shape)
            entries.append(Node("group", _anchor(entry_path), item_label, None,
                                path=entry_path, children=children,
                                remove_op=f"remove:{entry_path}",
                                extra={"attr": key, "index": index}))
        nodes.append(Node("list", _anchor(path), label, hint, path=path, children=entries,
                          add_op=f"add:{path}", add_label=add_label,
                          extra={"full": len(value) >= MAX_ENTRIES}))
        return tuple(shape)


class SectionForm(FlaskForm):  # type: ignore[misc]
    revision = HiddenField()


#: Section form classes by (section, shape, choices). Building a class per page (and WTForms'
#: scan of a new class's attributes at its first form) was a fifth of a section page; the
#: shape is read by a walk that makes no fields. The choices object is kept with its class
#: (its id is in the key). The dictionary starts again when full.
_CLASSES: dict[tuple[Any, ...], tuple[Choices, type[FlaskForm]]] = {}
_CLASSES_MAX = 512


def build(section: Section, content: m.Request, choices: Choices,
          formdata: MultiDict[str, str] | None = None) -> tuple[FlaskForm, list[Node]]:
    """The bound form of a section and its node tree."""
    nodes: list[Node] = []
    shape = _walk(_Builder(choices, fields=False), section, content, {}, nodes)
    key = (section.slug, shape, id(choices))
    cached = _CLASSES.get(key)
    if cached is not None and cached[0] is choices:
        form_class = cached[1]
    else:
        attrs: dict[str, Any] = {}
        nodes = []
        _walk(_Builder(choices), section, content, attrs, nodes)
        form_class = type(f"{section.slug.title()}SectionForm", (SectionForm,), attrs)
        if len(_CLASSES) >= _CLASSES_MAX:
            _CLASSES.clear()
        _CLASSES[key] = (choices, form_class)
    form = form_class(formdata=formdata, data=_initial(section, content))
    return form, nodes


def _walk(builder: _Builder, section: Section, content: m.Request, attrs: dict[str, Any],
          nodes: list[Node]) -> tuple[Any, ...]:
    specs = {name: (kind, sub) for name, kind, sub, _d in m.field_specs(m.Request)}
    shape: list[Any] = []
    for part in section.parts:
        kind, sub = specs[part]
        value = getattr(content, part)
        if kind == "obj":
            shape.append(_add_top_object(builder, attrs, part, sub, value, nodes))
        else:
            shape.append(_add_top_list(builder, attrs, part, sub, value, nodes))
    return tuple(shape)


def _add_top_object(builder: _Builder, attrs: dict[str, Any], part: str, sub: type,
                    value: Any, nodes: list[Node]) -> tuple[Any, ...]:
    children: list[Node] = []
    form, shape = builder.object_form(sub, value, part, None, children)
    if builder.fields:
        attrs[part] = FormField(form, separator="-")
    nodes.extend(children)
    return shape


def _add_top_list(builder: _Builder, attrs: dict[str, Any], part: str, sub: Any,
                  value: tuple[Any, ...], nodes: list[Node]) -> tuple[Any, ...]:
    label, add_label = LIST_LABELS[part]
    entries: list[Node] = []
    shape: list[Any] = []
    for index, entry in enumerate(value[:MAX_ENTRIES]):
        path = f"{part}[{index}]"
        children: list[Node] = []
        allowed = m.item_fields(entry.type) if sub is m.AssistanceItem else None
        form, entry_shape = builder.object_form(sub, entry, path, allowed, children)
        if builder.fields:
            attrs[f"{part}-{index}"] = FormField(form, label=label, separator="-")
        shape.append(entry_shape)
        type_label = choice_label(entry.type, "type") if sub is m.AssistanceItem else None
        entries.append(Node("group", _anchor(path), label, None, path=path, children=children,
                            remove_op=f"remove:{path}",
                            extra={"attr": f"{part}-{index}", "index": index,
                                   "type_label": type_label}))
    nodes.append(Node("list", _anchor(part), None, None, path=part, children=entries,
                      add_op=f"add:{part}", add_label=add_label,
                      extra={"full": len(value) >= MAX_ENTRIES, "top": True}))
    return tuple(shape)


# --- data in and out -----------------------------------------------------------------------


def _initial(section: Section, content: m.Request) -> dict[str, Any]:
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


def merge(section: Section, form: FlaskForm, content: m.Request) -> m.Request:
    """The request with this section replaced by what the form holds."""
    document = content.to_dict()
    data = form.data
    for part in section.parts:
        current = getattr(content, part)
        if isinstance(current, tuple):
            sub = type(current[0]) if current else None
            document[part] = [_unflatten(type(entry), data.get(f"{part}-{i}") or {}, entry)
                              for i, entry in enumerate(current[:MAX_ENTRIES])] if sub else []
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


def assistance_type_choices() -> list[tuple[str, Any]]:
    return [(t, choice_label(t, "type")) for t in m.ASSISTANCE_TYPES]


def unexpected_keys(form: FlaskForm, posted: Iterable[str]) -> list[str]:
    """Posted keys that are not fields of this page (hidden or foreign fields)."""
    known = set(flat_fields(form)) | CONTROL_KEYS
    return sorted({key for key in posted if key not in known})


# --- structural operations -----------------------------------------------------------------

_OP = re.compile(r"^(add|remove):([a-z_]+(?:\[\d+\]|\.[a-z_]+)*)$")


def apply_op(content: m.Request, op: str, new_item_type: str = "") -> tuple[m.Request, str]:
    """Add or remove an entry of a repeatable part; returns the request and the anchor to
    show. Unknown or malformed operations leave the request unchanged."""
    match = _OP.match(op or "")
    if not match:
        return content, ""
    action, path = match.groups()
    document = content.to_dict()
    steps = re.findall(r"([a-z_]+)|\[(\d+)\]", path)
    parent: Any = document
    trail: list[str | int] = []
    for name, index in steps[:-1]:
        key: str | int = name if name else int(index)
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return content, ""
        trail.append(key)
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
        return m.Request.from_dict(document), _anchor(f"{path}[{len(target) - 1}]")
    if action == "remove" and last_index:
        if not isinstance(parent, list) or int(last_index) >= len(parent):
            return content, ""
        del parent[int(last_index)]
        list_path = path[: path.rfind("[")]
        return m.Request.from_dict(document), _anchor(list_path)
    return content, ""
