"""What the portal's PDFs share: the attachment record, number and time formats, the page
CSS, the HTML layout and the renderer (WeasyPrint, imported on the first render)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from portal.contract.model import Attachment
from portal.pdf.fonts import MONO_STACK, TEXT_STACK, check_fonts, css_string, font_face_css
from portal.pdf.templating import render_template


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """An attachment as the PDFs list it (the hashes are those recorded at upload)."""

    filename: str
    document_kind: str
    sha256: str
    size: int | None = None
    pages: int | None = None

    @classmethod
    def from_attachment(cls, attachment: Attachment) -> AttachmentInfo:
        return cls(
            filename=attachment.filename,
            document_kind=attachment.document_kind,
            sha256=attachment.sha256,
            size=attachment.size,
            pages=attachment.pages,
        )


def utc_text(moment: datetime) -> str:
    """``2026-03-04 14:05:09 UTC`` (a naive datetime is taken to be UTC already)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def size_text(size: int | None) -> str:
    """Bytes in English, with the exact count: ``1.2 MB (1,234,567 bytes)``."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size:,} bytes"
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"  # pragma: no cover


def page_css(
    *,
    footer_left: str,
    page_template: str,
    training_banner: str | None,
    direction: str = "ltr",
) -> str:
    """The ``@page`` rules: US Letter, footer with ``footer_left`` and the page numbers
    (``page_template`` with ``{page}`` and ``{pages}``), a TRAINING banner on every page."""
    counter = _counter_content(page_template)
    start, end = ("left", "right") if direction != "rtl" else ("right", "left")
    banner = ""
    if training_banner:
        banner = (
            f"@top-center {{ content: {css_string(training_banner)}; color: #b50909; "
            "font-weight: 700; font-size: 11pt; letter-spacing: 0.05em; "
            "border-bottom: 2pt solid #b50909; width: 100%; text-align: center; }"
        )
    return f"""
@page {{
  size: Letter;
  margin: 20mm 18mm 22mm 18mm;
  {banner}
  @bottom-{start} {{ content: {css_string(footer_left)}; font-size: 8pt; color: #444; }}
  @bottom-{end} {{ content: {counter}; font-size: 8pt; color: #444; }}
}}
"""


def _counter_content(template: str) -> str:
    """``"Page {page} of {pages}"`` as CSS ``content`` with the page counters."""
    parts: list[str] = []
    rest = template
    while rest:
        positions = [(rest.find(tok), tok) for tok in ("{page}", "{pages}") if tok in rest]
        if not positions:
            parts.append(css_string(rest))
            break
        index, placeholder = min(positions)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append("counter(page)" if placeholder == "{page}" else "counter(pages)")
        rest = rest[index + len(placeholder) :]
    return " ".join(parts) or "counter(page)"


BASE_CSS = f"""
html {{ font-family: {TEXT_STACK}; font-size: 10pt; line-height: 1.4; color: #111; }}
body {{ margin: 0; overflow-wrap: anywhere; }}
h1 {{ font-size: 17pt; margin: 0 0 4pt 0; }}
h2 {{ font-size: 13pt; margin: 16pt 0 6pt 0; padding-bottom: 2pt; border-bottom: 1pt solid #1a4480;
      color: #1a4480; break-after: avoid; }}
h3 {{ font-size: 11pt; margin: 12pt 0 4pt 0; break-after: avoid; }}
h4 {{ font-size: 10pt; margin: 8pt 0 2pt 0; break-after: avoid; }}
p {{ margin: 0 0 4pt 0; }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100%; margin: 2pt 0 6pt 0; }}
th, td {{ text-align: start; vertical-align: top; padding: 2pt 4pt;
          border-bottom: 0.5pt solid #bbb; }}
thead th {{ background: #eef1f5; font-size: 9pt; }}
table.fields th {{ font-weight: 700; color: #333; }}
thead + tbody tr, tbody.attachment, table.fields tr {{ break-inside: avoid; }}
table.attachments tbody.attachment tr:first-child td {{ border-bottom: none; }}
.mono, code {{ font-family: {MONO_STACK}; font-size: 8.5pt; }}
.hash {{ font-family: {MONO_STACK}; font-size: 8pt; white-space: nowrap; }}
.none {{ color: #666; font-style: italic; }}
.text {{ white-space: pre-line; }}
.original {{ margin: 4pt 0 2pt 0; padding: 3pt 6pt; border-left: 2pt solid #999;
             background: #f6f6f6; }}
.original[dir=rtl] {{ border-left: none; border-right: 2pt solid #999; }}
.original-label {{ font-size: 8pt; color: #444; font-weight: 700; margin-bottom: 2pt; }}
.banner {{ border: 2pt solid #b50909; color: #b50909; font-weight: 700; padding: 4pt 8pt;
           margin: 6pt 0; }}
.urgent {{ border: 1.5pt solid #8a5a00; background: #fff4e0; padding: 4pt 8pt; margin: 6pt 0; }}
.finding {{ margin: 0 0 8pt 0; padding: 4pt 6pt; border-left: 3pt solid #999;
            break-inside: avoid; }}
[dir=rtl] .finding {{ border-left: none; border-right: 3pt solid #999; }}
.finding.blocker {{ border-color: #b50909; }}
.finding.warning {{ border-color: #e5a000; }}
.finding.info {{ border-color: #1a4480; }}
.severity {{ font-size: 8pt; font-weight: 700; text-transform: uppercase; }}
.ack {{ background: #f3f7ec; padding: 3pt 6pt; margin-top: 3pt; }}
.muted {{ color: #555; font-size: 8.5pt; }}
ul {{ margin: 0 0 4pt 0; padding-left: 14pt; }}
[dir=rtl] ul {{ padding-left: 0; padding-right: 14pt; }}
""" + "".join(f"col.w{n} {{ width: {n}%; }}\n" for n in range(1, 101))


def _weasyprint() -> Any:
    """The WeasyPrint module (untyped library: imported as ``Any``, on the first render)."""
    return importlib.import_module("weasyprint")


_SHARED = threading.local()


def _shared_styles(weasyprint: Any) -> tuple[Any, list[Any]]:
    """The font configuration and the parsed font and base stylesheets, made once per thread
    (WeasyPrint objects are not shared between threads)."""
    cached = getattr(_SHARED, "styles", None)
    if cached is None:
        faces = font_face_css()
        fonts_module = importlib.import_module("weasyprint.text.fonts")
        font_config = fonts_module.FontConfiguration()
        sheets = [
            weasyprint.CSS(
                string=css, font_config=font_config, url_fetcher=_url_fetcher(weasyprint)
            )
            for css in (faces, BASE_CSS)
        ]
        cached = (font_config, sheets)
        _SHARED.styles = cached
    return cached


def render_html(document: str, *, extra_css: Iterable[str] = ()) -> bytes:
    """A complete HTML document as tagged PDF bytes with the portal's fonts; raises
    :class:`portal.pdf.fonts.MissingFontError` when a font is not installed."""
    check_fonts()  # fails first, with the package name, when fonts are missing
    weasyprint = _weasyprint()
    font_config, shared = _shared_styles(weasyprint)
    stylesheets = [
        *shared,
        *(
            weasyprint.CSS(
                string=css, font_config=font_config, url_fetcher=_url_fetcher(weasyprint)
            )
            for css in extra_css
        ),
    ]
    pdf = weasyprint.HTML(string=document, url_fetcher=_url_fetcher(weasyprint)).write_pdf(
        stylesheets=stylesheets, font_config=font_config, pdf_tags=True
    )
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without target
        raise TypeError("WeasyPrint returned no bytes")
    return pdf


def _url_fetcher(weasyprint: Any) -> Any:
    """Only local files (the fonts): the documents reference nothing else, and user text is
    escaped, so this is a second line of defence against any fetch over the network."""
    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is None:  # pragma: no cover - WeasyPrint < 66
        return None
    return fetcher_class(allowed_protocols=("file",))


def html_document(*, lang: str, direction: str, title: str, body: str, author: str = "") -> str:
    """A complete HTML document around ``body`` (HTML the caller made safe) with the layout of
    ``templates/pdf/document.html``."""
    context = {"lang": lang, "direction": direction, "title": title, "author": author,
               "body": Markup(body)}  # noqa: S704 - the caller's HTML, by contract
    return render_template("document.html", locale="en", context=context)
