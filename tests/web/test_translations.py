"""Translations as users see them (Flask-Babel and Jinja's i18n extension, as they are): lazy
labels made at import follow the language of each request, ``force_locale`` and no request at
all; templates' gettext escapes its variables, reads ``%%`` as ``%`` and picks plural and
contextual forms; a ``%`` in a translation shows as written."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_babel import gettext, lazy_gettext, lazy_ngettext

from portal import translation
from portal.requests.sections import BY_SLUG
from portal.translation import force_locale

LOCALES = ["en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"]


def test_a_lazy_label_follows_the_language_of_each_request(app: Flask) -> None:
    label = BY_SLUG["facts"].title  # made at import, shown on many pages
    seen: dict[str, str] = {}
    for locale in ["en", "fr", "es", "en", "ar", "fr", "zh_Hans", "ru", "de", "pt", "en"]:
        with app.test_request_context(f"/?lang={locale}"):
            text = str(label)
            assert seen.setdefault(locale, text) == text
    assert seen["en"] == "Facts"
    assert len(set(seen.values())) == len(seen)  # each language its own text


def test_force_locale_and_no_request(app: Flask) -> None:
    greeting = lazy_gettext("Sign out")
    ours = translation.lazy_gettext("Sign out")
    with app.test_request_context("/?lang=en"):
        english = str(greeting)
        assert translation.gettext("Sign out") == str(ours) == english  # the page's catalog kept
        with force_locale("fr"):
            french = str(greeting)
            assert str(ours) == translation.gettext("Sign out") == french
            assert render_template_string("{{ _('Sign out') }}") == french
        assert str(greeting) == str(ours) == english
        assert render_template_string("{{ _('Sign out') }}") == english
    assert english == "Sign out" and french != english
    assert str(greeting) == str(ours) == "Sign out"  # outside a request: the message itself


def test_lazy_plurals_and_variables(app: Flask) -> None:
    count = lazy_ngettext("%(num)d blocker", "%(num)d blockers", 3)
    minimum = lazy_gettext("Enter a whole number between %(min)d and %(max)d.", min=1, max=9)
    with app.test_request_context("/?lang=fr"):
        assert str(count) == "3 bloquants"
        assert "1" in str(minimum) and "9" in str(minimum)
    with app.test_request_context("/?lang=en"):
        assert str(count) == "3 blockers"
        assert str(minimum) == "Enter a whole number between 1 and 9."


SOURCE = (
    '{{ _("Home") }}|{{ _("Not a msgid: 100%% & <b>") }}|'
    '{{ _("Your draft was saved at %(time)s.", time="<12:00>") }}|'
    '{% for n in (1, 2) %}{{ ngettext("%(num)d blocker", "%(num)d blockers", n) }};'
    '{% endfor %}|{{ pgettext("section status", "Completed") }}'
)


@pytest.mark.parametrize("locale", LOCALES)
def test_template_gettext(app: Flask, locale: str) -> None:
    with app.test_request_context(f"/?lang={locale}"):
        shown = render_template_string(SOURCE)
        home = gettext("Home")
        blocker = gettext("%(num)d blocker", num=1)
    parts = shown.split("|")
    assert parts[0] == home
    assert parts[1] == "Not a msgid: 100% & <b>"  # a message is markup; %% is %
    assert "&lt;12:00&gt;" in parts[2]  # a variable is escaped
    assert parts[3].split(";")[0] == blocker
    if locale == "en":
        assert parts[3] == "1 blocker;2 blockers;" and parts[4] == "Completed"
    else:
        assert parts[0] != "Home"


def test_a_percent_sign_in_a_translation(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        assert gettext("Share of requests returned, by country (%)").endswith("(%)")
