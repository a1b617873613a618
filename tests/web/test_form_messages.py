"""WTForms' own messages ("This field is required.", "Not a valid choice.") come in the page's
language, read from the catalogs WTForms ships, English by default; every form of the portal
is a PortalForm."""

from __future__ import annotations

import gettext
import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import wtforms
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from wtforms.i18n import messages_path

import portal
from portal.accounts.models import Role
from portal.contract.load import load_request
from portal.i18n_core import locale_codes
from portal.requests.choices import for_request
from portal.requests.sections import BY_SLUG, SECTIONS
from portal.web.accounts.forms import LoginForm
from portal.web.forms import PortalForm, PortalSubform, wtforms_locales
from portal.web.requests import formgen
from portal.web.requests.formdata import flat_fields
from tests.conftest import Accounts, login
from tests.web.conftest import error_messages, post

#: The WTForms catalog (wtforms/locale/<name>) each locale of portal/locales.json must use.
CATALOGS = {"en": "en", "es": "es", "fr": "fr", "pt": "pt", "de": "de", "ar": "ar",
            "zh_Hans": "zh", "ru": "ru"}
LOCALES = ["en", "es", "ar", "zh_Hans"]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "requests" / \
    "01-subscriber-info-good-es.json"


def catalog(code: str) -> gettext.NullTranslations:
    """WTForms' own compiled catalog for one of our locales, read by gettext."""
    return gettext.translation("wtforms", messages_path(), [CATALOGS[code]])


def translated(code: str, message: str) -> str:
    """``message`` from the catalog, checked to be a translation unless the page is English."""
    text = catalog(code).gettext(message)
    assert (text == message) == (code == "en"), (code, text)
    return text


def test_every_locale_of_the_portal_finds_a_wtforms_catalog() -> None:
    assert set(CATALOGS) == set(locale_codes())
    for code, name in CATALOGS.items():
        assert wtforms_locales(code) == ((name,) if name == "en" else (name, "en"))
        assert gettext.find("wtforms", messages_path(), [name]), f"no WTForms catalog for {code}"
        translated(code, "This field is required.")
    # WTForms' "zh" is Simplified Chinese, not the Traditional "zh_TW"
    simplified, traditional = (gettext.translation("wtforms", messages_path(), [name]).gettext(
        "This field is required.") for name in ("zh", "zh_TW"))
    assert "该" in simplified and simplified != traditional  # 该: a simplified character


def test_flask_wtf_leaves_the_lookup_to_the_form(app: Flask) -> None:
    assert app.config["WTF_I18N_ENABLED"] is False
    with app.test_request_context("/?lang=es"):
        form = LoginForm(meta={"csrf": False})
        assert isinstance(form.meta.get_translations(form), gettext.GNUTranslations)


@pytest.mark.parametrize("code", LOCALES)
def test_a_posted_form_has_wtforms_messages_in_the_language(
        client: FlaskClient, accounts: Accounts, code: str) -> None:
    login(client, accounts.create(Role.ADMIN))
    query = "" if code == "en" else f"?lang={code}"  # English: the admin's own language
    response = post(client, f"/admin/authorities{query}",
                    {"name": "Fiscalía General", "country": "no-such-country"})
    assert response.status_code == 400
    assert translated(code, "Not a valid choice.") in error_messages(response.text)


@pytest.mark.parametrize("code", LOCALES)
def test_a_plural_message_follows_the_catalog(client: FlaskClient, code: str) -> None:
    query = "" if code == "en" else f"?lang={code}"
    response = post(client, f"/login{query}", {"email": "a" * 300 + "@example.org",
                                               "password": "secret"})
    assert response.status_code == 400
    # WTForms' Arabic catalog has no translation of this one: it stays English there
    expected = catalog(code).ngettext("Field cannot be longer than %(max)d character.",
                                      "Field cannot be longer than %(max)d characters.", 254)
    assert expected % {"max": 254} in error_messages(response.text)


@pytest.mark.parametrize("code", LOCALES)
def test_the_nested_forms_of_a_section_speak_the_language(app: Flask, code: str) -> None:
    loaded = load_request(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert loaded.request is not None and loaded.request.offences
    with app.test_request_context(f"/?lang={code}", method="POST"):
        posted = MultiDict({"offences-0-category": "no-such-category",
                            "offences-0-max_penalty_months": "many"})
        form, _nodes = formgen.build(BY_SLUG["offences"], loaded.request,
                                     for_request(loaded.request, code), formdata=posted)
        assert not form.validate()
        fields = flat_fields(form)
        assert fields["offences-0-category"].errors == [translated(code, "Not a valid choice.")]
        assert fields["offences-0-max_penalty_months"].errors[0] == translated(
            code, "Not a valid integer value.")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_portal_is_a_portal_form(app: Flask) -> None:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    loaded = load_request(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert loaded.request is not None
    with app.test_request_context("/?lang=en"):
        choices = for_request(loaded.request, "en")
        built = [formgen.build(section, loaded.request, choices)[0] for section in SECTIONS]
    forms = [cls for cls in _subclasses(wtforms.Form) if cls.__module__.startswith("portal.")]
    assert any(issubclass(cls, PortalSubform) for cls in forms) and len(built) == len(SECTIONS)
    assert [cls for cls in forms if not issubclass(cls, PortalForm)] == []
