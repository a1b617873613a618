"""The field macros (templates/macros/fields.html, and ``field`` of macros/forms.html, which
picks one by the field's type) on generated fields of every type the portal uses: the label
names the control, the hint and the errors have their ids and the control names both in
aria-describedby, aria-invalid marks a field with errors, a checkbox's label follows its box,
values and texts are escaped, and a select marks the chosen option. The controls the macros
write themselves have the attributes, text and options WTForms' own widget gives them."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import lazy_gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.web.requests.formgen import MultiCheckboxField

TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'é中%")), max_size=12)
KINDS = st.sampled_from(["string", "textarea", "select", "boolean", "email", "integer",
                         "date", "checkboxes", "radios"])
RENDER_KW = st.sampled_from([None, {}, {"dir": "ltr"}, {"class": "usa-input--small"},
                             {"inputmode": "numeric", "dir": "ltr"}, {"type": "date"},
                             {"list": "provider-list", "autocomplete": "off"}])
#: Controls the macros write themselves (the others are drawn by their WTForms widget).
WRITTEN = {"string", "textarea", "select", "boolean", "email"}
CALL = ('{% from "macros/forms.html" import field %}'
        "{{ field(f, type=o.type, autocomplete=o.autocomplete, extra_class=o.extra_class, "
        "inputmode=o.inputmode, dir=o.dir) }}")


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], index: int) -> None:
        self.tag, self.attrs, self.index, self.text = tag, attrs, index, ""


class Page(HTMLParser):
    """Every element of a fragment, in order, with its attributes and its own text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), len(self.elements))
        self.elements.append(element)
        if tag not in ("input", "br", "img"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == element_id), None)

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


def _field(kind: str, label: str, description: str, errors: list[str], value: str,
           validators: list[str], render_kw: dict[str, str] | None = None) -> Any:
    checks = [{"required": DataRequired, "length": lambda: Length(min=1, max=9),
               "optional": Optional}[name]() for name in validators]
    options = [SelectChoice("", "—"), SelectChoice("x", "X <y>"), SelectChoice(value or "v",
                                                                                label or "V")]
    makers = {
        "string": lambda: StringField(label, description=description, validators=checks,
                                      render_kw=render_kw),
        "textarea": lambda: TextAreaField(label, description=description, validators=checks,
                                          render_kw=render_kw),
        "select": lambda: SelectField(label, description=description, validators=checks,
                                      choices=options),
        "boolean": lambda: BooleanField(label, description=description, validators=checks),
        "email": lambda: EmailField(label, description=description, validators=checks,
                                    render_kw=render_kw),
        "integer": lambda: IntegerField(label, description=description),
        "date": lambda: DateField(label, description=description),
        "checkboxes": lambda: MultiCheckboxField(label, description=description,
                                                 choices=options[1:]),
        "radios": lambda: RadioField(label, description=description, choices=options[1:]),
    }

    class OneField(Form):
        thing = makers[kind]()

    data: object = value
    if kind == "boolean":
        data = bool(value)
    elif kind == "integer":
        data = len(value)
    elif kind == "date":
        data = None
    elif kind == "checkboxes":
        data = ["x"]
    elif kind == "select":
        data = value or "v"
    form = OneField(data={"thing": data})
    form.thing.errors = list(errors)
    return form.thing


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, label=TEXT, description=TEXT, errors=st.lists(TEXT, max_size=2),
       value=TEXT, type_=st.sampled_from([None, "email"]),
       autocomplete=st.sampled_from([None, "off", "username"]),
       extra_class=st.sampled_from(["", "usa-file-input"]),
       inputmode=st.sampled_from([None, "numeric"]),
       direction=st.sampled_from([None, "auto", "ltr"]),
       validators=st.lists(st.sampled_from(["required", "length", "optional"]), max_size=2,
                           unique=True),
       render_kw=RENDER_KW)
def test_every_field_is_accessible(app: Flask, kind: str, label: str, description: str,
                                   errors: list[str], value: str, type_: str | None,
                                   autocomplete: str | None, extra_class: str,
                                   inputmode: str | None, direction: str | None,
                                   validators: list[str], render_kw: dict[str, str] | None
                                   ) -> None:
    f = _field(kind, label, description, errors, value, validators, render_kw)
    options = {"type": type_, "autocomplete": autocomplete, "extra_class": extra_class,
               "inputmode": inputmode, "dir": direction}
    with app.test_request_context("/"):
        html = render_template_string(CALL, f=f, o=options)
    page = Page(html)
    hint, error = page.by_id(f"{f.id}-hint"), page.by_id(f"{f.id}-error")
    assert (hint is not None) == bool(description)
    if hint is not None:
        assert hint.text == description and "usa-hint" in (hint.attrs["class"] or "")
    assert (error is not None) == bool(errors)
    if error is not None:
        assert error.attrs["role"] == "alert" and error.tag == "span"
        assert error.text == " ".join(errors)
    described = [i for i, shown in ((f"{f.id}-hint", hint), (f"{f.id}-error", error)) if shown]
    owner = page.by_id(f.id)  # the control, or the fieldset of a list of boxes
    assert owner is not None
    assert (owner.attrs.get("aria-describedby") or "").split() == described
    if kind in ("checkboxes", "radios"):
        assert owner.tag == "fieldset"
        legend = page.all("legend")[0]
        assert legend.text == label
        boxes = [e for e in page.all("input") if e.attrs.get("type") in ("checkbox", "radio")]
        assert len(boxes) == 2
        for box in boxes:  # each box, then its label
            box_label = page.elements[box.index + 1]
            assert box_label.tag == "label" and box_label.attrs["for"] == box.attrs["id"]
        return
    assert ("true" if errors else None) == owner.attrs.get("aria-invalid")
    group = page.elements[0]
    assert group.tag == "div" and ("usa-form-group--error" in (group.attrs["class"] or "")) \
        == bool(errors)
    labels = [e for e in page.all("label") if e.attrs.get("for") == f.id]
    assert len(labels) == 1 and labels[0].text == label
    if kind in WRITTEN:
        _same_as_wtforms(f, owner, page, type_, autocomplete, inputmode, direction)
    if kind == "boolean":
        assert labels[0].index == owner.index + 1  # the label after the box
        assert owner.attrs["type"] == "checkbox"
        return
    assert labels[0].index < owner.index
    if kind in ("string", "textarea", "email"):  # (the kinds given render_kw here)
        assert owner.attrs.get("dir") == (direction or (render_kw or {}).get("dir"))
    css = (owner.attrs["class"] or "").split()
    assert css[0] == {"select": "usa-select", "textarea": "usa-textarea"}.get(kind, "usa-input")
    assert ("usa-input--error" in css) == bool(errors)
    assert (extra_class in css) == bool(extra_class)
    if kind == "select":
        chosen = [e.attrs["value"] for e in page.all("option") if "selected" in e.attrs]
        assert chosen == [value or "v"]
        assert [e.text for e in page.all("option")][1] == "X <y>"
        assert "X &lt;y&gt;" in html
    elif kind == "date":
        assert owner.attrs["type"] == "date"
    elif kind == "textarea":
        assert owner.tag == "textarea" and owner.text.lstrip("\r\n") == value
    elif kind in ("string", "email"):
        assert owner.attrs["value"] == value
        if type_:
            assert owner.attrs["type"] == type_
    if "required" in validators and kind in ("string", "textarea", "select", "email"):
        assert "required" in owner.attrs


def _same_as_wtforms(f: Any, owner: Element, page: Page, type_: str | None,
                     autocomplete: str | None, inputmode: str | None,
                     direction: str | None) -> None:
    """The control the macro wrote is the one WTForms' widget draws with the same options."""
    given = {"class_": owner.attrs["class"], "type": type_, "autocomplete": autocomplete,
             "inputmode": inputmode, "dir": direction,
             "aria_describedby": owner.attrs.get("aria-describedby"),
             "aria_invalid": owner.attrs.get("aria-invalid")}
    if f.type in ("SelectField", "TextAreaField"):
        given.update(type=None, inputmode=None)
    elif f.type == "BooleanField":
        given = {k: v for k, v in given.items() if k.startswith(("class", "aria"))}
    theirs = Page(str(f(**{k: v for k, v in given.items() if v})))
    control = theirs.elements[0]
    assert control.tag == owner.tag
    assert control.attrs == owner.attrs
    assert control.text.lstrip("\r\n") == owner.text.lstrip("\r\n")
    if owner.tag == "select":
        ours = [(e.attrs, e.text) for e in page.all("option")]
        assert ours == [(e.attrs, e.text) for e in theirs.all("option")]


def test_options_are_marked_and_escaped(app: Flask) -> None:
    pairs = (("ES", "Spain <ES>"), ("FR", "France & co"), ("", "Any"))
    with app.test_request_context("/"):
        html = render_template_string("{{ select_options(pairs, 'FR') }}", pairs=pairs)
        none = render_template_string("{{ select_options(pairs, '<x>') }}", pairs=pairs)
    assert html == ('<option value="ES">Spain &lt;ES&gt;</option>'
                    '<option value="FR" selected>France &amp; co</option>'
                    '<option value="">Any</option>')
    assert "selected" not in none


def test_lazy_option_labels_follow_the_language(app: Flask) -> None:
    pairs = (("home", lazy_gettext("Home")),)
    shown = {}
    for locale in ("en", "fr", "en"):
        with app.test_request_context(f"/?lang={locale}"):
            shown[locale] = render_template_string("{{ select_options(pairs) }}", pairs=pairs)
    assert ">Home<" in shown["en"] and ">Home<" not in shown["fr"]


def test_a_select_refuses_a_value_it_does_not_offer(app: Flask) -> None:
    countries = [SelectChoice(""), *(SelectChoice(f"C{n}", f"Country {n}") for n in range(250))]

    class Pick(Form):
        country = SelectField("Country", choices=countries, validators=[Optional()])

    with app.test_request_context("/?lang=en"):
        assert Pick(formdata=MultiDict({"country": "C249"})).validate()
        refused = Pick(formdata=MultiDict({"country": "C250"}))
        assert not refused.validate()
        assert refused.country.errors == ["Not a valid choice."]


@pytest.mark.parametrize("locale", ["en", "es", "fr"])
def test_wtforms_own_messages_follow_the_language(app: Flask, locale: str) -> None:
    from portal.web.forms import PortalForm

    class Needed(PortalForm):
        class Meta:
            csrf = False

        name = StringField(validators=[DataRequired()])

    expected = {"en": "This field is required.", "es": "Este campo es obligatorio.",
                "fr": "Ce champ est requis."}
    with app.test_request_context(f"/?lang={locale}", method="POST", data={}):
        form = Needed()
        assert not form.validate()
        assert str(form.name.errors[0]) == expected[locale]
