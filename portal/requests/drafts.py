"""Drafts: created, read, listed, saved (compare-and-set on the revision), exported and
imported, every query through the access check of :func:`visible_requests`."""

# Object-level access: a submitter sees the requests of their own authority (drafts included);
# OIA triage staff see submitted requests, never drafts nor training requests; a trainer sees
# only the practice requests they started, never case content; administrators see none. A
# request the user may not see is reported as not found, so its existence does not leak.
# A save names the revision it was loaded at; a save against a newer revision is refused with
# DraftConflict instead of overwriting a colleague.

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, Update, bindparam, or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal import cache
from portal.accounts.models import Role, User
from portal.audit.log import record
from portal.contract.load import ContractError, load_request_json
from portal.contract.model import Request
from portal.db import utcnow
from portal.requests import search
from portal.requests.models import EDITABLE, MlaRequest, RequestEvent, Status
from portal.requests.search_text import document
from portal.requests.sections import started_sections


class NotFound(LookupError):
    """The request does not exist or the user may not see it."""


class NotEditable(RuntimeError):
    """The request is not in a state the requesting authority may edit."""


class DraftConflict(RuntimeError):
    """Someone saved the draft after the caller loaded it."""

    def __init__(self, current_revision: int, updated_by: str) -> None:
        super().__init__(f"draft changed (now revision {current_revision})")
        self.current_revision = current_revision
        self.updated_by = updated_by


#: What the requests a user may see depend on: the role, and the authority of a submitter or
#: the id of a trainer (OIA staff all see the same requests).
Visibility = tuple[str, int | None, int | None]


def visibility(user: User) -> Visibility:
    role = user.role_enum
    return (user.role, user.authority_id if role is Role.SUBMITTER else None,
            user.id if role is Role.TRAINER else None)


def visible_requests(user: User) -> Select[MlaRequest]:
    """The requests ``user`` may see, as a query to refine."""
    return _visible(visibility(user))


def _visible(key: Visibility) -> Select[MlaRequest]:
    role_name, authority_id, user_id = key
    query = select(MlaRequest)
    role = Role(role_name)
    if role is Role.SUBMITTER and authority_id is not None:
        return query.where(MlaRequest.authority_id == authority_id)
    if role is Role.TRIAGE:
        return query.where(MlaRequest.status != Status.DRAFT.value,
                           MlaRequest.training.is_(False))
    if role is Role.TRAINER:  # their own practice requests (portal.training.sandbox)
        return query.where(MlaRequest.training.is_(True), MlaRequest.created_by_id == user_id)
    return query.where(MlaRequest.id.is_(None))  # nothing


def list_requests(db: Session, user: User, *, status: str = "", editable: bool = False,
                  limit: int = 500) -> list[MlaRequest]:
    """The user's (non-practice) requests, the latest changed first; only those in ``status``
    when it names one, only drafts and returned requests when ``editable``."""
    query = visible_requests(user).where(MlaRequest.training.is_(False))
    if status in {s.value for s in Status}:
        query = query.where(MlaRequest.status == status)
    if editable:
        query = query.where(MlaRequest.status.in_([s.value for s in EDITABLE]))
    return list(db.scalars(query.order_by(MlaRequest.updated_at.desc()).limit(limit)))


def events_of(db: Session, request: MlaRequest) -> list[RequestEvent]:
    """The request's history, oldest first."""
    return list(db.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                           .order_by(RequestEvent.at, RequestEvent.id)))


def _by_public_id(key: Visibility) -> Select[MlaRequest]:
    # with its authority (the account country the rules compare, the name pages show)
    return (_visible(key).where(MlaRequest.public_id == bindparam("public_id"))
            .options(joinedload(MlaRequest.authority)))


def get_request(db: Session, user: User, public_id: str, *, ip: str = "",
                audit_view: bool = True) -> MlaRequest:
    request = db.scalar(_by_public_id(visibility(user)), {"public_id": public_id})
    if request is None:
        raise NotFound(public_id)
    if audit_view:
        record(db, "request.viewed", actor_id=user.id, actor=user.email, ip=ip,
               object_type="request", object_id=request.public_id)
    return request


def get_by_reference(db: Session, user: User, reference: str, *, ip: str = "",
                     audit_view: bool = True) -> MlaRequest:
    """The request whose reference is ``reference`` (or, before it has one, whose public id
    is), if ``user`` may see it; else NotFound."""
    request = db.scalar(_visible(visibility(user))
                        .where(or_(MlaRequest.reference == reference,
                                   MlaRequest.public_id == reference))
                        .options(joinedload(MlaRequest.authority)).limit(1))
    if request is None:
        raise NotFound(reference)
    if audit_view:
        record(db, "request.viewed", actor_id=user.id, actor=user.email, ip=ip,
               object_type="request", object_id=request.public_id)
    return request


def blank_request(user: User, language: str) -> Request:
    """A new request of ``user``'s authority, with them as its contact."""
    authority = user.authority
    return Request.from_dict({
        "language": language.replace("_", "-"),
        "requesting_authority": {
            "name": authority.name if authority else "",
            "country": authority.country if authority else "",
            "contact": {"name": user.name, "email": user.email},
        },
    })


def create_draft(db: Session, user: User, content: Request | None = None, *, ip: str = "",
                 training: bool = False, sandbox_authority_id: int | None = None) -> MlaRequest:
    """A new draft of the user's authority; a trainer's practice request (``training``) goes to
    their training sandbox authority (``sandbox_authority_id``, see portal.training.sandbox)."""
    authority_id = user.authority_id
    if training and user.role_enum is Role.TRAINER and sandbox_authority_id is not None:
        authority_id = sandbox_authority_id
    elif user.role_enum is not Role.SUBMITTER or user.authority_id is None:
        raise PermissionError("only submitters of an authority create requests")
    body = (content or Request()).to_dict(omit_defaults=True)
    request = MlaRequest(authority_id=authority_id, status=Status.DRAFT.value,
                         training=training, draft_json=_dump(body), revision=1,
                         created_by_id=user.id, updated_by_id=user.id)
    db.add(request)
    db.flush()
    if content is not None:  # (a blank request has nothing to find)
        search.store(db, request.id, "", content)
    db.add(RequestEvent(request_id=request.id, actor_id=user.id, kind="created",
                        to_status=Status.DRAFT.value))
    record(db, "request.created", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id)
    return request


#: A draft's content by (request id, revision): the model is frozen all the way down, so one
#: instance serves every reader of that revision.
_CONTENT = cache.named(
    "draft_content", max_bytes=32 * 1024 * 1024,
    why="each page of an unchanged draft (sections, task list, check, review) reads the same "
        "content; parsing and building it again costs more than the page's queries")


def draft_key(request: MlaRequest) -> tuple[int, int, bytes]:
    """What a draft's derived values depend on: its id, revision and a digest of its text (a
    revision seen in a transaction that was rolled back may come again with other text)."""
    digest = hashlib.blake2b((request.draft_json or "").encode(), digest_size=16).digest()
    return (request.id, request.revision, digest)


def content_of(request: MlaRequest) -> Request:
    """The draft's content as saved (an empty request when there is none)."""
    if request.id is None:
        return _parse(request.draft_json)
    text = request.draft_json or ""
    # (the model holds about twice the bytes of its JSON: sized so, not walked)
    return _CONTENT.get_or_make(draft_key(request),  # type: ignore[no-any-return]
                                lambda: _parse(text), size=3 * len(text) + 1024)


def _parse(text: str | None) -> Request:
    return Request.from_dict(json.loads(text or "{}"))


def _save_statement(with_progress: bool) -> Update:
    columns = ["draft_json", "revision", "updated_by_id", "updated_at",
               *(["progress_json"] if with_progress else [])]
    return (update(MlaRequest)
            .where(MlaRequest.id == bindparam("request_id"),
                   MlaRequest.revision == bindparam("expected_revision"))
            .values({name: bindparam(f"new_{name}") for name in columns}))


#: The compare-and-set UPDATE of a save, without and with the progress, built once: a Core
#: statement with parameters (building the ORM UPDATE on each save, and running it through
#: the ORM's bulk update, cost more than the round trip).
_SAVES = {False: _save_statement(False), True: _save_statement(True)}


def save_draft(db: Session, user: User, request: MlaRequest, content: Request,
               expected_revision: int, *, ip: str = "", section: str = "",
               progress_json: str | None = None) -> int:
    """Store the working copy; returns the new revision. Atomic compare-and-set on revision.
    ``progress_json``: the sections' progress to store in the same UPDATE, when it changes."""
    if not request.editable:
        raise NotEditable(request.status)
    new_revision = expected_revision + 1
    indexed = document(request.reference or "", content_of(request))
    values: dict[str, Any] = {
        "draft_json": _dump(content.to_dict(omit_defaults=True)), "revision": new_revision,
        "updated_by_id": user.id, "updated_at": utcnow()}
    if progress_json is not None:
        values["progress_json"] = progress_json
    db.flush()  # (the statement goes through the session's connection, not its flush)
    result = db.connection().execute(
        _SAVES[progress_json is not None],
        {"request_id": request.id, "expected_revision": expected_revision,
         **{f"new_{key}": value for key, value in values.items()}})
    if result.rowcount != 1:
        db.rollback()
        current = db.get(MlaRequest, request.id)
        if current is None:
            raise NotFound(request.public_id)
        db.refresh(current)
        who = current.updated_by.name if current.updated_by else ""
        raise DraftConflict(current.revision, who)
    text = document(request.reference or "", content)
    if text != indexed:  # (most saves change no name, number or identifier)
        search.store_document(db, request.id, text)
    record(db, "request.saved", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id,
           details={"revision": new_revision, "section": section})
    # the object now holds what the UPDATE wrote (no SELECT to read it back)
    for key, value in values.items():
        set_committed_value(request, key, value)
    db.expire(request, ["updated_by"])
    return new_revision


def export_json(request: MlaRequest) -> str:
    """The draft as a document of the request contract (pretty, UTF-8)."""
    return json.dumps(content_of(request).to_dict(omit_defaults=True), ensure_ascii=False,
                      indent=2, sort_keys=False) + "\n"


def import_json(db: Session, user: User, text: str | bytes, *, locale: str = "en",
                ip: str = "") -> tuple[MlaRequest | None, list[ContractError]]:
    """A new draft from a contract document; the schema errors when it is not valid."""
    result = load_request_json(text, locale)
    if not result.ok or result.request is None:
        return None, list(result.errors)
    # The attachment list describes uploaded files: a file brings its own entry when it is
    # uploaded, so entries without files are not imported.
    content = replace(result.request, attachments=())
    request = create_draft(db, user, content, ip=ip)
    # the file answers its sections: their findings show at once (a new draft waits for saves)
    request.progress_json = json.dumps(started_sections(content))
    record(db, "request.imported", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id)
    return request, []


def record_export(db: Session, user: User, request: MlaRequest, *, ip: str = "",
                  what: str = "json") -> None:
    record(db, "request.exported", actor_id=user.id, actor=user.email, ip=ip,
           object_type="request", object_id=request.public_id, details={"as": what})


def _dump(body: Mapping[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
