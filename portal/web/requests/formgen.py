"""WTForms forms generated from the request contract, one per wizard section, and the tree of
nodes the templates draw them by (groups, lists with add and remove buttons, narratives)."""

# The contract's model is the only source of the fields: labels from portal.requests.labels,
# validators that mirror the JSON Schema (a saved draft is always a valid contract document),
# repeatable parts as numbered entries (persons-0-name, persons-1-name...) added and removed by
# plain submit buttons. An assistance item shows only the fields of its type; a posted key that
# is not a field of the page is refused (formdata.unexpected_keys), so hidden fields take no
# data.

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel.speaklater import LazyString
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
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, NumberRange, Optional, Regexp, ValidationError

from portal.cache import memoize
from portal.contract import model as m
from portal.requests import labels
from portal.requests.choices import Choices
from portal.requests.entries import MAX_ENTRIES
from portal.requests.sections import Section, anchor_of_path
from portal.translation import lazy_gettext as _l
from portal.web.forms import PortalForm, PortalSubform
from portal.web.i18n import current_locale_code
from portal.web.requests.formdata import ACCOUNT_FIELDS, initial_data


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


def _text(value: Any) -> Any:
    """A label in the page's language, looked up once: the form is built for one request."""
    return str(value) if isinstance(value, LazyString) else value


@memoize("form_labels", max_bytes=2 * 1024 * 1024,
         why="a section page names some seventy fields, lists and options; looking each up in "
             "the catalog on every page costs more than its queries")
def _labels_in(locale: str, kind: str, owner: str, name: str) -> tuple[Any, Any]:
    if kind == "field":
        label, hint = labels.label_for(owner, name)
    elif kind == "list":
        label, hint = labels.LIST_LABELS.get(name, (None, None))
    elif kind == "choose":
        label, hint = _l("Choose…"), None
    else:
        label, hint = labels.choice_label(name, owner), None
    return _text(label), _text(hint)


def label_for(locale: str, owner: str, name: str) -> tuple[Any, Any]:
    """A field's label and hint in ``locale``."""
    return _labels_in(locale, "field", owner, name)


def choice_label(locale: str, value: str, field: str = "") -> Any:
    return _labels_in(locale, "choice", field, value)[0]


def list_labels(locale: str, name: str, default: tuple[Any, Any]) -> tuple[Any, Any]:
    item, add = _labels_in(locale, "list", "", name)
    return (item, add) if item is not None else default


def _select(label: Any, hint: Any, options: Iterable[tuple[str, Any]], current: str,
            locale: str) -> SelectField:
    choices = [SelectChoice("", _labels_in(locale, "choose", "", "")[0]),
               *[SelectChoice(value, text) for value, text in options]]
    if current and current not in {choice.value for choice in choices}:
        choices.append(SelectChoice(current, current))  # a value the lists no longer offer
    return SelectField(label, description=hint or "", choices=choices, validate_choice=True,
                       validators=[Optional()])


def _select_options(owner: type, name: str, meta: Mapping[str, Any], choices: Choices,
                    locale: str) -> Iterable[tuple[str, Any]] | None:
    """The options of a text field shown as a select box; None for any other field."""
    pattern = meta.get("pattern")
    if "enum" in meta:
        return [(v, choice_label(locale, v, name)) for v in meta["enum"] if v]
    lists = {"country": choices.countries, "us_state": choices.states,
             "language": choices.languages}
    if pattern in lists:
        return lists[pattern]
    if owner is m.Offence and name == "category":
        return choices.categories
    if owner is m.LegalBasisChoice and name == "instrument":
        return choices.instruments
    return None


def _str_field(owner: type, name: str, meta: Mapping[str, Any], choices: Choices,
               current: str, locale: str) -> Field:
    label, hint = label_for(locale, owner.__name__, name)
    hint = hint or ""
    pattern = meta.get("pattern")
    options = _select_options(owner, name, meta, choices, locale)
    if options is not None:
        return _select(label, hint, options, current, locale)
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
          current: Any, locale: str) -> Field:
    label, hint = label_for(locale, owner.__name__, name)
    if kind == "str":
        return _str_field(owner, name, meta, choices, current if isinstance(current, str) else "",
                          locale)
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


class _Builder:
    """Walks the objects of a section: adds their fields to a form class's attributes and
    their nodes to the page's tree."""

    def __init__(self, choices: Choices, locale: str) -> None:
        self.choices = choices
        self.locale = locale

    def object_form(self, cls: type, value: Any, path: str, allowed: tuple[str, ...] | None,
                    nodes: list[Node]) -> type[PortalSubform]:
        attrs: dict[str, Any] = {}
        metas = _meta(cls)
        for name, kind, sub, _default in m.field_specs(cls):
            if allowed is not None and name not in allowed:
                continue
            if cls is m.AssistanceItem and name == "type":
                continue  # the type is chosen when the item is added, shown as a heading
            if cls is m.RequestingAuthority and name in ACCOUNT_FIELDS:
                continue  # from the account (shown above the form), never typed
            self.add_member(attrs, cls, name, kind, sub, metas[name], getattr(value, name),
                            f"{path}.{name}" if path else name, nodes)
        return type(f"{cls.__name__}Form", (PortalSubform,), attrs)

    def add_member(self, attrs: dict[str, Any], owner: type, name: str, kind: str, sub: Any,
                   meta: Mapping[str, Any], value: Any, path: str, nodes: list[Node]) -> None:
        label, hint = label_for(self.locale, owner.__name__, name)
        if kind in ("str", "bool", "int", "num"):
            attrs[name] = _leaf(owner, name, kind, meta, self.choices, value, self.locale)
            nodes.append(Node("field", anchor_of_path(path), label, hint, path=path,
                              extra={"attr": name}))
        elif kind == "obj":
            children: list[Node] = []
            form = self.object_form(sub, value, path, None, children)
            attrs[name] = FormField(form, label=label, separator="-")
            nodes.append(Node("narrative" if sub is m.Narrative else "group",
                              anchor_of_path(path), label, hint, path=path, children=children,
                              extra={"attr": name}))
        elif kind == "list_str" and "enum" in meta:
            options = [SelectChoice(v, choice_label(self.locale, v, name))
                       for v in meta["enum"] if v]
            attrs[name] = MultiCheckboxField(label, description=hint or "", choices=options,
                                             validate_choice=True)
            nodes.append(Node("checkboxes", anchor_of_path(path), label, hint, path=path,
                              extra={"attr": name}))
        elif kind in ("list_str", "list_obj"):
            self.add_list(attrs, owner, name, kind, sub, value, path, nodes)
        else:  # pragma: no cover - every kind is handled above
            raise TypeError(kind)

    def add_list(self, attrs: dict[str, Any], owner: type, name: str, kind: str, sub: Any,
                 value: tuple[Any, ...], path: str, nodes: list[Node]) -> None:
        label, hint = label_for(self.locale, owner.__name__, name)
        item_label, add_label = list_labels(self.locale, name, (label, label))
        entries: list[Node] = []
        for index, entry in enumerate(value[:MAX_ENTRIES]):
            entry_path = f"{path}[{index}]"
            key = f"{name}-{index}"
            children: list[Node] = []
            if kind == "list_str":
                attrs[key] = StringField(item_label, validators=[Length(max=m.SHORT_MAX)])
                children.append(Node("field", anchor_of_path(entry_path), item_label, None,
                                     path=entry_path, extra={"attr": key}))
            else:
                allowed = m.item_fields(entry.type) if sub is m.AssistanceItem else None
                form = self.object_form(sub, entry, entry_path, allowed, children)
                attrs[key] = FormField(form, label=item_label, separator="-")
            # (an entry of texts holds one field, whose anchor is the entry's: the group takes
            # another id, so that the page's ids stay unique)
            group_anchor = anchor_of_path(entry_path) + ("-entry" if kind == "list_str" else "")
            entries.append(Node("group", group_anchor, item_label, None,
                                path=entry_path, children=children,
                                remove_op=f"remove:{entry_path}",
                                extra={"attr": key, "index": index}))
        nodes.append(Node("list", anchor_of_path(path), label, hint, path=path,
                          children=entries, add_op=f"add:{path}", add_label=add_label,
                          extra={"full": len(value) >= MAX_ENTRIES}))


class SectionForm(PortalForm):
    revision = HiddenField()


def build(section: Section, content: m.Request, choices: Choices,
          formdata: MultiDict[str, str] | None = None) -> tuple[PortalForm, list[Node]]:
    """The bound form of a section and its node tree."""
    builder = _Builder(choices, current_locale_code())
    attrs: dict[str, Any] = {}
    nodes: list[Node] = []
    specs = {name: (kind, sub) for name, kind, sub, _d in m.field_specs(m.Request)}
    for part in section.parts:
        kind, sub = specs[part]
        value = getattr(content, part)
        if kind == "obj":
            form = builder.object_form(sub, value, part, None, nodes)
            attrs[part] = FormField(form, separator="-")
        else:
            _add_top_list(builder, attrs, part, sub, value, nodes)
    form_class = type(f"{section.slug.title()}SectionForm", (SectionForm,), attrs)
    return form_class(formdata=formdata, data=initial_data(section, content)), nodes


def _add_top_list(builder: _Builder, attrs: dict[str, Any], part: str, sub: Any,
                  value: tuple[Any, ...], nodes: list[Node]) -> None:
    label, add_label = list_labels(builder.locale, part, (None, None))
    entries: list[Node] = []
    for index, entry in enumerate(value[:MAX_ENTRIES]):
        path = f"{part}[{index}]"
        children: list[Node] = []
        allowed = m.item_fields(entry.type) if sub is m.AssistanceItem else None
        form = builder.object_form(sub, entry, path, allowed, children)
        attrs[f"{part}-{index}"] = FormField(form, label=label, separator="-")
        type_label = (choice_label(builder.locale, entry.type, "type")
                      if sub is m.AssistanceItem else None)
        entries.append(Node("group", anchor_of_path(path), label, None, path=path,
                            children=children, remove_op=f"remove:{path}",
                            extra={"attr": f"{part}-{index}", "index": index,
                                   "type_label": type_label}))
    nodes.append(Node("list", anchor_of_path(part), None, None, path=part, children=entries,
                      add_op=f"add:{part}", add_label=add_label,
                      extra={"full": len(value) >= MAX_ENTRIES, "top": True}))


def assistance_type_choices() -> list[tuple[str, Any]]:
    locale = current_locale_code()
    return [(t, choice_label(locale, t, "type")) for t in m.ASSISTANCE_TYPES]
