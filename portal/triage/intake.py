"""The queue entry of a request: made by :func:`on_submitted` (the "submitted" event, see
portal.wiring), kept in step by :func:`sync_status` at each action or change of status, and
recreated by :func:`rebuild` when missing."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.orm import Session, object_session

from portal.config import Settings
from portal.contract import model as m
from portal.db import utcnow
from portal.requests import normalize, search
from portal.requests.models import MlaRequest, RequestVersion, Status
from portal.triage import (
    daily_counts,  # noqa: F401 - keeps the dashboard's daily counts
    duplicates,
    returns,
    targets,
    weights,
)
from portal.triage.models import NO_URGENCY, TriageEntry, TriageKey
from portal.triage.versions import content_of_version, findings_of_version

CLOSED = frozenset({Status.COMPLETED.value, Status.DECLINED.value, Status.WITHDRAWN.value})
#: Statuses that are in the queue (submitted and not closed).
OPEN = frozenset(s.value for s in Status) - CLOSED - {Status.DRAFT.value}


@dataclass(frozen=True)
class KeySpec:
    kind: str
    value: str
    path: str
    used_at: datetime | None = None


def keys_of(content: m.Request) -> list[KeySpec]:
    """The normalized identifiers, accounts and person names of a request."""
    found: dict[tuple[str, str, str], KeySpec] = {}

    def add(kind: str, value: str, path: str, used_at: datetime | None = None) -> None:
        if value:
            found.setdefault((kind, value, str(used_at)), KeySpec(kind, value, path, used_at))

    def add_person(name: str, path: str) -> None:
        add("person", normalize.person(name), path)
        for part in normalize.name_parts(name):
            add("name_part", part, path)

    for i, person in enumerate(content.persons):
        add_person(person.name, f"persons[{i}]")
    for i, item in enumerate(content.assistance):
        allowed = m.item_fields(item.type)
        if "identifiers" in allowed:
            for j, ident in enumerate(item.identifiers):
                kind = ident.kind or "other"
                used = normalize.moment(ident.datetime) if kind == "ip" else None
                add(kind, normalize.identifier(kind, ident.value),
                    f"assistance[{i}].identifiers[{j}]", used)
        if "accounts" in allowed:
            for j, acct in enumerate(item.accounts):
                add("account", normalize.account(acct.number), f"assistance[{i}].accounts[{j}]")
                if acct.holder.strip():
                    add_person(acct.holder, f"assistance[{i}].accounts[{j}].holder")
        if "witness_name" in allowed and item.witness_name.strip():
            add_person(item.witness_name, f"assistance[{i}].witness_name")
    return list(found.values())


def urgency_date(content: m.Request) -> date | None:
    """The date by which an urgent request is needed (None when not urgent)."""
    if not content.urgency.urgent or not content.urgency.date:
        return None
    try:
        return date.fromisoformat(content.urgency.date)
    except ValueError:
        return None


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else Settings()


def latest_version(db: Session, request: MlaRequest) -> RequestVersion | None:
    return db.scalar(select(RequestVersion).where(RequestVersion.request_id == request.id)
                     .order_by(RequestVersion.number.desc(), RequestVersion.minor.desc())
                     .limit(1))


def fill_entry(entry: TriageEntry, request: MlaRequest, version: RequestVersion,
               content: m.Request, weight_map: dict[str, float]) -> None:
    """Copy into ``entry`` what the queue needs from the request and its latest version."""
    findings = findings_of_version(version)
    types = [item.type for item in content.assistance]
    urgency = urgency_date(content)
    entry.reference = request.reference or content.reference or ""
    entry.authority_id = request.authority_id
    # provenance: the country of the submitting account's authority, never the typed one
    session = object_session(request)
    with session.no_autoflush if session is not None else nullcontext():
        authority = request.authority  # (the new entry is not complete yet: no flush)
    entry.country = (authority.country if authority else "")[:2].upper()
    entry.types = "," + ",".join(sorted(set(types))) + "," if types else ""
    entry.urgent = content.urgency.urgent
    entry.urgency_date = urgency
    entry.urgency_key = urgency or NO_URGENCY
    entry.version = version.number
    entry.last_submitted_at = version.submitted_at
    entry.weight = weights.request_weight(types, weight_map)
    entry.blockers = sum(1 for f in findings if f.get("severity") == "blocker")
    entry.warnings = sum(1 for f in findings if f.get("severity") == "warning")
    entry.acknowledged = sum(1 for f in findings if f.get("severity") == "warning"
                             and str(f.get("acknowledgement", "")).strip())


def store_keys(db: Session, request_id: int, content: m.Request, reference: str) -> None:
    """The request's duplicate keys, and its search document (already stored by a submission
    through the portal: then unchanged, not written again)."""
    search.store(db, request_id, reference, content)
    db.execute(delete(TriageKey).where(TriageKey.request_id == request_id))
    rows = [{"request_id": request_id, "kind": k.kind, "value": k.value, "path": k.path[:120],
             "used_at": k.used_at} for k in keys_of(content)]
    if rows:
        db.execute(insert(TriageKey), rows)


def on_submitted(db: Session, request: MlaRequest, version: RequestVersion | None = None, *,
                 settings: Settings | None = None) -> TriageEntry | None:
    """Put a just-submitted (or resubmitted) request into the queue, in the caller's
    transaction: its entry, keys, duplicate flags and TRI-RESUBMIT-UNCHANGED (None for a
    training request, which never enters the queue)."""
    if request.training:
        return None
    config = _settings(settings)
    version = version or latest_version(db, request)
    if version is None:
        return None
    content = content_of_version(version)
    entry = db.get(TriageEntry, request.id)
    if entry is None:
        entry = TriageEntry(request_id=request.id, submitted_at=version.submitted_at)
        db.add(entry)
    fill_entry(entry, request, version, content, weights.of_settings(config))
    entry.status = Status.SUBMITTED.value
    entry.is_open = True
    entry.closed_at = None
    targets.restart(entry, version.submitted_at, config.targets)
    db.flush()
    store_keys(db, request.id, content, entry.reference)
    entry.resubmit_unchanged = returns.resubmitted_unchanged(db, request, version)
    duplicates.refresh_around(db, request.id, config)
    return entry


def sync_status(db: Session, request: MlaRequest, *, settings: Settings | None = None,
                at: datetime | None = None) -> None:
    """Copy the request's status into its entry (after an action or a withdrawal); a request
    that closes or reopens changes the duplicate flags of the requests it shares keys with."""
    entry = db.get(TriageEntry, request.id)
    if entry is None:
        rebuild(db, [request.id], settings=settings)
        entry = db.get(TriageEntry, request.id)
        if entry is None:
            return
    was_open = entry.is_open
    entry.status = request.status
    entry.is_open = request.status in OPEN
    if was_open and not entry.is_open:
        entry.closed_at = at or utcnow()
    elif entry.is_open:
        entry.closed_at = None
    targets.refresh_due(entry)
    db.flush()
    if was_open != entry.is_open:
        duplicates.refresh_around(db, request.id, _settings(settings))


def missing_ids(db: Session, limit: int = 1000) -> list[int]:
    query = (select(MlaRequest.id)
             .where(MlaRequest.status != Status.DRAFT.value, MlaRequest.training.is_(False),
                    ~exists().where(TriageEntry.request_id == MlaRequest.id))
             .limit(limit))
    return list(db.scalars(query))


def rebuild(db: Session, request_ids: list[int] | None = None, *,
            settings: Settings | None = None) -> int:
    """Create the missing entries (of ``request_ids``, or of every submitted request); entries
    that exist are refreshed from the latest version, keeping assignee and referral."""
    config = _settings(settings)
    weight_map = weights.of_settings(config)
    ids = request_ids if request_ids is not None else missing_ids(db, limit=10_000_000)
    count = 0
    for request_id in ids:
        request = db.get(MlaRequest, request_id)
        if request is None or request.training or request.status == Status.DRAFT.value:
            continue
        version = latest_version(db, request)
        if version is None:
            continue
        content = content_of_version(version)
        entry = db.get(TriageEntry, request.id)
        if entry is None:
            first = db.scalar(select(RequestVersion.submitted_at)
                              .where(RequestVersion.request_id == request.id)
                              .order_by(RequestVersion.number, RequestVersion.minor).limit(1))
            entry = TriageEntry(request_id=request.id, submitted_at=first or version.submitted_at)
            db.add(entry)
        fill_entry(entry, request, version, content, weight_map)
        entry.status = request.status
        entry.is_open = request.status in OPEN
        if not entry.is_open and entry.closed_at is None:
            entry.closed_at = request.updated_at
        targets.fill(db, entry, config.targets)
        db.flush()
        store_keys(db, request.id, content, entry.reference)
        # as at intake (on_submitted): the queue and the package view read it from the entry
        entry.resubmit_unchanged = returns.resubmitted_unchanged(db, request, version)
        count += 1
    if count:
        for request_id in ids:
            duplicates.refresh_around(db, request_id, config)
    return count


def rebuild_missing(db: Session, *, settings: Settings | None = None, limit: int = 1000) -> int:
    """Entries for submitted requests that have none (cheap when there are none)."""
    ids = missing_ids(db, limit)
    return rebuild(db, ids, settings=settings) if ids else 0
