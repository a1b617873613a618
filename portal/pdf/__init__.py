"""The portal's PDFs (no Flask, no database): ``request.pdf`` for OIA, the submission receipt,
and any HTML document (the handouts) with the same fonts. Templates: ``templates/pdf``."""

# Why WeasyPrint (HTML/CSS to PDF): text goes through Pango, so Arabic is shaped by HarfBuzz,
# reordered by FriBidi and falls back per character across the font stack; the embedded fonts'
# ToUnicode maps let pypdf read names in four scripts back in logical order; "Page X of Y",
# running footers and the TRAINING banner are CSS paged media; the output is tagged and the
# same input gives the same bytes. fpdf2 guessed each paragraph's direction from its first
# letter and needed hand-made tables and footers; reportlab with arabic-reshaper writes
# presentation forms in visual order, which pypdf reads back reversed. The cost is Debian's
# Pango and the fonts (scripts/ensure-pdf-deps.sh, see .fonts). Tables use a fixed layout:
# WeasyPrint's automatic one measures every cell of long narratives. WeasyPrint ignores
# ``unicode-bidi`` and ``dir="auto"``, so every user value gets an explicit ``dir``
# (.languages.direction_of) and is laid out as a run of its own.

from portal.pdf.base import AttachmentInfo, render_html
from portal.pdf.fonts import FONT_PACKAGES, MissingFontError, check_fonts
from portal.pdf.receipt_pdf import render_receipt_pdf
from portal.pdf.request_pdf import render_request_pdf
from portal.pdf.request_view import finding_key

__all__ = [
    "FONT_PACKAGES",
    "AttachmentInfo",
    "MissingFontError",
    "check_fonts",
    "finding_key",
    "render_html",
    "render_receipt_pdf",
    "render_request_pdf",
]
