"""A section page shown from kept fields (portal.requests.section_html) is the page built in
full: every section of every example request, in two languages (one written right to left),
shown again after another language; the kept-field inputs outside the fields are WTForms'
own; a changed draft is shown changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.requests import formgen, section_html
from portal.requests.sections import SECTIONS
from tests.conftest import Account
from tests.requests.test_wizard import _import, _post_section

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[:2000]
    return TOKEN.sub(r'\1…"', response.text)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_a_page_from_kept_fields_is_the_page_built_in_full(app: Flask, client: FlaskClient,
                                                           submitter: Account,
                                                           example: str) -> None:
    public_id = _import(app, submitter, example)
    built = {}
    for lang in ("en", "ar"):
        for section in SECTIONS:
            section_html._FIELDS.clear()
            built[lang, section.slug] = _page(client, f"/requests/{public_id}/{section.slug}"
                                              f"?lang={lang}")
            assert len(section_html._FIELDS) == 1  # rendered in full, then kept
    for lang in ("en", "ar", "en"):  # from kept fields, another language's kept beside them
        for section in SECTIONS:
            shown = _page(client, f"/requests/{public_id}/{section.slug}?lang={lang}")
            assert shown == built[lang, section.slug], (example, section.slug, lang)
    assert len(section_html._FIELDS) == 2 * len(SECTIONS)


def test_the_inputs_outside_the_fields_are_wtforms_own(app: Flask) -> None:
    content = formgen.m.Request()
    with app.test_request_context("/"):
        from portal.requests.choices import for_request

        form, _nodes = formgen.build(SECTIONS[0], content, for_request(content, "en"))
        form.revision.data = "42"
        clean = section_html.CleanForm(42)
        assert str(clean.revision) == str(form.revision)
        assert str(clean.csrf_token) == str(form.csrf_token)
        assert (clean.errors, clean.form_errors) == ({}, [])


def test_a_changed_draft_is_shown_changed(app: Flask, client: FlaskClient,
                                          submitter: Account) -> None:
    public_id = _import(app, submitter, "01-subscriber-info-good-es.json")
    url = f"/requests/{public_id}/facts"
    before = _page(client, url)
    assert "Changed summary &lt;b&gt;" not in before
    saved = _post_section(client, url, {"facts-summary-text": "Changed summary <b>"})
    assert saved.status_code == 302
    after = _page(client, url)
    assert "Changed summary &lt;b&gt;" in after
    assert 'name="revision" type="hidden" value="' in after
    assert re.search(r'name="revision" type="hidden" value="(\d+)"', after).group(1) != \
        re.search(r'name="revision" type="hidden" value="(\d+)"', before).group(1)
