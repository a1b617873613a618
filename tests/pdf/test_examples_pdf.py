"""Every sample request of examples/requests renders, with no missing glyph."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pdf.pdftext import pages_text, tofu
from tests.pdf.test_request_pdf import REFERENCE, load_example, render

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "requests").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_renders(path: Path, glyph_counts: dict[str, int]) -> None:
    pdf = render(load_example(path.name))
    assert REFERENCE in "".join(pages_text(pdf))
    assert tofu(pdf, glyph_counts) == []
