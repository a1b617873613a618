"""Section form classes are reused by shape (portal.requests.formgen._CLASSES): a form built
from a cached class is the form a fresh build makes, for every section of every example in two
languages, and a change of shape (one more entry, a saved value a select box no longer offers)
gets a class of its own."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from flask import Flask

from portal.contract import model as m
from portal.contract.load import load_request
from portal.requests import formgen
from portal.requests.choices import for_request
from portal.requests.sections import BY_SLUG, SECTIONS

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _example(path: Path) -> m.Request:
    loaded = load_request(json.loads(path.read_text(encoding="utf-8")))
    assert loaded.request is not None
    return loaded.request


def _summary(form: Any, nodes: list[formgen.Node]) -> Any:
    fields = formgen.flat_fields(form)
    return (
        [(name, type(f).__name__, str(f.label.text), [(v, str(label)) for v, label in
                                                       getattr(f, "choices", None) or []],
          f.data, [type(v).__name__ for v in f.validators]) for name, f in fields.items()],
        repr(nodes),
    )


def test_cached_classes_build_what_a_fresh_build_makes(app: Flask) -> None:
    requests = [_example(path) for path in EXAMPLES]
    for locale in ("en", "es"):
        with app.test_request_context(f"/?lang={locale}"):
            # one set of choices for all, so that examples of the same shape share classes
            choices = for_request(requests[0], locale)
            fresh = []
            for content in requests:
                for section in SECTIONS:
                    formgen._CLASSES.clear()
                    fresh.append(_summary(*formgen.build(section, content, choices)))
            warm = []  # now each build may take a class another example's build made
            for content in requests:
                for section in SECTIONS:
                    warm.append(_summary(*formgen.build(section, content, choices)))
            classes = len(formgen._CLASSES)
            for content in requests:  # the same shapes again: no new class
                for section in SECTIONS:
                    formgen.build(section, content, choices)
            assert len(formgen._CLASSES) == classes < len(requests) * len(SECTIONS)
        assert warm == fresh


def test_a_new_shape_gets_its_own_class(app: Flask) -> None:
    content = _example(EXAMPLES[0])
    section = BY_SLUG["offences"]
    with app.test_request_context("/?lang=en"):
        choices = for_request(content, "en")
        first, _nodes = formgen.build(section, content, choices)
        renamed = dataclasses.replace(content, offences=tuple(
            dataclasses.replace(o, provision="Art. 99") for o in content.offences))
        same, _nodes = formgen.build(section, renamed, choices)
        assert type(same) is type(first)
        assert formgen.flat_fields(same)["offences-0-provision"].data == "Art. 99"

        longer = dataclasses.replace(content, offences=(*content.offences, m.Offence()))
        more, _nodes = formgen.build(section, longer, choices)
        assert type(more) is not type(first)
        assert f"offences-{len(content.offences)}-provision" in formgen.flat_fields(more)

        odd = dataclasses.replace(content, offences=tuple(
            dataclasses.replace(o, category="no-such-category") for o in content.offences))
        kept, _nodes = formgen.build(section, odd, choices)
        assert type(kept) is not type(first)
        offered = [v for v, _label in formgen.flat_fields(kept)["offences-0-category"].choices]
        assert "no-such-category" in offered
        again, _nodes = formgen.build(section, content, choices)
        assert type(again) is type(first)
        assert "no-such-category" not in [
            v for v, _label in formgen.flat_fields(again)["offences-0-category"].choices]


def test_an_unoffered_value_inside_a_list_entry_changes_the_shape(app: Flask) -> None:
    content = _example(EXAMPLES[0])
    item = content.assistance[0]
    assert item.identifiers, "the example has an identifier to change"
    section = BY_SLUG["assistance"]
    odd = dataclasses.replace(content, assistance=(dataclasses.replace(item, identifiers=(
        dataclasses.replace(item.identifiers[0], kind="no-such-kind"),
        *item.identifiers[1:])), *content.assistance[1:]))
    with app.test_request_context("/?lang=en"):
        choices = for_request(content, "en")
        plain, _nodes = formgen.build(section, content, choices)
        kept, _nodes = formgen.build(section, odd, choices)
        name = "assistance-0-identifiers-0-kind"
        assert type(kept) is not type(plain)
        assert "no-such-kind" in [v for v, _label in formgen.flat_fields(kept)[name].choices]
        assert "no-such-kind" not in [
            v for v, _label in formgen.flat_fields(plain)[name].choices]
