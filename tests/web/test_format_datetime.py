"""The templates' ``format_datetime`` (portal.app, kept in the ``datetimes`` cache by instant,
format, language and time zone) gives what Flask-Babel's own gives, in every language and time
zone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask import Flask, render_template_string
from flask_babel import format_datetime

from portal.translation import force_locale

LOCALES = ["en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"]
INSTANTS = [datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
            datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 11, 29, 6, 5, 4, tzinfo=UTC), datetime(2026, 11, 29, 6, 5, 4)]
FORMATS = [None, "short", "medium", "long", "yyyy-MM-dd HH:mm"]
SOURCE = ("{% for v in values %}{% for f in formats %}{{ format_datetime(v, f) }}|"
          "{{ format_datetime(v, f, rebase=False) }}|{% endfor %}{% endfor %}")


def _expected() -> str:
    return "".join(f"{format_datetime(v, f)}|{format_datetime(v, f, rebase=False)}|"
                   for v in INSTANTS for f in FORMATS)


@pytest.mark.parametrize("locale", LOCALES)
def test_format_datetime_gives_what_flask_babel_gives(app: Flask, locale: str) -> None:
    with app.test_request_context(f"/?lang={locale}"):
        for _ in range(2):  # made, then remembered
            assert render_template_string(SOURCE, values=INSTANTS, formats=FORMATS) == \
                _expected()


def test_the_language_and_the_time_zone_are_part_of_what_is_remembered(app: Flask) -> None:
    instant = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    with app.test_request_context("/?lang=en"):
        english = render_template_string("{{ format_datetime(v, 'long') }}", v=instant)
        with force_locale("fr"):
            french = render_template_string("{{ format_datetime(v, 'long') }}", v=instant)
            assert french == format_datetime(instant, "long") != english
    app.extensions["babel"] = dataclasses.replace(app.extensions["babel"],
                                                  default_timezone="America/New_York")
    with app.test_request_context("/?lang=en"):
        eastern = render_template_string("{{ format_datetime(v, 'long') }}", v=instant)
        assert eastern == format_datetime(instant, "long") != english
        assert "6:30:00" in eastern  # 23:30 UTC is 18:30 in New York


def test_date_names_are_per_language(app: Flask) -> None:
    day = date(2026, 3, 4)
    template = "{{ format_date(day) }}"
    with app.test_request_context("/?lang=es"):
        spanish = render_template_string(template, day=day)
        with force_locale("de"):
            german = render_template_string(template, day=day)
    with app.test_request_context("/?lang=en"):
        english = render_template_string(template, day=day)
    assert (english, spanish, german) == ("Mar 4, 2026", "4 mar 2026", "04.03.2026")


def test_ltr_filter_escapes(app: Flask) -> None:
    with app.test_request_context("/"):
        out = render_template_string("{{ value|ltr }}", value="<b>+34</b>")
    assert out == '<bdi dir="ltr">&lt;b&gt;+34&lt;/b&gt;</bdi>'
