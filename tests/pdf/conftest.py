"""Fixtures of the PDF tests: the fonts' glyph counts (to detect missing glyphs)."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from portal.pdf.fonts import check_fonts


def _base_font_name(family: str, weight: int, style: str) -> str:
    name = family.replace(" ", "-")
    if weight >= 700:
        name += "-Bold"
    if style == "italic":
        name += "-Italic"
    return name


@pytest.fixture(scope="session")
def glyph_counts() -> dict[str, int]:
    """Embedded font name (as WeasyPrint writes BaseFont, subset prefix removed) -> number of
    glyphs in the font file."""
    counts = {}
    for face, path in check_fonts().items():
        font = TTFont(str(path), fontNumber=0, lazy=True)
        counts[_base_font_name(face.family, face.weight, face.style)] = font["maxp"].numGlyphs
        font.close()
    return counts
