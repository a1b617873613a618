"""The accessible form field (label, hint, error, control) as a Python function.

It was the ``field`` macro of ``templates/macros/forms.html``; a wizard section renders a few
dozen fields and each Jinja macro call cost more than the field's own HTML (~0.2 ms, a quarter
of a section page). The template still exports ``field`` (``{% set field = form_field %}``), so
``{% from "macros/forms.html" import field %}`` works as before; ``tests/web/
test_field_html.py`` renders the former macro beside this function on generated fields and
compares the two.

The group: the label, a hint (``<id>-hint``) when the field has a description, the errors
(``<id>-error``, ``role="alert"``), and the control with ``aria-describedby`` naming both and
``aria-invalid`` when it has errors. A checkbox puts its label after the box.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.meta import DefaultMeta
from wtforms.widgets.core import clean_key

from portal.web.select_widget import FastSelect
from portal.web.wtforms_speed import html_params

#: Widgets rendered here as WTForms renders them, without its per-call layers (the field's
#: ``__call__``, the meta's ``render_field`` and the widget's scan of ``dir(flags)``): a
#: section page renders a few dozen. Any other widget is called the usual way.
_INPUTS = frozenset({widgets.TextInput, widgets.EmailInput, widgets.HiddenInput,
                     widgets.SearchInput, widgets.TelInput, widgets.URLInput})


def _control(f: Any, attrs: dict[str, Any]) -> str:
    """What ``f(**attrs)`` renders."""
    widget = f.widget
    kind = type(widget)
    fast = kind in _INPUTS or kind is widgets.TextArea or kind is FastSelect
    if not fast or type(f.meta).render_field is not DefaultMeta.render_field:
        return str(f(**attrs))
    kw = {clean_key(k): v for k, v in f.render_kw.items()} if f.render_kw else {}
    kw.update((clean_key(k), v) for k, v in attrs.items())
    if kind is FastSelect:
        return str(widget(f, **kw))
    if kind is not widgets.TextArea and getattr(f, "_datalist", None) is not None:
        return str(f(**attrs))
    kw.setdefault("id", f.id)
    if kind is not widgets.TextArea:
        kw.setdefault("type", widget.input_type)
        if "value" not in kw:
            kw["value"] = f._value()
    # (the flags a field's validators set are its attributes: what dir() listed)
    for name, value in vars(f.flags).items():
        if name in widget.validation_attrs and name not in kw:
            kw[name] = value() if callable(value) and kind is not widgets.TextArea else value
    params = html_params(name=f.name, **kw)
    if kind is widgets.TextArea:
        return f"<textarea {params}>\r\n{escape(f._value())}</textarea>"
    return f"<input {params}>"


def _css(field_type: str, errors: bool, extra_class: str) -> str:
    if field_type == "SelectField":
        css = "usa-select"
    elif field_type == "TextAreaField":
        css = "usa-textarea"
    else:
        css = "usa-input"
    if errors:
        css += " usa-input--error"
    if extra_class:
        css += " " + extra_class
    return css


def _label(f: Any, css: str) -> str:
    """What ``f.label(class_=css)`` renders (WTForms' Label: attributes sorted, a lazy text
    given by its ``__html__``), without its keyword handling and attribute sorting."""
    label = f.label
    return (f'<label class="{css}" for="{escape(label.field_id)}">'
            f"{escape(label.text)}</label>")


def form_field(f: Any, type: str | None = None, autocomplete: str | None = None,
               extra_class: str = "", inputmode: str | None = None,
               dir: str | None = None) -> Markup:
    errors = f.errors
    hint_id = f"{f.id}-hint"
    error_id = f"{f.id}-error"
    described = []
    if f.description:
        described.append(hint_id)
    if errors:
        described.append(error_id)
    attrs: dict[str, Any]
    parts = ['<div class="usa-form-group usa-form-group--error">' if errors
             else '<div class="usa-form-group">']
    boolean = f.type == "BooleanField"
    if not boolean:
        parts.append(_label(f, "usa-label usa-label--error" if errors else "usa-label"))
    # (the macro left a checkbox's hint and errors out, though the box pointed at them)
    if f.description:
        parts.append(f'<div class="usa-hint" id="{escape(hint_id)}">'
                     f"{escape(f.description)}</div>")
    if errors:
        shown = " ".join(str(escape(error)) for error in errors)
        parts.append(f'<span class="usa-error-message" id="{escape(error_id)}" '
                     f'role="alert">{shown}</span>')
    if boolean:
        attrs = {"class_": "usa-checkbox__input"}
        if described:
            attrs["aria_describedby"] = " ".join(described)
        if errors:
            attrs["aria_invalid"] = "true"
        parts += ['<div class="usa-checkbox">', str(f(**attrs)),
                  _label(f, "usa-checkbox__label"), "</div>"]
    else:
        attrs = {"class_": _css(f.type, bool(errors), extra_class)}
        for key, value in (("type", type), ("autocomplete", autocomplete),
                           ("inputmode", inputmode), ("dir", dir)):
            if value:
                attrs[key] = value
        if described:
            attrs["aria_describedby"] = " ".join(described)
        if errors:
            attrs["aria_invalid"] = "true"
        parts.append(_control(f, attrs))
    parts.append("</div>")
    return Markup("\n".join(parts))  # noqa: S704 - every value escaped above or by WTForms
