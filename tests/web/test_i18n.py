"""Locale selection, the language switch, and right-to-left rendering."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.i18n_core import supported_locales
from tests.conftest import Accounts, login
from tests.web.conftest import location_path, post, session_data, user_row


def html_tag(page: str) -> str:
    match = re.search(r"<html[^>]*>", page)
    assert match
    return match.group(0)


def page_locale(client: FlaskClient, path: str = "/login", **kwargs: object) -> str:
    match = re.search(r'<html lang="([^"]+)"', client.get(path, **kwargs).text)  # type: ignore[arg-type]
    assert match
    return match.group(1)


def test_default_is_english(client: FlaskClient) -> None:
    assert html_tag(client.get("/login").text) == '<html lang="en" dir="ltr">'


@pytest.mark.parametrize(("header", "expected"), [
    ("es-MX,es;q=0.9,en;q=0.5", "es"),
    ("ar-EG", "ar"),
    ("de-DE,de;q=0.9,ar;q=0.3", "de"),
    ("zh-CN,zh;q=0.9", "zh-Hans"),
    ("pt-BR", "pt"),
    ("ja-JP,ko;q=0.8", "en"),  # no supported language: English
])
def test_accept_language(client: FlaskClient, header: str, expected: str) -> None:
    assert page_locale(client, headers={"Accept-Language": header}) == expected


def test_session_beats_accept_language_and_the_url_beats_the_session(
        client: FlaskClient) -> None:
    response = post(client, "/language", {"lang": "es", "next": "/login"}, token_from="/login")
    assert response.status_code == 303
    assert location_path(response) == "/login"
    assert session_data(client.application, client)["locale"] == "es"
    assert page_locale(client, headers={"Accept-Language": "ar"}) == "es"
    assert page_locale(client, "/login?lang=ar", headers={"Accept-Language": "en"}) == "ar"
    assert page_locale(client, "/login?lang=xx") == "es"  # unknown codes are ignored


def test_user_preference_beats_the_session(app: Flask, client: FlaskClient,
                                           accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER, locale="es")
    post(client, "/language", {"lang": "ar", "next": "/login"}, token_from="/login")
    assert page_locale(client) == "ar"
    login(client, account)
    assert session_data(app, client)["locale"] == "ar"  # kept through the login
    assert page_locale(client, "/account", headers={"Accept-Language": "ar"}) == "es"
    assert page_locale(client, "/account?lang=ar") == "ar"


def test_the_switch_remembers_the_choice_in_the_account(app: Flask, client: FlaskClient,
                                                        accounts: Accounts) -> None:
    account = accounts.create(Role.TRIAGE)
    login(client, account)
    response = post(client, "/language", {"lang": "ar", "next": "/account"},
                    token_from="/account")
    assert location_path(response) == "/account"
    assert user_row(app, account.id).locale == "ar"
    # a new browser, signing in, gets the saved language
    other = app.test_client()
    from tests.web.conftest import forget_totp_use

    forget_totp_use(app, account.id)
    login(other, account)
    assert html_tag(other.get("/").text) == '<html lang="ar" dir="rtl">'


def test_the_switch_ignores_unknown_languages_and_foreign_targets(
        app: Flask, client: FlaskClient, accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER, locale="es")
    login(client, account)
    for evil in ("https://evil.example/", "//evil.example", "/\t/evil.example"):
        response = post(client, "/language", {"lang": "xx", "next": evil},
                        token_from="/account")
        assert response.status_code == 303
        assert location_path(response) == "/", evil
    assert user_row(app, account.id).locale == "es"


def test_arabic_is_right_to_left(client: FlaskClient, accounts: Accounts) -> None:
    login(client, accounts.create(Role.SUBMITTER, locale="ar"))
    for path in ("/", "/account", "/no/such/page", "/admin/users"):
        assert html_tag(client.get(path).text) == '<html lang="ar" dir="rtl">', path


def test_spanish_is_left_to_right(client: FlaskClient) -> None:
    assert html_tag(client.get("/login?lang=es").text) == '<html lang="es" dir="ltr">'


def language_options(page: str) -> dict[str, tuple[str, str]]:
    select = re.search(r'<select[^>]*id="language-select".*?</select>', page, re.S)
    assert select
    options = re.findall(
        r'<option value="([^"]+)" lang="([^"]+)" dir="[^"]+"(?: selected)?>([^<]+)</option>',
        select.group(0))
    return {value: (lang, name.strip()) for value, lang, name in options}


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_selector_names_each_language_in_itself(client: FlaskClient, locale: str) -> None:
    page = client.get(f"/login?lang={locale}").text
    options = language_options(page)
    assert options == {info.code: (info.bcp47, info.name) for info in supported_locales()}
    assert options["en"][1] == "English"
    assert options["es"][1] == "Español"
    assert options["ar"][1] == "العربية"
    selected = re.search(r'<option value="([^"]+)"[^>]* selected>', page)
    assert selected and selected.group(1) == locale


def test_the_language_form_returns_to_the_same_page(client: FlaskClient) -> None:
    page = client.get("/login?lang=es&next=/account").text
    match = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page)
    assert match and match.group(1).startswith("/login?")
    response = post(client, "/language", {"lang": "ar", "next": "/login?lang=es&next=/account"},
                    token_from="/login")
    # back to the same page, without the ?lang= that would undo the new choice
    assert location_path(response) == "/login?next=%2Faccount"
    assert page_locale(client, location_path(response)) == "ar"
