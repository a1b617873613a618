"""Handouts: the guide page of one type of assistance as a printable PDF in one language, from
the guide page's own template (``training/_guide_body.html``) with the fonts of request.pdf."""

from __future__ import annotations

from datetime import date

from flask import render_template

from portal.i18n_core import N_, get_translations, locale_info
from portal.pdf import render_html
from portal.pdf.base import html_document, page_css
from portal.training.guide import GuidePage

M_FOOTER = N_("MLA request portal · Requirements guide")
M_PAGE = N_("Page {page} of {pages}")

HANDOUT_CSS = """
.portal-guide__lead { font-size: 11pt; }
.portal-guide__sources, .portal-guide__meta { color: #444; font-size: 8.5pt; }
.portal-guide-rule { margin: 0 0 7pt 0; padding: 3pt 6pt; border-left: 3pt solid #999;
  break-inside: avoid; }
[dir=rtl] .portal-guide-rule { border-left: none; border-right: 3pt solid #999; }
.portal-guide-rule--blocker { border-color: #b50909; }
.portal-guide-rule--warning { border-color: #e5a000; }
.portal-guide-rule--advice { border-color: #1a4480; }
.portal-guide-rule__title { font-size: 10.5pt; margin: 0 0 2pt 0; }
.usa-tag { font-size: 7.5pt; font-weight: 700; text-transform: uppercase; padding: 0 3pt;
  border: 0.5pt solid #555; }
.portal-guide__fields dt { font-weight: 700; margin-top: 4pt; }
.portal-guide__fields dd { margin: 0 0 0 10pt; }
[dir=rtl] .portal-guide__fields dd { margin: 0 10pt 0 0; }
.portal-guide-value { white-space: pre-line; }
.portal-screen-only { display: none; }
a { color: inherit; text-decoration: none; }
"""


def handout_pdf(page: GuidePage, locale: str, *, today: date | None = None) -> bytes:
    """The handout of ``page`` in ``locale`` (call inside a request whose locale is
    ``locale``: the template's strings are translated by Flask-Babel)."""
    translations = get_translations(locale)
    info = locale_info(locale)
    body = render_template("training/handout.html", page=page,
                           today=(today or date.today()).isoformat())
    document = html_document(lang=info.bcp47, direction=info.dir, title=page.title, body=body)
    css = page_css(footer_left=translations.gettext(M_FOOTER),
                   page_template=translations.gettext(M_PAGE), training_banner=None,
                   direction=info.dir)
    return render_html(document, extra_css=[css, HANDOUT_CSS])
