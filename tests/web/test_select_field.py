"""``FastSelectField`` accepts and refuses exactly what WTForms' ``SelectField`` does, with the
same message: flat lists of (value, label) pairs (its own check), and every other shape of
choices, a coercion other than ``str`` or a choice check turned off (WTForms' check)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import Optional

from portal.web.select_widget import FastSelectField

VALUES = st.sampled_from(["", "a", "b", "ES", "é", "1", "01", " a"])
PAIRS = st.lists(st.tuples(VALUES, st.text(max_size=3)), max_size=6)
OTHER = st.one_of(
    st.lists(st.tuples(VALUES, st.text(max_size=2), st.just({})), max_size=3),  # render_kw
    st.dictionaries(st.text(max_size=2), PAIRS, max_size=2),                     # groups
    st.lists(st.tuples(st.integers(0, 3), st.text(max_size=2)), max_size=3),     # int values
)


def _errors(field_class: type, choices: Any, sent: list[str] | None, *, coerce: Any = str,
            validate_choice: bool = True, optional: bool = False) -> list[str]:
    class F(Form):  # type: ignore[misc]
        pick = field_class("Pick", choices=choices, coerce=coerce,
                           validate_choice=validate_choice,
                           validators=[Optional()] if optional else [])

    form = F(formdata=MultiDict({"pick": sent} if sent is not None else {}))
    form.validate()
    return list(form.pick.errors)


@pytest.mark.filterwarnings("ignore:Passing SelectField choices in a dict:DeprecationWarning")
@settings(max_examples=300, deadline=None)
@given(choices=st.one_of(PAIRS, OTHER), sent=st.one_of(st.none(), st.lists(VALUES, max_size=2)),
       validate_choice=st.booleans(), optional=st.booleans())
def test_same_outcome_as_wtforms(choices: Any, sent: list[str] | None, validate_choice: bool,
                                 optional: bool) -> None:
    expected = _errors(SelectField, choices, sent, validate_choice=validate_choice,
                       optional=optional)
    assert _errors(FastSelectField, choices, sent, validate_choice=validate_choice,
                   optional=optional) == expected


@given(sent=st.lists(st.sampled_from(["0", "1", "x", ""]), min_size=1, max_size=1))
def test_other_coercions_are_checked_by_wtforms(sent: list[str]) -> None:
    choices = [(0, "zero"), (1, "one")]
    assert (_errors(FastSelectField, choices, sent, coerce=int)
            == _errors(SelectField, choices, sent, coerce=int))


def test_a_value_not_offered_is_refused_and_an_offered_one_accepted() -> None:
    countries = [("", "Choose…"), *((f"C{n}", f"Country {n}") for n in range(250))]
    assert _errors(FastSelectField, countries, ["C249"]) == []
    assert _errors(FastSelectField, countries, ["C250"]) == ["Not a valid choice."]
    assert _errors(SelectField, countries, ["C250"]) == ["Not a valid choice."]


def test_rendered_as_a_select_field(app: Flask) -> None:
    from portal.web.field_html import form_field
    from portal.web.select_widget import FastSelect

    class F(Form):  # type: ignore[misc]
        pick = FastSelectField("Pick", choices=[("a", "A")], widget=FastSelect())
        plain = SelectField("Pick", choices=[("a", "A")])

    with app.test_request_context("/"):
        form = F()
        assert form.pick.type == form.plain.type == "SelectField"
        assert 'class="usa-select"' in str(form_field(form.pick))
        assert 'class="usa-select"' in str(form_field(form.plain))
