"""Lazy strings remember their translation per catalog (portal.i18n_speed): the same label
object gives each language's text, page after page, inside ``force_locale`` (e-mails in the
recipient's language) and outside any request."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, lazy_gettext, lazy_ngettext

from portal.web.triage.labels import STATUS_LABELS

LABEL = STATUS_LABELS["returned"]  # made at import, shown on many pages


def test_a_lazy_label_follows_the_language_of_each_request(app: Flask) -> None:
    seen = {}
    for locale in ["en", "fr", "es", "en", "ar", "fr", "zh_Hans", "ru", "de", "pt", "en"]:
        with app.test_request_context(f"/?lang={locale}"):
            text = str(LABEL)
            assert text == str(LABEL)  # remembered: the same again
            seen.setdefault(locale, text)
            assert seen[locale] == text
    assert seen["en"] == "Returned for changes"
    assert len(set(seen.values())) == len(seen)  # each language its own text
    assert seen["fr"] != seen["en"]


def test_force_locale_and_no_request(app: Flask) -> None:
    greeting = lazy_gettext("Sign out")
    with app.test_request_context("/?lang=en"):
        english = str(greeting)
        with force_locale("fr"):
            french = str(greeting)
        assert str(greeting) == english
    assert english == "Sign out" and french != english
    assert str(greeting) == "Sign out"  # outside a request: the message itself


def test_lazy_plurals_and_variables(app: Flask) -> None:
    count = lazy_ngettext("%(num)d blocker", "%(num)d blockers", 3)
    minimum = lazy_gettext("Enter a whole number between %(min)d and %(max)d.", min=1, max=9)
    with app.test_request_context("/?lang=fr"):
        assert str(count) == "3 bloquants"
        assert "1" in str(minimum) and "9" in str(minimum)
    with app.test_request_context("/?lang=en"):
        assert str(count) == "3 blockers"
        assert str(minimum) == "Enter a whole number between 1 and 9."
