"""The render speed-ups give the same output as the code they replace.

- ``wtforms_speed.html_params`` against WTForms' own function, on generated attributes;
- ``FastSelect`` against WTForms' ``Select`` on the same field;
- the remembered catalog (``i18n_speed``) follows ``force_locale`` both ways;
- the cached date names and the ``ltr`` filter.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale, gettext, lazy_gettext
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import Form, SelectField
from wtforms.widgets import Select

from portal.web import wtforms_speed
from portal.web.select_widget import FastSelect

KEYS = st.sampled_from(["id", "name", "class_", "for_", "data_x_y", "aria_describedby",
                        "aria_invalid", "value", "type", "required", "dir", "a<b", 'q"'])
VALUES = st.one_of(st.booleans(), st.text(max_size=30), st.integers(),
                   st.text(max_size=10).map(Markup))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_html_params_matches_wtforms(attrs: dict[str, object]) -> None:
    fast = wtforms_speed.html_params(**attrs)
    original = wtforms_speed.original_html_params(**attrs)
    assert str(fast) == str(original)
    assert isinstance(fast, Markup)


def _forms(choices: list[tuple[str, object]], data: str | None
           ) -> tuple[SelectField, SelectField]:
    class Fast(Form):
        box = SelectField("Box", choices=choices, widget=FastSelect())

    class Plain(Form):
        box = SelectField("Box", choices=choices, widget=Select())

    fast, plain = Fast(), Plain()
    fast.box.data = plain.box.data = data
    return fast.box, plain.box


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=12)), max_size=8),
       st.one_of(st.none(), st.text(max_size=8)))
def test_fast_select_matches_wtforms(choices: list[tuple[str, str]], data: str | None) -> None:
    if choices and data is None:
        data = choices[len(choices) // 2][0]  # often a listed value: one is selected
    fast, plain = _forms(list(choices), data)
    assert str(fast(class_="usa-select", aria_invalid="true")) == \
        str(plain(class_="usa-select", aria_invalid="true"))


def test_fast_select_translates_lazy_labels_in_the_current_language(app: Flask) -> None:
    with app.test_request_context("/"):
        choices: list[tuple[str, object]] = [("", lazy_gettext("Choose…")), ("ES", "España")]
        for locale in ("en", "es", "fr"):
            with force_locale(locale):
                fast, plain = _forms(choices, "ES")
                assert str(fast()) == str(plain())
                assert f">{gettext('Choose…')}<" in str(fast())
                assert '<option selected value="ES">España</option>' in str(fast())


@pytest.mark.filterwarnings("ignore:Passing SelectField choices in a dict")
def test_fast_select_leaves_option_groups_to_wtforms(app: Flask) -> None:
    groups = {"Europe": [("ES", "Spain")], "America": [("MX", "Mexico")]}

    class Fast(Form):
        box = SelectField("Box", choices=groups, widget=FastSelect())

    form = Fast()
    form.box.data = "MX"
    assert '<optgroup label="America">' in str(form.box())
    assert '<option selected value="MX">Mexico</option>' in str(form.box())


def test_remembered_catalog_follows_force_locale(app: Flask) -> None:
    english = "Triage queue"
    with app.test_request_context("/?lang=es"):
        spanish = gettext(english)
        assert spanish != english
        with force_locale("fr"):
            french = gettext(english)
            assert french not in (english, spanish)
            assert render_template_string("{{ _('Triage queue') }}") == french
            assert str(lazy_gettext(english)) == french
        assert gettext(english) == spanish  # back to the request's language
        assert render_template_string("{{ _('Triage queue') }}") == spanish
        with force_locale("en"):
            assert gettext(english) == english


def test_date_names_are_per_language(app: Flask) -> None:
    day = date(2026, 3, 4)
    template = "{{ format_date(day) }}"
    with app.test_request_context("/?lang=es"):
        spanish = render_template_string(template, day=day)
        with force_locale("de"):
            german = render_template_string(template, day=day)
    with app.test_request_context("/?lang=en"):
        english = render_template_string(template, day=day)
    assert english == "Mar 4, 2026"
    assert spanish == "4 mar 2026"
    assert german == "04.03.2026"


def test_ltr_filter_escapes(app: Flask) -> None:
    with app.test_request_context("/"):
        out = render_template_string("{{ value|ltr }}", value="<b>+34</b>")
    assert out == '<bdi dir="ltr">&lt;b&gt;+34&lt;/b&gt;</bdi>'


def test_cached_choice_lists_are_in_the_language_asked_for(app: Flask) -> None:
    from portal.requests.choices import _choices

    _choices.cache_clear()
    with app.test_request_context("/?lang=en"):  # a request served in English...
        spanish = dict(_choices("ES", "es").categories)  # ... builds the Spanish list
    with app.test_request_context("/?lang=es"):
        english = dict(_choices("ES", "en").categories)
        assert gettext("Fraud") == spanish["fraud"] != english["fraud"] == "Fraud"


def test_wtforms_own_messages_follow_the_language_with_the_kept_catalogs(app: Flask) -> None:
    """WTForms' catalog is kept per language (wtforms_speed.wtforms_translations), not
    reloaded per request: each language still gets its own messages, in any order."""
    import flask_wtf.i18n
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class Needed(FlaskForm):  # type: ignore[misc]
        class Meta:
            csrf = False

        name = StringField(validators=[DataRequired()])

    def message(locale: str) -> str:
        with app.test_request_context("/", method="POST", data={}), force_locale(locale):
            form = Needed()
            assert not form.validate()
            return str(form.name.errors[0])

    for _round in range(2):
        assert message("es") == "Este campo es obligatorio."
        assert message("fr") == "Ce champ est requis."
        assert message("en") == "This field is required."
    kept = []
    for _request in range(2):
        with app.test_request_context("/"), force_locale("es"):
            kept.append(flask_wtf.i18n._get_translations())
    assert kept[0] is not None and kept[0] is kept[1]  # one load for both requests
