"""The page frame (portal.web.chrome): each menu shows what its role may use, in the page's
language; the language form returns to the page (escaped); each session gets its own form
token; and the kept frame holds nothing of the viewer."""

from __future__ import annotations

import re

import pytest
from flask import Flask, g, render_template
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from portal import cache
from portal.accounts.models import Role, User
from portal.i18n_core import locale_codes
from tests.conftest import Accounts, login

PAGE = ('{% extends "base.html" %}{% block title %}A <title>{% endblock %}'
        '{% block content %}<p>{{ _("Home") }}</p>{% endblock %}')
#: Menu links by role (paths, as url_for gives them).
MENUS: dict[Role | None, set[str]] = {
    None: {"/guide"},
    Role.SUBMITTER: {"/", "/requests", "/training/samples", "/training/practice", "/account",
                     "/guide"},
    Role.TRIAGE: {"/", "/triage", "/triage/dashboard", "/triage/notifications", "/account",
                  "/guide"},
    Role.TRAINER: {"/", "/training/samples", "/training/practice",
                   "/training/statistics", "/account", "/guide"},
    Role.ADMIN: {"/", "/admin/users", "/admin/authorities", "/admin/reference", "/admin/audit",
                 "/admin/jobs", "/admin/webhooks",
                 "/training/statistics", "/account", "/guide"},
}


def _user(role: Role | None, manager: bool = False) -> User | None:
    if role is None:
        return None
    return User(email="frame@example.org", name="Frame <Viewer>", role=role,
                is_manager=manager, locale="en")


def _page(app: Flask, path: str = "/requests/x/facts", *, role: Role | None = None,
          manager: bool = False, **query: str) -> tuple[str, str]:
    with app.test_request_context(path, query_string=query):
        g.user = _user(role, manager)
        page = render_template(app.jinja_env.from_string(PAGE))
        return page, generate_csrf()


def _menu(page: str) -> set[str]:
    nav = re.search(r'<nav class="portal-nav".*?</nav>', page, re.S)
    assert nav
    return set(re.findall(r'<a class="usa-link" href="([^"]+)"', nav.group(0)))


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_menu(app: Flask, role: Role | None) -> None:
    for _ in range(2):  # rendered, then from the kept frame
        page, token = _page(app, role=role)
        assert _menu(page) == MENUS[role]
        assert ('action="/logout"' in page) == (role is not None)
        # the sign-out form (when signed in) and the language form carry the page's token
        assert page.count(f'value="{token}"') == (2 if role else 1)
        assert "Frame &lt;Viewer&gt;" not in page and "frame@example.org" not in page


def test_a_triage_manager_also_sees_the_outreach_statistics(app: Flask) -> None:
    page, _token = _page(app, role=Role.TRIAGE, manager=True)
    assert _menu(page) == MENUS[Role.TRIAGE] | {"/training/statistics"}


@pytest.mark.parametrize("code", locale_codes())
def test_the_frame_is_in_the_page_language(app: Flask, code: str) -> None:
    page, _token = _page(app, role=Role.SUBMITTER, lang=code)
    english, _token = _page(app, role=Role.SUBMITTER, lang="en")
    assert re.search(r'<html lang="[^"]+" dir="(ltr|rtl)">', page)
    selected = re.findall(r'<option value="([^"]+)"[^>]* selected>', page)
    assert selected == [code]
    if code != "en":
        assert _frame_text(page) != _frame_text(english)


def _frame_text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page.split("<main", 1)[0])


def test_the_language_form_returns_to_the_page_escaped(app: Flask) -> None:
    page, _token = _page(app, "/requests/x/facts", q='"><script>alert(1)</script>')
    field = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page)
    assert field and field.group(1).startswith("/requests/x/facts?q=")
    assert "<script>alert" not in page and "\x00" not in page
    plain, _token = _page(app, "/a")
    assert 'name="next" value="/a"' in plain


def test_each_session_gets_its_own_form_token(app: Flask, accounts: Accounts) -> None:
    tokens = []
    for _ in range(2):
        client: FlaskClient = app.test_client()
        login(client, accounts.create(Role.SUBMITTER))
        page = client.get("/").text
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(found) == 1  # the sign-out and language forms share the session's token
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]


def test_the_frame_is_kept_per_language_and_menu(app: Flask) -> None:
    frames = next(c for c in cache.all_caches() if c.name == "page_frame")
    frames.clear()
    for code in ("en", "es"):
        for role, manager in ((Role.SUBMITTER, False), (Role.TRIAGE, True)):
            for _ in range(3):
                _page(app, role=role, manager=manager, lang=code)
    assert len(frames) == 2 * 2 * 3  # three parts: top, header, bottom


def test_an_unknown_part_is_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError, match="no frame part"):
        render_template(app.jinja_env.from_string('{{ chrome("side") }}'))
