"""Section forms follow the draft: one more entry gets its fields, and a saved value that a
select box no longer offers is offered by that box only (so that saving the page keeps it);
the same draft always builds the same form."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from flask import Flask

from portal.contract import model as m
from portal.contract.load import load_request
from portal.requests.choices import for_request
from portal.requests.sections import BY_SLUG, SECTIONS
from portal.web.requests import formgen
from portal.web.requests.formdata import flat_fields

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


def _example(path: Path) -> m.Request:
    loaded = load_request(json.loads(path.read_text(encoding="utf-8")))
    assert loaded.request is not None
    return loaded.request


def _summary(form: Any, nodes: list[formgen.Node]) -> Any:
    fields = flat_fields(form)
    return (
        [(name, type(f).__name__, str(f.label.text),
          [(c.value, str(c.label)) for c in f.iter_choices()] if hasattr(f, "iter_choices")
          else None, f.data, [type(v).__name__ for v in f.validators])
         for name, f in fields.items()],
        repr(nodes),
    )


def test_the_same_draft_builds_the_same_form(app: Flask) -> None:
    for locale in ("en", "es"):
        with app.test_request_context(f"/?lang={locale}"):
            for path in EXAMPLES[:6]:
                content = _example(path)
                choices = for_request(content, locale)
                for section in SECTIONS:
                    first = _summary(*formgen.build(section, content, choices))
                    assert _summary(*formgen.build(section, content, choices)) == first


def test_a_new_entry_and_an_unoffered_value(app: Flask) -> None:
    content = _example(EXAMPLES[0])
    section = BY_SLUG["offences"]
    with app.test_request_context("/?lang=en"):
        choices = for_request(content, "en")
        renamed = dataclasses.replace(content, offences=tuple(
            dataclasses.replace(o, provision="Art. 99") for o in content.offences))
        same, _nodes = formgen.build(section, renamed, choices)
        assert flat_fields(same)["offences-0-provision"].data == "Art. 99"

        longer = dataclasses.replace(content, offences=(*content.offences, m.Offence()))
        more, _nodes = formgen.build(section, longer, choices)
        assert f"offences-{len(content.offences)}-provision" in flat_fields(more)

        odd = dataclasses.replace(content, offences=tuple(
            dataclasses.replace(o, category="no-such-category") for o in content.offences))
        kept, _nodes = formgen.build(section, odd, choices)
        offered = [c.value for c in flat_fields(kept)["offences-0-category"].iter_choices()]
        assert "no-such-category" in offered
        again, _nodes = formgen.build(section, content, choices)
        assert "no-such-category" not in [
            c.value for c in flat_fields(again)["offences-0-category"].iter_choices()]


def test_an_unoffered_value_inside_a_list_entry(app: Flask) -> None:
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
        assert "no-such-kind" in [c.value for c in flat_fields(kept)[name].iter_choices()]
        assert "no-such-kind" not in [c.value for c in flat_fields(plain)[name].iter_choices()]


def test_choice_lists_are_in_the_language_asked_for(app: Flask) -> None:
    from flask_babel import gettext

    content = _example(EXAMPLES[0])
    with app.test_request_context("/?lang=en"):  # a request served in English...
        spanish = dict(for_request(content, "es").categories)  # ... builds the Spanish list
    with app.test_request_context("/?lang=es"):
        english = dict(for_request(content, "en").categories)
        assert gettext("Fraud") == spanish["fraud"] != english["fraud"] == "Fraud"
