"""The requirements guide lists the answers GEN-REQUIRED checks, from the same data (#18)."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_guide_lists_the_required_answers(client: FlaskClient) -> None:
    index = client.get("/guide?lang=en").text
    assert "What every request needs" in index
    assert "Authority conducting the proceedings" in index  # proceedings.conducting_authority
    page = client.get("/guide/search_seizure?lang=en").text
    assert "Answers this type of assistance needs" in page
    assert "Place to search" in page and "Street address in the United States" in page
