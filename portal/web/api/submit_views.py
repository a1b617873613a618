"""Submission by API, with ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header):
the key is claimed in a transaction of its own before anything else is done (the unique key
decides which of two concurrent calls submits), the submission and its recorded answer commit
together, a refusal (4xx) is recorded and replayed too, and a crash releases the key."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, request
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts import idempotency
from portal.accounts.models import Role
from portal.attachments import service
from portal.attachments.models import CheckState
from portal.contract.load import M_INVALID, M_PATTERN, read_json, schema_errors
from portal.requests import checks, drafts, editing, submission
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.api.attachment_views import attachment_body, load_draft
from portal.web.api.bodies import body_bytes
from portal.web.api.paths import PREFIX
from portal.web.api.problems import MEDIA_TYPE, ApiProblem, FieldError, response_of
from portal.web.api.registry import Answer, operation
from portal.web.api.schemas import SUBMISSION
from portal.web.context import client_ip, database, db, settings
from portal.web.i18n import current_locale_code
from portal.web.requests.documents_state import settle

KEY = re.compile(r"[\x21-\x7e]{1,255}")
#: Seconds to wait before repeating a call whose first is still running.
IN_USE_RETRY_SECONDS = 1


def _problem(status: int, description: str) -> dict[int, Answer]:
    return {status: Answer(description, "Problem", "application/problem+json")}


def idempotency_key() -> str:
    value = request.headers.get("Idempotency-Key")
    if value is None:
        raise ApiProblem("idempotency-key-missing")
    if not KEY.fullmatch(value):
        raise ApiProblem("idempotency-key-malformed",
                         errors=[FieldError("Idempotency-Key", _(
                             "Idempotency-Key must be 1 to 255 visible ASCII characters."))])
    return value


def _replay(row: idempotency.IdempotencyKey, fingerprint: str) -> Response:
    """A repeat of a key: its first answer, or why it cannot be given."""
    if row.fingerprint != fingerprint:
        raise ApiProblem("idempotency-key-reused")
    if row.status != idempotency.DONE or row.response_status is None:
        raise ApiProblem("idempotency-key-in-use",
                         headers={"Retry-After": str(IN_USE_RETRY_SECONDS)})
    status = row.response_status
    body = row.response_body or "{}"
    response = Response(body, status=status,
                        mimetype=MEDIA_TYPE if status >= 400 else "application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if status == 201:
        response.headers["Location"] = json.loads(body)["request"]
    return response


def _invalid(errors: list[FieldError]) -> ApiProblem:
    return ApiProblem("invalid-body", errors=errors)


def _acknowledgements(data: dict[str, Any], warnings: set[str]) -> dict[str, str]:
    """The explanations sent, by warning key; 422 naming a finding that is no warning."""
    given: dict[str, str] = {}
    errors = []
    for index, item in enumerate(data.get("acknowledgements", [])):
        path = f"acknowledgements[{index}]"
        if item["finding"] not in warnings:
            errors.append(FieldError(f"{path}.finding", _(
                "This is not a warning of this draft: see its findings.")))
        elif not item["justification"].strip():
            errors.append(FieldError(f"{path}.justification",
                                     _("Write why you submit despite this warning.")))
        else:
            given[item["finding"]] = item["justification"].strip()
    if errors:
        raise _invalid(errors)
    return given


def _read_body(raw: bytes) -> dict[str, Any]:
    locale = current_locale_code()
    data, error = read_json(raw, locale)
    if error is not None:
        raise ApiProblem("malformed-json", error.message)
    errors = schema_errors(SUBMISSION, data, locale)
    if errors:  # (an empty explanation is told as on the check page)
        found = [FieldError(e.path, _("Write why you submit despite this warning.")
                            if e.path.endswith(".justification")
                            and e.template in (M_INVALID, M_PATTERN) else e.message)
                 for e in errors]
        raise _invalid(list(dict.fromkeys(found)))
    return data  # type: ignore[no-any-return]


def _blocked(state: dict[str, Any]) -> ApiProblem:
    def shown(finding: checks.ShownFinding) -> dict[str, str]:
        return {"key": finding.key, "code": finding.code, "path": finding.path,
                "title": finding.title}

    return ApiProblem("submission-blocked",
                      extra={"blockers": [shown(f) for f in state["blockers"]],
                             "unacknowledged": [shown(f) for f in state["unacknowledged"]]})


def _submit(req: MlaRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Submit the draft as the submit page does; raises ApiProblem when it cannot be."""
    user = require_user()
    if not req.editable:
        raise ApiProblem("not-editable")
    checked = data.get("revision")
    if checked is not None and checked != req.revision:
        raise ApiProblem("stale-revision", extra={"revision": req.revision})
    if not settle(req).settled:  # (adds the accepted files to the draft's document)
        waiting = [attachment_body(a) for a in service.list_attachments(db(), req)
                   if a.check_state != CheckState.ACCEPTED.value]
        raise ApiProblem("documents-not-settled", extra={"attachments": waiting})
    locale = current_locale_code()
    findings = checks.findings_of(req, locale)
    warnings = {f.key for f in findings if f.severity == "warning"}
    given = _acknowledgements(data, warnings)
    if given:
        kept = {k: v for k, v in checks.acknowledgements_of(req).items() if k in warnings}
        editing.save_acknowledgements(db(), user, req, {**kept, **given}, ip=client_ip())
    state = checks.readiness(findings, checks.acknowledgements_of(req))
    if not state["ready"]:
        raise _blocked(state)
    try:
        done = submission.submit(db(), settings(), user, req, expected_revision=req.revision,
                                 locale=locale, ip=client_ip())
    except submission.NotReady:
        raise _blocked(state) from None
    except (submission.AlreadySubmitted, drafts.NotEditable):
        db().rollback()
        db().refresh(req)
        if req.editable:
            raise ApiProblem("stale-revision", extra={"revision": req.revision}) from None
        raise ApiProblem("not-editable") from None
    link = f"{PREFIX}/requests/{done.reference}"
    return {"reference": done.reference, "version": done.version, "status": req.status,
            "request": link, "receipt": f"{link}/receipt.pdf"}


#: What a submission leads to: the request as OIA moves it, and its receipt.
SUBMITTED_LINKS = {
    "GetRequest": {"operationId": "getRequest",
                   "parameters": {"reference": "$response.body#/reference"},
                   "description": "The request: its status, timeline and versions."},
    "GetReceipt": {"operationId": "getReceipt",
                   "parameters": {"reference": "$response.body#/reference"},
                   "description": "Its receipt."},
}


@operation("POST", "/drafts/<draft_id>/submit", "submitDraft", summary="Submit a draft",
           description="As the submit page: the draft's blocking findings fixed, an explanation "
                       "for each warning (sent here or before), every document checked and "
                       "accepted. Idempotency-Key is required: a repeat with the same key and "
                       "body gets the first answer (Idempotent-Replayed: true), and a draft is "
                       "never submitted twice. The answer links to the request (its status "
                       "as OIA moves it) and to its receipt.",
           body="Submission", headers=("Idempotency-Key",), tags=("drafts",),
           answers={201: Answer("Submitted: the reference and version.", "Submitted",
                                headers=("Location", "Idempotent-Replayed"),
                                links=SUBMITTED_LINKS),
                    **_problem(400, "The body is not JSON, or Idempotency-Key is not valid."),
                    **_problem(404, "No such draft, or it belongs to another authority."),
                    **_problem(409, "The request is no longer a draft, or the first call with "
                                    "this key is still running (Retry-After)."),
                    **_problem(412, "The draft was saved after the revision sent."),
                    **_problem(413, "The body is larger than the portal accepts."),
                    **_problem(415, "The body is not declared as JSON."),
                    **_problem(422, "Blocking findings or unanswered warnings (blockers, "
                                    "unacknowledged), documents being checked or refused "
                                    "(attachments), a body that is not valid (errors), or "
                                    "a key sent before with another body."),
                    **_problem(428, "Idempotency-Key is missing.")})
@roles(Role.SUBMITTER)
def submit_draft(draft_id: str) -> Response:
    req = load_draft(draft_id)
    key = idempotency_key()
    raw = body_bytes()
    fingerprint = idempotency.fingerprint(request.method, request.path, raw)
    engine = database().engine
    claim = idempotency.claim(engine, require_user().id, key, fingerprint,
                              hours=settings().limits.api_idempotency_hours)
    if claim.existing is not None:
        return _replay(claim.existing, fingerprint)
    row_id = claim.row_id
    assert row_id is not None
    try:
        body = _submit(req, _read_body(raw))
        text = json.dumps(body, ensure_ascii=False)
        idempotency.record_answer(db(), row_id, 201, text)
        db().commit()  # the submission and its answer, together
    except ApiProblem as problem:
        db().rollback()
        answer = response_of(problem)
        try:
            idempotency.record_answer(db(), row_id, answer.status_code,
                                      answer.get_data(as_text=True))
            db().commit()
        except SQLAlchemyError:
            db().rollback()
            idempotency.release(engine, row_id)
        raise
    except BaseException:  # a crash: nothing was submitted, the key may be sent again
        db().rollback()
        idempotency.release(engine, row_id)
        raise
    response = Response(text, status=201, mimetype="application/json")  # as a replay's
    response.headers["Location"] = body["request"]
    return response
