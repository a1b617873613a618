"""The portal's PDFs: ``request.pdf`` for OIA, the submission receipt, (later) the handouts.

Pure: no Flask, no database. Public API:

* :func:`render_request_pdf` (:mod:`.request_pdf`): a submitted request for an OIA reader, in
  English, with the original-language text beside the translation, the findings with their
  acknowledged justifications and the attachments with SHA-256.
* :func:`render_receipt_pdf` (:mod:`.receipt_pdf`): the receipt, in the submitter's language.
* :class:`AttachmentInfo`: an attachment as the PDFs list it.
* :func:`check_fonts` / :class:`MissingFontError` (:mod:`.fonts`): the fonts, and the clear error
  naming the Debian package when one is missing.
* :func:`render_html` (:mod:`.base`): any HTML document to PDF with the same fonts and page
  rules (for the training handouts, which are made from the guide's HTML).

Why WeasyPrint
--------------
The PDFs must show Latin, Cyrillic, Arabic and Chinese names correctly *in one document*, the
Arabic shaped (initial, medial, final forms, lam-alef ligatures) and right to left inside
English text, and the text must come back out with pypdf. The first two candidates were
tried on the same test page (names in four scripts, an Arabic paragraph, 100k characters):

* **WeasyPrint** (HTML/CSS to PDF). Text goes through Pango, so shaping is HarfBuzz's, the
  bidirectional algorithm is FriBidi's and font fallback is per character across the font stack
  (and then fontconfig's, for scripts the stack lacks: Thai, Devanagari...). Embedded subset
  fonts carry ToUnicode maps built from the shaping clusters, so pypdf extracts Arabic in
  logical order. Page numbers "Page X of Y", running footers and a TRAINING banner on every page
  are plain CSS paged media (``@page`` margin boxes, ``counter(pages)``), RTL layout is
  ``dir="rtl"``, user text is isolated with ``<bdi>``, and the handouts can reuse the guide's
  HTML. Measured on this project's 2-core machine: median 0.3 s for a five-page example
  request (after a one-off 0.4 s import), 6.5–7.5 s for a 102-page one (~70 ms a page).
  The output is tagged (for screen readers) and deterministic: the same input gives the same
  bytes (no creation date, no random id), so a rebuilt package keeps its request.pdf hash.
* **fpdf2** with ``set_text_shaping(True)`` (uharfbuzz) and fallback fonts: no system
  libraries, but each paragraph's direction is guessed from its first strong character (an
  Arabic name followed by "(suspect)" came out as a right-to-left line), tables, footers and
  page breaks are hand-made, and the same test page took ~2 s against WeasyPrint's 0.5–0.8 s.
* **reportlab** + arabic-reshaper + python-bidi (considered, not tried): Arabic is reshaped
  into presentation-form characters before it reaches the PDF (no HarfBuzz, so no font-driven
  shaping or marks) and written in visual order, so pypdf would extract reversed presentation
  forms rather than the name as typed.

The cost of WeasyPrint is Debian's Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``, with
HarfBuzz and fontconfig; Chromium for the browser tests pulls the same libraries in anyway),
installed with the fonts by ``scripts/ensure-pdf-deps.sh``. Fonts are named by file in
``@font-face`` rules (:mod:`.fonts`), so every machine renders the same: Noto Sans (Latin,
Cyrillic, Greek), Noto Sans Arabic, Noto Sans Hebrew (``fonts-noto-core``, 12 MB), WenQuanYi
Micro Hei for Chinese, Japanese kana and Korean (``fonts-wqy-microhei``, 1.6 MB, instead of
the 57 MB ``fonts-noto-cjk``), DejaVu Sans Mono for hashes (``fonts-dejavu-core``).

Tables use ``table-layout: fixed``: WeasyPrint's automatic table layout measures the
min-content width of every cell, which took seconds with long narratives. The fonts and the
shared stylesheets are loaded once per thread (:func:`portal.pdf.base.render_html`).
"""

from portal.pdf.base import AttachmentInfo, render_html
from portal.pdf.fonts import FONT_PACKAGES, MissingFontError, check_fonts
from portal.pdf.receipt_pdf import render_receipt_pdf
from portal.pdf.request_pdf import finding_key, render_request_pdf

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
