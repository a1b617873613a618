"""The API's request documents: a check that stores nothing, and drafts (create, read, save
with If-Match, findings). Access as on the pages: a draft of another authority is 404."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

from flask import Response, jsonify, url_for

from portal.accounts.models import Role
from portal.requests import checks, drafts
from portal.requests.models import MlaRequest
from portal.requests.sections import started_sections
from portal.web.access import require_user, roles
from portal.web.api.bodies import body_bytes, contract_problem, if_match_revision, request_document
from portal.web.api.problems import ApiProblem
from portal.web.api.registry import Answer, operation
from portal.web.context import client_ip, db
from portal.web.i18n import current_locale_code

SEVERITIES = ("blocker", "warning", "advice")
DRAFT_LINKS = {
    "GetDraft": {"operationId": "getDraft",
                 "parameters": {"draft_id": "$response.body#/id"},
                 "description": "The draft just created."},
    "GetDraftFindings": {"operationId": "getDraftFindings",
                         "parameters": {"draft_id": "$response.body#/id"},
                         "description": "Its findings."},
    "UploadAttachment": {"operationId": "uploadAttachment",
                         "parameters": {"draft_id": "$response.body#/id"},
                         "description": "Attach a PDF to it."},
    "SubmitDraft": {"operationId": "submitDraft",
                    "parameters": {"draft_id": "$response.body#/id"},
                    "description": "Submit it (with a new Idempotency-Key)."},
    "UpdateDraft": {"operationId": "updateDraft",
                    "parameters": {"draft_id": "$response.body#/id",
                                   "header.If-Match": "$response.header.ETag"},
                    "description": "Save a change at this revision."},
}


def _finding(f: checks.ShownFinding) -> dict[str, Any]:
    return {"key": f.key, "code": f.code, "severity": f.severity, "path": f.path,
            "section": f.section.slug if f.section else None, "title": f.title,
            "explanation": f.explanation, "fix": f.fix, "citations": list(f.citations)}


def _counts(findings: list[checks.ShownFinding]) -> dict[str, int]:
    found = Counter(f.severity for f in findings)
    return {severity: found.get(severity, 0) for severity in SEVERITIES}


def _draft(req: MlaRequest) -> dict[str, Any]:
    findings = checks.findings_of(req, current_locale_code())
    return {"id": req.public_id, "revision": req.revision, "status": req.status,
            "editable": req.editable, "updated_at": req.updated_at.isoformat(),
            "content": drafts.content_of(req).to_dict(omit_defaults=True),
            "findings": [_finding(f) for f in findings], "counts": _counts(findings)}


def _answer(body: dict[str, Any], status: int, req: MlaRequest) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{req.revision}"'
    return response


def _load(draft_id: str, *, audit: bool = True) -> MlaRequest:
    try:
        return drafts.get_request(db(), require_user(), draft_id[:64], ip=client_ip(),
                                  audit_view=audit)
    except drafts.NotFound:
        raise ApiProblem("not-found") from None


PROBLEMS_OF_A_BODY = {
    400: Answer("The body is not valid JSON.", "Problem", "application/problem+json"),
    413: Answer("The body is larger than the portal accepts.", "Problem",
                "application/problem+json"),
    415: Answer("The body is not declared as JSON.", "Problem", "application/problem+json"),
    422: Answer("The body does not follow the contract; errors name each field.", "Problem",
                "application/problem+json"),
}
NOT_FOUND = {404: Answer("No such draft, or it belongs to another authority.", "Problem",
                         "application/problem+json")}


@operation("POST", "/check", "checkRequest", summary="Check a request document",
           description="The findings of the rules for a request document; nothing is stored.",
           body="Request", tags=("requests",),
           answers={200: Answer("The findings.", "CheckResult"), **PROBLEMS_OF_A_BODY})
@roles(Role.SUBMITTER, Role.TRIAGE)
def check() -> Response:
    content = request_document()
    user = require_user()
    country = user.authority.country if user.authority is not None else None
    findings = checks.compute(content, current_locale_code(), account_country=country)
    return jsonify({"findings": [_finding(f) for f in findings], "counts": _counts(findings)})


@operation("POST", "/drafts", "createDraft", summary="Create a draft",
           description="A new draft of your authority from a request document (its attachment "
                       "entries are left out: files are uploaded to the draft).",
           body="Request", tags=("drafts",),
           answers={201: Answer("The draft, with its findings.", "Draft",
                                headers=("Location", "ETag"), links=DRAFT_LINKS),
                    **PROBLEMS_OF_A_BODY})
@roles(Role.SUBMITTER)
def create_draft() -> Response:
    created, errors = drafts.import_json(db(), require_user(), body_bytes(),
                                         locale=current_locale_code(), ip=client_ip())
    if created is None:
        raise contract_problem(errors)
    response = _answer(_draft(created), 201, created)
    response.headers["Location"] = url_for("api.getDraft", draft_id=created.public_id)
    return response


@operation("GET", "/drafts/<draft_id>", "getDraft", summary="Read a draft",
           description="The draft as saved, its revision (also in ETag) and its findings.",
           tags=("drafts",),
           answers={200: Answer("The draft.", "Draft", headers=("ETag",),
                                links={k: v for k, v in DRAFT_LINKS.items() if k != "GetDraft"}),
                    **NOT_FOUND})
@roles(Role.SUBMITTER)
def get_draft(draft_id: str) -> Response:
    req = _load(draft_id)
    return _answer(_draft(req), 200, req)


@operation("PUT", "/drafts/<draft_id>", "updateDraft", summary="Save a draft",
           description="Replace the draft's content (its uploaded files stay). If-Match must "
                       "name the revision you last read: 412 when someone saved since.",
           body="Request", headers=("If-Match",), tags=("drafts",),
           answers={200: Answer("The draft as saved, at its new revision.", "Draft",
                                headers=("ETag",)),
                    **PROBLEMS_OF_A_BODY, **NOT_FOUND,
                    409: Answer("The request is no longer a draft.", "Problem",
                                "application/problem+json"),
                    412: Answer("Someone saved the draft after that revision.", "Problem",
                                "application/problem+json"),
                    428: Answer("If-Match is missing.", "Problem",
                                "application/problem+json")})
@roles(Role.SUBMITTER)
def update_draft(draft_id: str) -> Response:
    expected = if_match_revision()
    req = _load(draft_id, audit=False)
    content = request_document()
    if not req.editable:
        raise ApiProblem("not-editable")
    content = replace(content, attachments=drafts.content_of(req).attachments)
    progress = {**checks.progress_of(req), **started_sections(content)}
    try:
        drafts.save_draft(db(), require_user(), req, content, expected, ip=client_ip(),
                          section="api", progress_json=json.dumps(progress))
    except drafts.DraftConflict as conflict:
        raise ApiProblem("stale-revision",
                         extra={"revision": conflict.current_revision}) from None
    except drafts.NotEditable:
        raise ApiProblem("not-editable") from None
    return _answer(_draft(req), 200, req)


@operation("GET", "/drafts/<draft_id>/findings", "getDraftFindings",
           summary="A draft's findings",
           description="The findings of the draft as saved, and whether it is ready to submit "
                       "(no blocker, every warning answered; documents aside).",
           tags=("drafts",),
           answers={200: Answer("The findings.", "Findings"), **NOT_FOUND})
@roles(Role.SUBMITTER)
def draft_findings(draft_id: str) -> Response:
    req = _load(draft_id)
    findings = checks.findings_of(req, current_locale_code())
    ready = checks.readiness(findings, checks.acknowledgements_of(req))["ready"]
    return _answer({"id": req.public_id, "revision": req.revision,
                    "findings": [_finding(f) for f in findings], "counts": _counts(findings),
                    "ready": bool(ready)}, 200, req)
