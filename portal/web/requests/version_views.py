"""The submitted versions of a request, for its submitter: read-only, with the findings and
the explanations given at submission, and as a printable PDF in the submitter's language
(the package's request.pdf, for OIA, stays in English)."""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import abort, render_template

from portal.accounts.models import Role
from portal.i18n_core import locale_info
from portal.pdf.base import render_html
from portal.requests import versions
from portal.requests.choices import display_names
from portal.requests.summary import summarize
from portal.web.access import roles
from portal.web.context import db
from portal.web.downloads import content_disposition
from portal.web.i18n import current_locale_code
from portal.web.requests.access import load_visible


def _context(public_id: str, number: int, minor: int) -> dict[str, Any]:
    req = load_visible(public_id)
    if not req.reference:
        abort(404)
    version = versions.version_of(db(), req, number, minor)
    if version is None:
        abort(404)
    content = versions.content_of_version(version)
    locale = current_locale_code()
    return {"req": req, "version": version, "versions": versions.version_numbers(db(), req),
            "summary": summarize(content, display_names(content, locale)),
            "findings": versions.stored_findings(version, locale), "content": content}


@roles(Role.SUBMITTER, Role.TRAINER)
def submitted_version(public_id: str, number: int, minor: int = 0) -> str:
    context = _context(public_id, number, minor)
    return render_template("requests/submitted.html", **context)


@roles(Role.SUBMITTER, Role.TRAINER)
def submitted_version_pdf(public_id: str, number: int, minor: int = 0) -> FlaskResponse:
    context = _context(public_id, number, minor)
    info = locale_info(current_locale_code())
    document = render_template("requests/submitted_pdf.html", html_lang=info.bcp47,
                               html_dir="rtl" if info.dir == "rtl" else "ltr", **context)
    response = FlaskResponse(render_html(document), mimetype="application/pdf")
    name = f"{context['req'].reference}-v{context['version'].label}.pdf"
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
