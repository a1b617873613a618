"""The page frame kept by ``portal.web.chrome`` is the frame ``base.html`` rendered in full
before (its source is kept in former_base.html): in every language, for every menu (signed out,
each role, a manager), with the page's own form token and address (escaped), and the kept
parts are used again only where their key matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, g, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from portal.accounts.models import Role, User
from portal.i18n_core import locale_codes
from portal.web import chrome

FORMER_BASE = (Path(__file__).parent / "former_base.html").read_text(encoding="utf-8")
PAGE = ('{% extends frame %}{% block title %}A <title>{% endblock %}'
        '{% block content %}<p>{{ _("Home") }}</p>{% endblock %}')
MENUS: list[tuple[Role, bool] | None] = [None, *[(role, False) for role in Role],
                                         (Role.TRIAGE, True), (Role.ADMIN, True)]


def _page(app: Flask, frame: object) -> str:
    return render_template(app.jinja_env.from_string(PAGE), frame=frame)


def _user(menu: tuple[Role, bool] | None) -> User | None:
    if menu is None:
        return None
    return User(email="frame@example.org", name="Frame <User>", role=menu[0],
                is_manager=menu[1], locale="en")


@pytest.mark.parametrize("code", locale_codes())
def test_the_kept_frame_is_the_former_frame_in_every_language_and_menu(app: Flask,
                                                                       code: str) -> None:
    former = app.jinja_env.from_string(FORMER_BASE)
    for menu in MENUS:
        query = {"lang": code, "q": '"><script>alert(1)</script>'}
        with app.test_request_context("/requests/x/facts", query_string=query):
            g.user = _user(menu)
            first = _page(app, "base.html")
            again = _page(app, "base.html")  # from the kept parts
            expected = _page(app, former)
            token = generate_csrf()
        assert first == expected, (code, menu)
        assert again == expected
        # the language form, and the sign-out form when signed in
        assert first.count(f'value="{token}"') == (2 if menu else 1)
        assert str(escape("/requests/x/facts?lang=")) in first
        assert "<script>alert" not in first
        assert "\x00" not in first


def test_the_address_without_a_query_and_each_page_its_own_token(app: Flask) -> None:
    pages = []
    for path in ("/a", "/b"):
        with app.test_request_context(path):
            g.user = _user((Role.SUBMITTER, False))
            pages.append((_page(app, "base.html"), generate_csrf()))
            assert _page(app, "base.html") == _page(app, app.jinja_env.from_string(FORMER_BASE))
    (first, first_token), (second, second_token) = pages
    assert 'name="next" value="/a"' in first and 'name="next" value="/b"' in second
    assert f'value="{first_token}"' in first and f'value="{second_token}"' in second


def test_parts_are_kept_per_language_and_menu(app: Flask) -> None:
    kept = app.extensions.get("portal.chrome")
    if kept is not None:
        kept.clear()
    for code in ("en", "es"):
        for menu in ((Role.SUBMITTER, False), (Role.TRIAGE, True)):
            for _ in range(3):
                with app.test_request_context("/", query_string={"lang": code}):
                    g.user = _user(menu)
                    _page(app, "base.html")
    assert len(app.extensions["portal.chrome"]) == 2 * 2 * len(chrome.PARTS)


def test_an_unknown_part_is_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError, match="no frame part"):
        render_template(app.jinja_env.from_string('{{ chrome("side") }}'))
