"""A select box that renders long option lists fast.

WTForms 3.3 builds a ``SelectChoice`` object and calls ``html_params`` for every option on every
render: a wizard page with country, language and state lists spent most of its time there. This
widget renders each (value, label) pair once per process and language, then only joins strings.
Its HTML is the same as WTForms' ``Select`` (attributes in sorted order, ``selected`` first).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields import Field
from wtforms.fields.core import Flags
from wtforms.widgets import Select

from portal.web.wtforms_speed import html_params

#: (value, label as shown) -> (option, selected option). Labels are translated texts of a
#: fixed set of lists, so it holds a few thousand entries; a pair whose label is its value (a
#: saved answer the lists no longer offer) is not kept, and a full cache starts again.
_OPTIONS: dict[tuple[str, str], tuple[str, str]] = {}
_MAX_CACHED = 20_000
_NO_FLAGS = Flags()


def _option(value: str, label: str) -> tuple[str, str]:
    key = (value, label)
    cached = _OPTIONS.get(key)
    if cached is None:
        shown = escape(label or value)
        cached = (f'<option value="{escape(value)}">{shown}</option>',
                  f'<option selected value="{escape(value)}">{shown}</option>')
        if label != value:
            if len(_OPTIONS) >= _MAX_CACHED:
                _OPTIONS.clear()
            _OPTIONS[key] = cached
    return cached


#: (id of a tuple of pairs, selected value) -> (the tuple, the options' HTML): a tuple kept for
#: the process (the queue's country list, 250 options) whose labels are all plain text is
#: joined once per selected value. Up to 64, then it starts again.
_JOINED: dict[tuple[int, str | None], tuple[object, Markup]] = {}


def options_html(pairs: Iterable[tuple[str, Any]], selected: str | None = None) -> Markup:
    """``<option>`` elements for ``(value, label)`` pairs, ``selected`` marked (the filters of the
    triage queue, in templates as ``select_options``)."""
    if type(pairs) is tuple:
        kept = _JOINED.get((id(pairs), selected))
        if kept is not None and kept[0] is pairs:
            return kept[1]
    html = []
    plain_labels = True
    for value, label in pairs:
        if type(label) is not str:
            plain_labels = False  # a lazy label: translated for this page's language
            label = str(label)
        plain, chosen = _option(value, label)
        html.append(chosen if value == selected else plain)
    joined = Markup("".join(html))  # noqa: S704 - parts escaped by _option
    if type(pairs) is tuple and plain_labels:
        if len(_JOINED) >= 64:
            _JOINED.clear()
        _JOINED[(id(pairs), selected)] = (pairs, joined)
    return joined


class FastSelect(Select):  # type: ignore[misc]
    """Single select over a flat list of ``(str value, label)`` pairs with ``coerce=str``;
    anything else (option groups, other values) is rendered by WTForms' own widget."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        choices = field.choices
        if self.multiple or isinstance(choices, dict) or field.coerce is not str:
            return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
        kwargs.setdefault("id", field.id)
        # the flags set by validators are the attributes of ``flags`` (WTForms scans dir())
        for k, value in vars(getattr(field, "flags", None) or _NO_FLAGS).items():
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = value
        data = field.data
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in choices or ():
            if not isinstance(choice, tuple) or len(choice) != 2 or not isinstance(choice[0], str):
                return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
            value, label = choice
            plain, selected = _option(value, label if type(label) is str else str(label))
            html.append(selected if value == data else plain)
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - parts escaped by _option, html_params


class FastSelectField(SelectField):  # type: ignore[misc]
    """A select field whose choice check compares values only. WTForms' ``pre_validate``
    builds a ``Choice`` for every option to find the chosen one (~250 for a country list, ~0.1
    ms); here a flat list of ``(str value, label)`` pairs with ``coerce=str`` is scanned for
    the value, and anything else (and a value not offered) is checked by WTForms itself. Same
    outcome and message:
    ``tests/web/test_select_field.py``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type = "SelectField"  # rendered as one (field_html: the usa-select class)

    def pre_validate(self, form: Any) -> None:
        choices = self.choices
        if (self.process_errors or not self.validate_choice or self.coerce is not str
                or type(choices) is not list):
            super().pre_validate(form)
            return
        data = self.data
        for choice in choices:
            if type(choice) is not tuple or len(choice) != 2 or type(choice[0]) is not str:
                super().pre_validate(form)
                return
            if choice[0] == data:
                return
        super().pre_validate(form)  # not offered: WTForms says so, in its own words
