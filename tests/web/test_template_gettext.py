"""The templates' gettext functions (portal.i18n_speed) give what Jinja's own "newstyle"
functions gave, calling the same catalog: markup, keyword variables escaped, ``%%`` read as
``%``, ``num`` for plurals, ``context`` for contextual forms, in every language."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_babel import get_translations
from jinja2.ext import (
    _make_new_gettext,
    _make_new_ngettext,
    _make_new_npgettext,
    _make_new_pgettext,
)

LOCALES = ["en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"]
SOURCE = (
    '{{ _("Home") }}|{{ gettext("Sign out") }}|{{ _("Not a msgid: 100%% & <b>") }}|'
    '{{ _("Your draft was saved at %(time)s.", time="<12:00>") }}|'
    '{% for n in (0, 1, 2, 5, 21) %}'
    '{{ ngettext("%(num)d blocker", "%(num)d blockers", n) }};'
    '{{ ngettext("%(num)d warning", "%(num)d warnings", n, extra="x") }};{% endfor %}|'
    '{{ pgettext("section status", "Completed") }}|'
    '{{ npgettext("ctx", "%(num)d item", "%(num)d items", 3) }}|'
    '{% trans %}Home{% endtrans %}|{% trans n=2 %}{{ n }} file{% pluralize %}{{ n }} files'
    '{% endtrans %}'
)


@pytest.mark.parametrize("locale", LOCALES)
def test_template_gettext_gives_what_jinja_gave(app: Flask, locale: str) -> None:
    env = app.jinja_env
    with app.test_request_context(f"/?lang={locale}"):
        ours = render_template_string(SOURCE)
        catalog = get_translations()
        jinja = {
            "gettext": _make_new_gettext(catalog.ugettext),
            "ngettext": _make_new_ngettext(catalog.ungettext),
            "pgettext": _make_new_pgettext(catalog.upgettext),
            "npgettext": _make_new_npgettext(catalog.unpgettext),
        }
        saved = {name: env.globals[name] for name in (*jinja, "_")}
        try:
            env.globals.update(jinja, _=jinja["gettext"])
            theirs = render_template_string(SOURCE)
        finally:
            env.globals.update(saved)
    assert ours == theirs
    assert "&lt;12:00&gt;" in ours and "100% &amp; &lt;b&gt;" not in ours  # a msgid is markup
    if locale == "fr":
        assert "Accueil" in ours or "Page d" in ours
