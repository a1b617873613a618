"""The public requirements guide: rendered from the catalog, every rule in every language, and
its PDF handouts."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.contract.model import ASSISTANCE_TYPES
from portal.i18n_core import locale_codes, locale_info
from portal.rules.catalog import RULES
from portal.rules.render import render_rule
from tests.pdf.pdftext import normalise, pages_text


@pytest.mark.parametrize("locale", locale_codes())
def test_every_rule_of_the_catalog_appears_in_the_guide(client: FlaskClient,
                                                        locale: str) -> None:
    pages = {}
    for item_type in ASSISTANCE_TYPES:
        response = client.get(f"/guide/{item_type}?lang={locale}")
        assert response.status_code == 200, item_type
        assert f'lang="{locale_info(locale).bcp47}"' in response.text
        pages[item_type] = html.unescape(response.text)
    missing = []
    for rule in RULES:
        title = render_rule(rule, locale)["title"]
        if not any(rule.code in text and title in text for text in pages.values()):
            missing.append(rule.code)
    assert missing == []


def test_a_type_page_shows_its_own_rules_and_the_general_ones(client: FlaskClient) -> None:
    text = html.unescape(client.get("/guide/stored_content?lang=en").text)
    for code in ("ELEC-CONTENT-PC", "ELEC-CONTENT-RECENT", "GEN-FACTS", "GEN-NEXUS"):
        assert code in text
    assert "FIN-ACCOUNT" not in text and "SRCH-PC" not in text
    assert "2703(a)" in text  # the standard's introduction and its sources
    assert "Most recent known relevant use of the account" in text  # a field of the contract
    assert "A good example" in text and "The most common mistakes" in text
    assert "velvet.lounge.ldn" in text  # the deficient sample's field value


def test_the_guide_is_public_and_lists_every_type(client: FlaskClient) -> None:
    response = client.get("/guide")
    assert response.status_code == 200
    for item_type in ASSISTANCE_TYPES:
        assert f"/guide/{item_type}" in response.text
    assert client.get("/guide/not_a_type").status_code == 404


def test_the_guide_follows_the_language(client: FlaskClient) -> None:
    spanish = client.get("/guide/witness?lang=es")
    arabic = client.get("/guide/witness?lang=ar")
    assert 'dir="rtl"' in arabic.text and 'dir="ltr"' in spanish.text
    assert spanish.text != arabic.text


@pytest.mark.parametrize(("item_type", "locale"), [("stored_content", "es"), ("witness", "ar"),
                                                   ("assets", "en")])
def test_handout_pdf_per_type_and_language(app: Flask, client: FlaskClient, item_type: str,
                                           locale: str) -> None:
    response = client.get(f"/guide/{item_type}/handout.pdf?lang={locale}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = normalise("".join(pages_text(response.data)))
    codes = [r.code for r in RULES if item_type in r.applies_to]
    assert codes and all(normalise(code) in text for code in codes)
    page = client.get(f"/guide/{item_type}?lang={locale}").text
    with app.test_request_context(f"/?lang={locale}"):
        from portal.training.guide import type_title

        assert normalise(type_title(item_type)) in text
    assert normalise(type_title_in(page)) in text


def type_title_in(page_html: str) -> str:
    start = page_html.index("<h1>") + 4
    return html.unescape(page_html[start:page_html.index("</h1>", start)])


def test_handout_of_an_unknown_language_or_type_is_404(client: FlaskClient) -> None:
    assert client.get("/guide/witness/handout.pdf?lang=xx").status_code == 404
    assert client.get("/guide/nothing/handout.pdf?lang=en").status_code == 404
