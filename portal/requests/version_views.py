"""The submitted versions of a request, for its submitter: read-only, with the findings and
the explanations given at submission, and as a printable PDF in the submitter's language
(the package's request.pdf, for OIA, stays in English)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, render_template
from sqlalchemy import select

from portal.accounts.models import Role
from portal.contract.model import Request
from portal.i18n import current_locale_code
from portal.i18n_core import locale_info
from portal.pdf.base import render_html
from portal.requests.choices import display_names
from portal.requests.models import MlaRequest, RequestVersion
from portal.requests.summary import summarize
from portal.requests.views import bp, load_visible
from portal.rules import Finding, render_finding
from portal.rules.catalog import SEVERITY_RANK
from portal.rules.reading import Excerpt
from portal.web.access import roles
from portal.web.context import db
from portal.web.downloads import content_disposition


@dataclass(frozen=True)
class StoredFinding:
    code: str
    severity: str
    title: str
    explanation: str
    acknowledgement: str
    excerpt: Excerpt | None


def _version(req: MlaRequest, number: int) -> RequestVersion:
    if not 0 < number < 1_000_000:  # (a number the column cannot hold is no version)
        abort(404)
    version = db().scalar(select(RequestVersion).where(RequestVersion.request_id == req.id,
                                                       RequestVersion.number == number))
    if version is None:
        abort(404)
    return version


def _findings(version: RequestVersion, locale: str) -> list[StoredFinding]:
    try:
        stored = json.loads(version.findings_json or "[]")
    except ValueError:
        stored = []
    out = []
    for raw in stored if isinstance(stored, list) else []:
        if not isinstance(raw, dict):
            continue
        code, severity = str(raw.get("code", "")), str(raw.get("severity", ""))
        rendered = render_finding(Finding(code, severity, str(raw.get("path", ""))), locale)
        out.append(StoredFinding(code, severity, rendered["title"], rendered["explanation"],
                                 str(raw.get("acknowledgement", "") or ""),
                                 Excerpt.from_dict(raw.get("excerpt"))))
    return sorted(out, key=lambda f: SEVERITY_RANK.get(f.severity, 9))


def _context(public_id: str, number: int) -> dict[str, Any]:
    req = load_visible(public_id)
    if not req.reference:
        abort(404)
    version = _version(req, number)
    try:
        content = Request.from_dict(json.loads(version.content_json or "{}"))
    except ValueError:
        content = Request()
    locale = current_locale_code()
    versions = db().scalars(select(RequestVersion.number)
                            .where(RequestVersion.request_id == req.id)
                            .order_by(RequestVersion.number)).all()
    return {"req": req, "version": version, "versions": versions,
            "summary": summarize(content, display_names(content, locale)),
            "findings": _findings(version, locale), "content": content}


@bp.route("/<public_id>/versions/<int:number>")
@roles(Role.SUBMITTER, Role.TRAINER)
def submitted_version(public_id: str, number: int) -> str:
    context = _context(public_id, number)
    return render_template("requests/submitted.html", **context)


@bp.route("/<public_id>/versions/<int:number>.pdf")
@roles(Role.SUBMITTER, Role.TRAINER)
def submitted_version_pdf(public_id: str, number: int) -> FlaskResponse:
    context = _context(public_id, number)
    info = locale_info(current_locale_code())
    document = render_template("requests/submitted_pdf.html", html_lang=info.bcp47,
                               html_dir="rtl" if info.dir == "rtl" else "ltr", **context)
    response = FlaskResponse(render_html(document), mimetype="application/pdf")
    name = f"{context['req'].reference}-v{number}.pdf"
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
