"""What the package view shows of a request: its queue entry, versions and their findings in
the reader's language, the triage findings, the differences between versions, referrals,
attachments and the history with OIA's internal notes; each read built once, read together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from portal import cache
from portal.accounts.models import Authority, User
from portal.asks.models import DocumentAsk, kinds_of
from portal.attachments.models import Attachment, CheckState
from portal.config import Settings
from portal.db_reads import Read, one
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion, parse_version_label
from portal.requests.sections import anchor_of_path, section_of_path
from portal.rules import Finding, render_finding
from portal.rules.catalog import SEVERITY_RANK
from portal.rules.reading import Excerpt
from portal.triage import diff, duplicates, returns, versions
from portal.triage.models import Referral, TriageEntry, TriageNote


@dataclass(frozen=True)
class ShownFinding:
    key: str
    code: str
    severity: str
    path: str
    anchor: str
    section_title: Any
    title: str
    explanation: str
    fix: str
    citations: tuple[str, ...]
    acknowledgement: str = ""
    excerpt: Excerpt | None = None


#: A version's findings rendered in a language, by (version id, language): versions never
#: change, and each view of a package renders its findings from the rule catalog.
_FINDINGS = cache.named("triage.version_findings", max_bytes=8 * 1024 * 1024,
                        why="a version's findings rendered per language; versions never change")


def version_findings(version: versions.FrozenVersion, locale: str) -> list[ShownFinding]:
    """The findings recorded at the version's submission, rendered in ``locale``, blockers
    first (a list of the caller's own)."""
    return list(_FINDINGS.get_or_make((version.id, locale),
                                      lambda: tuple(_version_findings(version, locale))))


def _version_findings(version: versions.FrozenVersion, locale: str) -> list[ShownFinding]:
    shown = []
    for raw in versions.findings_of_version(version):
        code, severity, path = (str(raw.get("code", "")), str(raw.get("severity", "")),
                                str(raw.get("path", "")))
        rendered = render_finding(Finding(code, severity, path), locale)
        section = section_of_path(path)
        shown.append(ShownFinding(
            key=f"{code}@{path}", code=code, severity=severity, path=path,
            anchor=anchor_of_path(path), section_title=section.title if section else "",
            title=rendered["title"], explanation=rendered["explanation"], fix=rendered["fix"],
            citations=tuple(rendered["citations"]),
            acknowledgement=str(raw.get("acknowledgement", "") or ""),
            excerpt=Excerpt.from_dict(raw.get("excerpt"))))
    return sorted(shown, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.path))


def triage_finding(code: str, locale: str, path: str = "") -> ShownFinding:
    rendered = render_finding(Finding(code, "warning", path), locale)
    return ShownFinding(key=f"{code}@{path}", code=code, severity="warning", path=path,
                        anchor=anchor_of_path(path) if path else "", section_title="",
                        title=rendered["title"], explanation=rendered["explanation"],
                        fix=rendered["fix"], citations=tuple(rendered["citations"]))


@dataclass(frozen=True)
class TriageFindings:
    duplicates: list[duplicates.Duplicate]
    duplicate_finding: ShownFinding | None
    unchanged_finding: ShownFinding | None


def triage_findings(db: Session, request: MlaRequest, settings: Settings, locale: str,
                    unchanged: bool | None = None) -> TriageFindings:
    """``unchanged``: whether the latest version was resubmitted unchanged, when the caller
    knows (the queue entry keeps it from the version's intake); computed otherwise."""
    return triage_findings_of(db, request, duplicates.find(db, request.id, settings), locale,
                              unchanged)


def triage_findings_of(db: Session, request: MlaRequest, found: list[duplicates.Duplicate],
                       locale: str, unchanged: bool | None = None,
                       latest: versions.FrozenVersion | None = None) -> TriageFindings:
    """The same, from the duplicates already read (``duplicates.find_read``) and, when
    ``unchanged`` is not known, the latest version the caller has read."""
    if unchanged is None:
        if latest is None:  # the versions the page has already loaded (ordered by number)
            latest = request.versions[-1] if request.versions else None
        unchanged = latest is not None and returns.resubmitted_unchanged(db, request, latest)
    return TriageFindings(
        found, triage_finding("TRI-DUPLICATE", locale) if found else None,
        triage_finding("TRI-RESUBMIT-UNCHANGED", locale) if unchanged else None)


def version_diff(a: versions.FrozenVersion, b: versions.FrozenVersion) -> list[diff.Change]:
    """The fields that differ between two versions."""
    return diff.diff(versions.content_dict_of_version(a), versions.content_dict_of_version(b))


@dataclass(frozen=True)
class AddedDocument:
    filename: str
    document_kind: str
    pages: int | None
    size: int | None
    sha256: str
    #: The stored file's id (for its download), when OIA may open it.
    public_id: str


def documents_added(a: versions.FrozenVersion, b: versions.FrozenVersion,
                    files: list[Any]) -> list[AddedDocument]:
    """The documents ``b`` lists beyond those of ``a`` (each file counted once, by SHA-256),
    with the file behind each from ``files`` (``attachments_read``)."""
    before = [e.sha256 for e in versions.content_of_version(a).attachments]
    by_sha = {f.sha256: f.public_id for f in files}
    added = []
    for entry in versions.content_of_version(b).attachments:
        if entry.sha256 in before:
            before.remove(entry.sha256)
            continue
        added.append(AddedDocument(entry.filename, entry.document_kind, entry.pages, entry.size,
                                   entry.sha256, by_sha.get(entry.sha256, "")))
    return added


def version_numbered(all_versions: list[Any], number: str | int | None) -> Any:
    """The version of ``all_versions`` labelled ``number`` (``2``, ``1.1``), else the latest;
    None for none."""
    if not all_versions:
        return None
    wanted = parse_version_label(str(number or ""))
    if wanted is not None:
        for version in all_versions:
            if (version.number, version.minor) == wanted:
                return version
    return all_versions[-1]


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    kind: str
    actor: str
    from_status: str
    to_status: str
    note: str
    internal_note: str
    reason: str


#: The submitted versions of a request, oldest first, as rows (``versions.FrozenVersion``).
_VERSIONS = (select(RequestVersion.id, RequestVersion.number, RequestVersion.minor,
                    RequestVersion.content_json, RequestVersion.findings_json,
                    RequestVersion.submitted_at)
             .where(RequestVersion.request_id == bindparam("request_id"))
             .order_by(RequestVersion.number, RequestVersion.minor))


def versions_read(request_id: int) -> Read[list[Any]]:
    return one(_VERSIONS, {"request_id": request_id}, list)


#: An event has at most one internal note (the note's key is the event's): one query, built
#: once (a statement keeps its cache key), of plain columns.
_HISTORY = (select(RequestEvent.at, RequestEvent.kind, User.name.label("actor_name"),
                   RequestEvent.from_status, RequestEvent.to_status, RequestEvent.note,
                   TriageNote.note.label("internal_note"), TriageNote.reason)
            .outerjoin(User, User.id == RequestEvent.actor_id)
            .outerjoin(TriageNote, TriageNote.event_id == RequestEvent.id)
            .where(RequestEvent.request_id == bindparam("request_id"))
            .order_by(RequestEvent.at, RequestEvent.id))


def history_read(request_id: int) -> Read[list[HistoryItem]]:
    def make(rows: list[Any]) -> list[HistoryItem]:
        return [HistoryItem(row.at, row.kind, row.actor_name or "", row.from_status,
                            row.to_status, row.note, row.internal_note or "", row.reason or "")
                for row in rows]

    return one(_HISTORY, {"request_id": request_id}, make)


def _first(rows: list[Any]) -> Any:
    return rows[0] if rows else None


#: The request's queue entry with its assignee's name (None before its first submission).
_ENTRY = (select(TriageEntry.status, TriageEntry.country, TriageEntry.submitted_at,
                 TriageEntry.urgency_date, TriageEntry.referral_district,
                 TriageEntry.referral_due, TriageEntry.resubmit_unchanged,
                 TriageEntry.is_open, TriageEntry.target_started_at, TriageEntry.action_due,
                 TriageEntry.acted_at, TriageEntry.decision_due, TriageEntry.decided_at,
                 User.name.label("assignee_name"))
          .outerjoin(User, User.id == TriageEntry.assignee_id)
          .where(TriageEntry.request_id == bindparam("request_id")))
_AUTHORITY = (select(Authority.name, Authority.country)
              .where(Authority.id == bindparam("authority_id")))
_REFERRALS = (select(Referral.district, Referral.referred_at, Referral.due_date,
                     Referral.closed_at)
              .where(Referral.request_id == bindparam("request_id"))
              .order_by(Referral.referred_at, Referral.id))
#: Every document attached to any version, removed ones included (not those being checked or
#: refused, nor those of an ask for documents not answered yet: they are part of no version).
_ATTACHMENTS = (select(Attachment.public_id, Attachment.filename, Attachment.document_kind,
                       Attachment.pages, Attachment.size, Attachment.sha256,
                       Attachment.removed_at)
                .where(Attachment.request_id == bindparam("request_id"),
                       Attachment.check_state == CheckState.ACCEPTED.value,
                       or_(Attachment.ask_id.is_(None),
                           Attachment.ask_id.in_(select(DocumentAsk.id).where(
                               DocumentAsk.request_id == bindparam("request_id"),
                               DocumentAsk.answered_at.is_not(None)))))
                .order_by(Attachment.uploaded_at, Attachment.id))


@dataclass(frozen=True)
class OpenAsk:
    """OIA's ask for documents not answered yet, as the package view shows it."""

    asked_at: datetime
    kinds: list[str]


_OPEN_ASK = (select(DocumentAsk.asked_at, DocumentAsk.kinds_json)
             .where(DocumentAsk.request_id == bindparam("request_id"),
                    DocumentAsk.answered_at.is_(None))
             .order_by(DocumentAsk.id.desc()).limit(1))


def _open_ask(rows: list[Any]) -> OpenAsk | None:
    return OpenAsk(rows[0].asked_at, kinds_of(rows[0].kinds_json)) if rows else None


def open_ask_read(request_id: int) -> Read[OpenAsk | None]:
    return one(_OPEN_ASK, {"request_id": request_id}, _open_ask)


def entry_read(request_id: int) -> Read[Any]:
    return one(_ENTRY, {"request_id": request_id}, _first)


def authority_read(authority_id: int) -> Read[Any]:
    return one(_AUTHORITY, {"authority_id": authority_id}, _first)


def referrals_read(request_id: int) -> Read[list[Any]]:
    return one(_REFERRALS, {"request_id": request_id}, list)


def attachments_read(request_id: int) -> Read[list[Any]]:
    return one(_ATTACHMENTS, {"request_id": request_id}, list)

