"""Paths in words for OIA's version comparison (issue #18: it showed raw paths and values)."""

from __future__ import annotations

from flask import Flask

from portal.requests.path_labels import path_label, value_label
from portal.translation import force_locale


def test_paths_and_values_in_the_readers_language(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert path_label("preservation[0].channel") == "Preservation request 1 › Channel"
        assert path_label("assistance[1].identifiers[0].value").startswith(
            "Item of assistance 2 › Identifier 1 › ")
        assert path_label("facts.summary.english").endswith("English translation")
        assert path_label("no.such[3].thing") == "no.such[3].thing"
        assert value_label("preservation[0].channel", "network_24_7") != "network_24_7"
        assert value_label("urgency.urgent", True) == "Yes"
    with app.test_request_context(), force_locale("es"):
        assert path_label("preservation[0].channel").startswith("Solicitud de conservación 1")
