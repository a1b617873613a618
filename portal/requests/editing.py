"""What the wizard's pages change in a draft: a section's answers (with an entry added or
removed), the sections' progress, and the explanations given for warnings."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.log import record
from portal.contract.cleanup import without_empty_entries
from portal.contract.model import Request
from portal.requests import checks, drafts
from portal.requests.entries import apply_entry_op
from portal.requests.models import MlaRequest


def is_entry_op(op: str) -> bool:
    """Whether a button adds or removes an entry (rather than saving the page)."""
    return op.startswith(("add:", "remove:"))


def save_section(db: Session, user: User, request: MlaRequest, updated: Request,
                 expected_revision: int, *, section: str, op: str, new_item_type: str = "",
                 ip: str = "") -> tuple[int, str]:
    """Store a section's answers (``op``: the button pressed) with its progress; returns the
    new revision and the anchor of the entry added or removed, if any. Raises
    :class:`drafts.DraftConflict` when someone saved the draft after ``expected_revision``."""
    if is_entry_op(op):
        revision = drafts.save_draft(db, user, request, updated, expected_revision, ip=ip,
                                     section=section)
        changed, anchor = apply_entry_op(updated, op, new_item_type)
        if anchor:
            revision = drafts.save_draft(db, user, request, changed, revision, ip=ip,
                                         section=section)
        mark_progress(db, request, section, "started")
        return revision, anchor
    # a blank entry added and left blank is not stored (issue #18); the section's progress goes
    # in the draft's own UPDATE
    state = "done" if op == "continue" else "started"
    revision = drafts.save_draft(db, user, request, without_empty_entries(updated),
                                 expected_revision, ip=ip, section=section,
                                 progress_json=checks.progress_after(request, section, state))
    return revision, ""


def mark_progress(db: Session, request: MlaRequest, slug: str, state: str) -> None:
    """Record a section as started or done (a done section stays done)."""
    request.progress_json = checks.progress_after(request, slug, state)
    db.flush()


def save_acknowledgements(db: Session, user: User, request: MlaRequest,
                          answers: dict[str, str], *, ip: str = "") -> None:
    """Store the explanations given for the draft's warnings, by finding key."""
    request.acks_json = json.dumps(answers, ensure_ascii=False)
    record(db, "request.warnings_acknowledged", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"findings": sorted(answers)})
