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
from wtforms import BooleanField, Form, SelectField, StringField, TextAreaField

from portal.web.field_html import form_field

FORMER_MACRO = (Path(__file__).parent / "former_field_macro.html").read_text(encoding="utf-8")

TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'é中")), max_size=12)
KINDS = st.sampled_from(["string", "textarea", "select", "boolean"])


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _field(kind: str, label: str, description: str, errors: list[str], value: str) -> object:
    cls = {"string": StringField, "textarea": TextAreaField, "boolean": BooleanField}.get(kind)
    if cls is None:
        unbound = SelectField(label, description=description,
                              choices=[("", "—"), ("x", "X <y>"), (value, value)])
    else:
        unbound = cls(label, description=description)

    class OneField(Form):
        thing = unbound

    form = OneField(data={"thing": value if kind != "boolean" else bool(value)})
    form.thing.errors = list(errors)
    return form.thing


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, label=TEXT, description=TEXT, errors=st.lists(TEXT, max_size=2),
       value=TEXT, type_=st.sampled_from([None, "email", "date"]),
       autocomplete=st.sampled_from([None, "off", "username"]),
       extra_class=st.sampled_from(["", "usa-file-input"]),
       inputmode=st.sampled_from([None, "numeric"]),
       direction=st.sampled_from([None, "auto", "ltr"]))
def test_form_field_renders_what_the_macro_rendered(
        app: Flask, kind: str, label: str, description: str, errors: list[str], value: str,
        type_: str | None, autocomplete: str | None, extra_class: str, inputmode: str | None,
        direction: str | None) -> None:
    f = _field(kind, label, description, errors, value)
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
