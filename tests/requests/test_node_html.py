"""``portal.requests.node_html.render_nodes`` renders the section fields that the recursive
``render_node`` macro rendered (kept in former_render_node.html): every section of every example
request, in four languages (one written right to left), as loaded and with an error on every
field, and with posted answers that the lists no longer offer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from portal.contract.load import load_request
from portal.requests import formgen
from portal.requests.choices import for_request
from portal.requests.node_html import render_nodes
from portal.requests.sections import SECTIONS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
FORMER = (Path(__file__).parent / "former_render_node.html").read_text(encoding="utf-8")
WITH_MACRO = FORMER + "{% for node in nodes %}{{ render_node(node, fields) }}{% endfor %}"


def _normalized(html: str) -> str:
    """White space collapsed and dropped next to tags (the macro's indentation)."""
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


def _both(app: Flask, nodes: list[formgen.Node], fields: dict[str, object], locale: str
          ) -> tuple[str, str]:
    with app.test_request_context(f"/?lang={locale}"):
        former = render_template_string(WITH_MACRO, nodes=nodes, fields=fields)
        now = str(render_nodes(nodes, fields))
    return _normalized(former), _normalized(now)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_section_of_the_examples_renders_as_the_macro_did(app: Flask,
                                                                example: str) -> None:
    content = load_request(json.loads((EXAMPLES / example).read_text(encoding="utf-8")))
    assert content.request is not None
    for locale in ("en", "ar", "fr", "zh_Hans"):
        with app.test_request_context(f"/?lang={locale}"):
            choices = for_request(content.request, locale)
            built = [(section, *formgen.build(section, content.request, choices))
                     for section in SECTIONS]
        for section, form, nodes in built:
            fields = formgen.flat_fields(form)
            former, now = _both(app, nodes, fields, locale)
            assert now == former, (example, section.slug, locale)
            for name, f in fields.items():
                f.errors = [f"Wrong <{name}> & fix"]
            former, now = _both(app, nodes, fields, locale)
            assert now == former, (example, section.slug, locale, "errors")
            assert "Wrong &lt;" in now or not fields


def test_posted_values_and_hostile_text_are_escaped_alike(app: Flask) -> None:
    content = load_request(json.loads(
        (EXAMPLES / "01-subscriber-info-good-es.json").read_text(encoding="utf-8")))
    assert content.request is not None
    for section in SECTIONS:
        with app.test_request_context("/?lang=en"):
            choices = for_request(content.request, "en")
            form, nodes = formgen.build(section, content.request, choices)
            posted = MultiDict({name: '"><script>x</script>' for name in
                                formgen.flat_fields(form)})
            form, nodes = formgen.build(section, content.request, choices, formdata=posted)
        fields = formgen.flat_fields(form)
        former, now = _both(app, nodes, fields, "en")
        assert now == former, section.slug
        assert "<script>" not in now
