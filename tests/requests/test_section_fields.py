"""The generated fields of every section (the ``render_node`` macro of macros/wizard.html) on
every example request, in four languages (one written right to left), as loaded, with an
error on every field and with hostile posted values: every field has its label, its anchor
and its accessible description, narratives keep their direction, entries their add and remove
buttons, and every value is escaped. A section page shows the draft as saved, changed after a
save."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from portal.contract.load import load_request
from portal.requests.choices import for_request
from portal.requests.sections import SECTIONS
from portal.web.requests import formgen
from portal.web.requests.formdata import CONTROL_KEYS, flat_fields
from tests.conftest import Account
from tests.requests.test_wizard import _import, _post_section

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
RENDER = ('{% from "macros/wizard.html" import render_nodes %}'
          "{{ render_nodes(nodes, fields) }}")


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def _render(app: Flask, nodes: list[formgen.Node], fields: dict[str, object], locale: str
            ) -> str:
    with app.test_request_context(f"/?lang={locale}"):
        return render_template_string(RENDER, nodes=nodes, fields=fields)


def _walk(nodes: list[formgen.Node]) -> list[formgen.Node]:
    out = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


def _check(html: str, nodes: list[formgen.Node], fields: dict[str, object],
           errors: bool) -> None:
    elements = Elements(html).found
    ids = [attrs["id"] for _tag, attrs in elements if "id" in attrs]
    # (an entry of a list of texts and its one field share their anchor, the entry first)
    shared = {node.anchor for node in _walk(nodes) if node.kind == "group"
              and [child.anchor for child in node.children] == [node.anchor]}
    assert sorted(i for i in ids if ids.count(i) > 1) == sorted(2 * [*shared])
    for _tag, attrs in elements:
        for name in attrs.get("aria-describedby", "").split():
            assert name in ids  # every description exists
    controls = {attrs["name"]: (tag, attrs) for tag, attrs in elements
                if tag in ("input", "select", "textarea") and "name" in attrs
                and attrs.get("id") == attrs["name"]}
    labelled = {attrs["for"] for tag, attrs in elements if tag == "label"}
    for name, f in fields.items():
        if name in CONTROL_KEYS:  # (outside the generated fields)
            continue
        if f.type == "MultiCheckboxField":  # type: ignore[attr-defined]
            assert f.id in ids  # type: ignore[attr-defined]
            continue
        _tag, attrs = controls[name]
        assert attrs["id"] in labelled
        assert (attrs.get("aria-invalid") == "true") == errors
        if errors:
            assert f"{attrs['id']}-error" in attrs["aria-describedby"].split()
    for node in _walk(nodes):
        assert node.anchor in ids
        if node.kind == "list" and not node.extra.get("full") and node.path != "assistance":
            assert f'value="{node.add_op}"' in html
        if node.remove_op:
            assert f'value="{node.remove_op}"' in html
        if node.kind == "narrative":
            for child in node.children:
                part = child.path.rsplit(".", 1)[-1]
                want = {"text": "auto", "english": "ltr"}.get(part)
                if want:
                    assert controls[child.anchor[2:]][1].get("dir") == want


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_section_of_the_examples(app: Flask, example: str) -> None:
    content = load_request(json.loads((EXAMPLES / example).read_text(encoding="utf-8")))
    assert content.request is not None
    for locale in ("en", "ar", "fr", "zh_Hans"):
        with app.test_request_context(f"/?lang={locale}"):
            choices = for_request(content.request, locale)
            built = [formgen.build(section, content.request, choices) for section in SECTIONS]
        for form, nodes in built:
            fields = flat_fields(form)
            html = _render(app, nodes, fields, locale)
            _check(html, nodes, fields, errors=False)
            assert html == _render(app, nodes, fields, locale)
            for name, f in fields.items():
                f.errors = [f"Wrong <{name}> & fix"]
            html = _render(app, nodes, fields, locale)
            _check(html, nodes, fields, errors=True)
            for name in set(fields) - CONTROL_KEYS:
                assert f"Wrong &lt;{name}&gt; &amp; fix" in html


def test_posted_values_and_hostile_text_are_escaped(app: Flask) -> None:
    content = load_request(json.loads(
        (EXAMPLES / "01-subscriber-info-good-es.json").read_text(encoding="utf-8")))
    assert content.request is not None
    hostile = '"><script>x</script>'
    for section in SECTIONS:
        with app.test_request_context("/?lang=en"):
            choices = for_request(content.request, "en")
            form, nodes = formgen.build(section, content.request, choices)
            posted = MultiDict({name: hostile for name in flat_fields(form)})
            form, nodes = formgen.build(section, content.request, choices, formdata=posted)
        html = _render(app, nodes, flat_fields(form), "en")
        assert "<script>" not in html
        texts = [f for f in flat_fields(form).values()
                 if f.type in ("StringField", "TextAreaField")]  # type: ignore[attr-defined]
        if texts:
            assert "&#34;&gt;&lt;script&gt;" in html or "&quot;&gt;&lt;script&gt;" in html


def test_a_section_page_shows_the_draft_as_saved(app: Flask, client: FlaskClient,
                                                 submitter: Account) -> None:
    public_id = _import(app, submitter, "01-subscriber-info-good-es.json")
    url = f"/requests/{public_id}/facts"
    before = client.get(url).text
    assert "Changed summary &lt;b&gt;" not in before
    assert _post_section(client, url, {"facts-summary-text": "Changed summary <b>"}) \
        .status_code == 302
    after = client.get(url).text
    assert "Changed summary &lt;b&gt;" in after
    revision = re.compile(r'name="revision" type="hidden" value="(\d+)"')
    assert revision.search(after).group(1) != revision.search(before).group(1)  # type: ignore[union-attr]
