"""``select_options`` (portal.web.select_widget.options_html): the options of a list with the
chosen one marked and every label escaped; a kept tuple of plain labels is joined once per
chosen value, and lazy labels follow the page's language."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext

from portal.web import select_widget
from portal.web.select_widget import options_html

PAIRS = (("ES", "Spain <ES>"), ("FR", "France & co"), ("", "Any"))


def test_options_marked_and_escaped_and_joined_once_per_choice() -> None:
    first = options_html(PAIRS, "FR")
    assert str(first) == ('<option value="ES">Spain &lt;ES&gt;</option>'
                          '<option selected value="FR">France &amp; co</option>'
                          '<option value="">Any</option>')
    assert options_html(PAIRS, "FR") is first  # kept
    other = options_html(PAIRS, "ES")
    assert '<option selected value="ES">' in other and "selected value=\"FR\"" not in other
    assert options_html(list(PAIRS), "FR") == first  # a list: joined each time, alike
    assert options_html(PAIRS, "<x>").count("selected") == 0


def test_an_equal_tuple_made_again_is_not_confused_with_a_kept_one() -> None:
    kept = options_html(PAIRS, None)
    changed = tuple((value, label.upper()) for value, label in PAIRS)
    assert "SPAIN &lt;ES&gt;" in options_html(changed, None)
    assert options_html(PAIRS, None) is kept


def test_lazy_labels_follow_the_language(app: Flask) -> None:
    select_widget._JOINED.clear()
    pairs = (("home", lazy_gettext("Home")),)
    with app.test_request_context("/?lang=en"):
        english = str(options_html(pairs))
    with app.test_request_context("/?lang=fr"):
        french = str(options_html(pairs))
    assert ">Home<" in english and ">Home<" not in french
    assert select_widget._JOINED == {}
