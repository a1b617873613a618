"""The minor version made by documents added after submission: the latest version's content,
findings and reference data, with the new files appended to its attachment list."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.attachments.models import Attachment
from portal.contract import fields
from portal.contract.sections import Attachment as ListedAttachment
from portal.requests.models import MlaRequest, RequestVersion


def latest_version(db: Session, request: MlaRequest) -> RequestVersion | None:
    return db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id)
                     .order_by(RequestVersion.number.desc(), RequestVersion.minor.desc())
                     .limit(1))


def listed(files: list[Attachment]) -> list[dict[str, Any]]:
    """The files as entries of the contract's attachment list (as a draft lists them)."""
    return [fields.to_dict(ListedAttachment(
        filename=f.filename, document_kind=f.document_kind, sha256=f.sha256, size=f.size,
        pages=f.pages, language=f.language), omit_defaults=True) for f in files]


def _with_files(text: str, entries: list[dict[str, Any]]) -> str:
    try:
        content = json.loads(text or "{}")
    except ValueError:
        content = {}
    if not isinstance(content, dict):
        content = {}
    current = content.get("attachments")
    content["attachments"] = [*(current if isinstance(current, list) else []), *entries]
    return json.dumps(content, ensure_ascii=False)


def add_minor_version(db: Session, user: User, request: MlaRequest, files: list[Attachment],
                      now: datetime) -> RequestVersion:
    """Version N.(m+1) after the latest N.m; the working copy lists the files too, so that a
    later resubmission keeps them."""
    latest = latest_version(db, request)
    if latest is None:
        raise LookupError(f"request {request.public_id} has no submitted version")
    entries = listed(files)
    version = RequestVersion(request_id=request.id, number=latest.number,
                             minor=latest.minor + 1,
                             content_json=_with_files(latest.content_json, entries),
                             findings_json=latest.findings_json,
                             reference_version=latest.reference_version,
                             submitted_by_id=user.id, submitted_at=now)
    db.add(version)
    draft = db.scalar(select(MlaRequest.draft_json).where(MlaRequest.id == request.id))
    db.execute(update(MlaRequest).where(MlaRequest.id == request.id)
               .values(draft_json=_with_files(draft or "{}", entries), updated_at=now,
                       updated_by_id=user.id)
               .execution_options(synchronize_session=False))
    db.flush()
    db.expire(request, ["draft_json", "updated_at", "updated_by_id", "versions"])
    return version
