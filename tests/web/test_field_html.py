"""``portal.web.field_html.form_field`` renders what the ``field`` macro of
templates/macros/forms.html rendered (its source is kept in former_field_macro.html), on
generated fields: every field type the portal uses, with or without a description, errors and
each option. One difference on purpose: a checkbox's hint and errors are shown (the macro
pointed the box at them with aria-describedby but left them out)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.web.field_html import form_field
from portal.web.select_widget import FastSelect

FORMER_MACRO = (Path(__file__).parent / "former_field_macro.html").read_text(encoding="utf-8")

TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'é中")), max_size=12)
KINDS = st.sampled_from(["string", "textarea", "select", "fastselect", "boolean", "email",
                         "hidden", "integer"])
VALIDATORS = st.lists(st.sampled_from(["required", "length", "optional"]), max_size=2,
                      unique=True)
RENDER_KW = st.sampled_from([None, {}, {"dir": "ltr"}, {"class": "usa-input--small"},
                             {"inputmode": "numeric", "dir": "ltr"}, {"list": "provider-list"}])


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _field(kind: str, label: str, description: str, errors: list[str], value: str,
           validators: list[str] | None = None, render_kw: dict[str, str] | None = None
           ) -> object:
    checks = [{"required": DataRequired, "length": lambda: Length(min=1, max=9),
               "optional": Optional}[name]() for name in validators or []]
    cls = {"string": StringField, "textarea": TextAreaField, "boolean": BooleanField,
           "email": EmailField, "hidden": HiddenField, "integer": IntegerField}.get(kind)
    if cls is None:
        unbound = SelectField(label, description=description, validators=checks,
                              render_kw=render_kw,
                              choices=[("", "—"), ("x", "X <y>"), (value, value)],
                              widget=FastSelect() if kind == "fastselect" else None)
    else:
        unbound = cls(label, description=description, validators=checks, render_kw=render_kw)

    class OneField(Form):
        thing = unbound

    data: object = value
    if kind == "boolean":
        data = bool(value)
    elif kind == "integer":
        data = len(value)
    form = OneField(data={"thing": data})
    form.thing.errors = list(errors)
    return form.thing


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, label=TEXT, description=TEXT, errors=st.lists(TEXT, max_size=2),
       value=TEXT, type_=st.sampled_from([None, "email", "date"]),
       autocomplete=st.sampled_from([None, "off", "username"]),
       extra_class=st.sampled_from(["", "usa-file-input"]),
       inputmode=st.sampled_from([None, "numeric"]),
       direction=st.sampled_from([None, "auto", "ltr"]), validators=VALIDATORS,
       render_kw=RENDER_KW)
def test_form_field_renders_what_the_macro_rendered(
        app: Flask, kind: str, label: str, description: str, errors: list[str], value: str,
        type_: str | None, autocomplete: str | None, extra_class: str, inputmode: str | None,
        direction: str | None, validators: list[str], render_kw: dict[str, str] | None
        ) -> None:
    f = _field(kind, label, description, errors, value, validators, render_kw)
    options = {"type": type_, "autocomplete": autocomplete, "extra_class": extra_class,
               "inputmode": inputmode, "dir": direction}
    with app.test_request_context("/"):
        former = render_template_string(
            FORMER_MACRO + "{{ field(f, type=o.type, autocomplete=o.autocomplete, "
            "extra_class=o.extra_class, inputmode=o.inputmode, dir=o.dir) }}", f=f, o=options)
        now = render_template_string(
            '{% from "macros/forms.html" import field %}'
            "{{ field(f, type=o.type, autocomplete=o.autocomplete, extra_class=o.extra_class, "
            "inputmode=o.inputmode, dir=o.dir) }}", f=f, o=options)
        direct = form_field(f, **options)
    assert str(direct) == now
    if kind != "boolean" or not (description or errors):
        assert _normalized(now) == _normalized(former)
    ids = set(re.findall(r' id="([^"]+)"', now))
    for described in re.findall(r'aria-describedby="([^"]+)"', now):
        assert set(described.split()) <= ids  # every reference exists
    if errors:
        assert 'aria-invalid="true"' in now and f'id="{f.id}-error"' in now
        assert all(str(escape(error)) in now for error in errors)
    if description:
        assert f'id="{f.id}-hint"' in now and str(escape(description)) in now
