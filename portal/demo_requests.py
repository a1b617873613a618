"""Demo requests (``portal demo``): samples submitted by the demo submitters with their
documents and taken by OIA's demo attorney to several states (returned, accepted, referred,
completed); refused in production with the rest of the demo data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.attachments import service as attachments
from portal.attachments.inspect import Rejection
from portal.config import Settings
from portal.contract import model as m
from portal.db import utcnow
from portal.pdf.base import html_document, render_html
from portal.requests import checks, drafts, submission
from portal.requests.models import MlaRequest, RequestVersion
from portal.training.samples import EXAMPLES_DIR
from portal.triage import operations

TRIAGE = "triage@demo.example.org"
#: Where the demo's referred request goes (the Southern District of Florida).
DISTRICT = "FLS"
JUSTIFICATION = "Demo data: the request is transmitted as it stands."


@dataclass(frozen=True)
class DemoCase:
    submitter: str
    sample: str
    state: str  # submitted, returned, accepted, referred, completed


CASES = (
    DemoCase("fiscal@demo.example.org", "01-subscriber-info-good-es.json", "returned"),
    DemoCase("procureur@demo.example.org", "03-non-content-good-fr.json", "accepted"),
    DemoCase("niyaba@demo.example.org", "09-financial-records-good-eg.json", "referred"),
    DemoCase("colega@demo.example.org", "11-witness-good-co.json", "completed"),
    DemoCase("fiscal@demo.example.org", "05-stored-content-good-de.json", "submitted"),
)


def _pdf(title: str) -> bytes:
    body = f"<h1>{title}</h1><p>Demo document of the MLA request intake portal.</p>"
    return render_html(html_document(lang="en", direction="ltr", title=title, body=body))


def _user(db: Session, email: str) -> User:
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo account {email} is missing: load the demo accounts first")
    return user


def _submitted(db: Session, settings: Settings, case: DemoCase) -> MlaRequest:
    user = _user(db, case.submitter)
    text = (EXAMPLES_DIR / case.sample).read_text(encoding="utf-8")
    request, errors = drafts.import_json(db, user, text)
    if request is None:
        raise ValueError(f"{case.sample}: {errors}")
    listed = json.loads(text).get("attachments", [])
    for entry in listed:
        added = attachments.add_attachment(
            db, settings, user, request, entry["filename"], entry["document_kind"],
            _pdf(entry["filename"]), language=entry.get("language", "en"), check_now=True)
        if isinstance(added, Rejection):
            raise ValueError(f"{case.sample}: {added.code}")
    listed_files = tuple(
        m.Attachment(filename=a.filename, document_kind=a.document_kind, sha256=a.sha256,
                     size=a.size, pages=a.pages, language=a.language)
        for a in attachments.list_attachments(db, request))
    synced = replace(drafts.content_of(request), attachments=listed_files)
    drafts.save_draft(db, user, request, synced, request.revision)
    found = checks.compute(synced, user.locale or "en",
                           account_country=checks.account_country_of(request))
    request.acks_json = json.dumps({f.key: JUSTIFICATION for f in found
                                    if f.severity == "warning"})
    submission.submit(db, settings, user, request, expected_revision=request.revision,
                      locale=user.locale or "en")
    return request


def _advance(db: Session, settings: Settings, request: MlaRequest, state: str) -> None:
    if state == "submitted":
        return
    officer = _user(db, TRIAGE)
    operations.open_request(db, settings, officer, request, note="Demo: opened.")
    if state == "returned":
        version = db.scalar(select(RequestVersion)
                            .where(RequestVersion.request_id == request.id))
        stored = json.loads(version.findings_json or "[]") if version is not None else []
        keys = [f"{f['code']}@{f['path']}" for f in stored if f.get("severity") == "warning"]
        operations.return_for_deficiency(
            db, settings, officer, request, keys[:1],
            "Please send the provider's preservation reference and confirm the period.")
        return
    operations.accept(db, settings, officer, request, note="Demo: checked in full.",
                      message="Your request is accepted and will be executed.")
    if state == "accepted":
        return
    operations.assign(db, settings, officer, request, officer, note="Demo: assigned.")
    if state == "referred":
        operations.refer(db, settings, officer, request, DISTRICT,
                         utcnow().date() + timedelta(days=30), note="Demo: referred.")
        return
    operations.start_execution(db, settings, officer, request)
    operations.complete(db, settings, officer, request,
                        message="The evidence was sent to you through your central authority.")


def load_demo_requests(db: Session, settings: Settings,
                       echo: Callable[[str], object] = lambda _line: None) -> int:
    """Submit and advance the demo cases; none when a demo submitter already has a request."""
    first = _user(db, CASES[0].submitter)
    if db.scalar(select(MlaRequest.id).where(MlaRequest.authority_id == first.authority_id)
                 .limit(1)) is not None:
        return 0
    done = 0
    for case in CASES:
        try:
            request = _submitted(db, settings, case)
        except submission.NotReady as refused:  # a sample's dates may have aged
            echo(f"  {case.sample}: left as a draft ({refused})")
            continue
        _advance(db, settings, request, case.state)
        echo(f"  {request.reference}: {case.sample} ({case.state})")
        done += 1
    return done
