"""The deletion of whole requests and of package bags, shared by every purge (the retention
schedule and the practice sandbox's).

A request is deleted with every row that depends on it, found by walking the foreign keys of
the schema (versions, attachments, packages and their hand-offs, the queue entry, search keys,
returns, referrals, messages, the timeline; and the pending form inputs kept by path), never
with the audit log, which is append-only. The files (encrypted attachments, package bags in
this machine's folder and in the shared storage) are deleted only after the caller committed:
a crash in between leaves orphan files, never rows pointing at missing files."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import Session

from portal import models as _all_models  # noqa: F401 - every table in Base.metadata
from portal.accounts.pending_input import PendingInput
from portal.attachments.models import Attachment
from portal.attachments.store import attachment_store
from portal.config import Settings
from portal.db import Base
from portal.packages import shared
from portal.packages.models import Package
from portal.requests.models import MlaRequest
from portal.storage.base import StoreError
from portal.triage import daily_counts

log = logging.getLogger(__name__)

#: Every table whose rows hang on a request (directly or through another such table), and the
#: files its rows name. A table added with a foreign key into these must be added here (a test
#: compares this with the schema), after checking that its files, if any, are deleted too.
DEPENDENT_TABLES: dict[str, str] = {
    "attachments": "encrypted attachment files (deleted after the commit)",
    "document_asks": "(their files are attachments of the request)",
    "packages": "package bags, local and shared (deleted after the commit)",
    "package_handoffs": "",
    "package_handoff_attempts": "",
    "request_versions": "",
    "request_events": "",
    "request_messages": "",
    "request_search": "(on SQLite its FTS5 copy follows by trigger: migration 0026)",
    "triage_entries": "",
    "triage_keys": "",
    "triage_notes": "",
    "triage_referrals": "",
    "triage_return_items": "",
    "triage_returns": "",
    "webhook_deliveries": "(the events told to the authority's endpoints; no file)",
    "webhook_attempts": "",
}


@dataclass
class Leftovers:
    """What to delete once the rows are gone and committed: attachment files and bags."""

    storage_names: list[str] = field(default_factory=list)
    bag_names: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    files: int = 0
    bags: int = 0
    errors: list[str] = field(default_factory=list)


def requests_table() -> Table:
    table = MlaRequest.__table__
    assert isinstance(table, Table)
    return table


def children(table: Table) -> Iterator[tuple[Table, ColumnElement[object], object]]:
    """(child table, its foreign-key column, the referenced column) for every table that
    references ``table``."""
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table and fk.parent.table is child and child is not table:
                yield child, fk.parent, fk.column


def dependent_tables(table: Table | None = None) -> set[str]:
    """The names of every table below ``table`` (the requests) through foreign keys."""
    found: set[str] = set()
    for child, _column, _referenced in children(table if table is not None
                                                else requests_table()):
        found |= {child.name, *dependent_tables(child)}
    return found


def _delete_tree(db: Session, table: Table, where: ColumnElement[bool], depth: int = 0) -> None:
    """Delete the rows of ``table`` matching ``where`` and, first, every row referring to them
    (recursively, through the foreign keys)."""
    if depth > 8:  # pragma: no cover - the schema has no such chain
        raise RuntimeError(f"foreign keys nested too deeply under {table.name}")
    for child, column, referenced in children(table):
        keys = select(referenced).where(where)  # type: ignore[call-overload]
        _delete_tree(db, child, column.in_(keys), depth + 1)
    db.execute(delete(table).where(where))


def delete_requests(db: Session, requests: Iterable[MlaRequest]) -> Leftovers:
    """Delete the requests and everything that belongs to them (not committed; the audit
    records are the caller's). Returns the files to delete after the commit."""
    chosen = list(requests)
    if any(r.held for r in chosen):
        raise ValueError("a request under a legal hold is never deleted")
    ids = [r.id for r in chosen]
    if not ids:
        return Leftovers()
    leftovers = Leftovers(
        storage_names=list(db.scalars(select(Attachment.storage_name)
                                      .where(Attachment.request_id.in_(ids)))),
        bag_names=[p.bag_name for p in db.scalars(select(Package)
                                                  .where(Package.request_id.in_(ids)))])
    for request in chosen:
        db.execute(delete(PendingInput).where(
            PendingInput.path.startswith(f"/requests/{request.public_id}/", autoescape=True)))
    daily_counts.forget(db, ids)  # (the rows go in bulk, past the flush that keeps them)
    table = requests_table()
    _delete_tree(db, table, table.c.id.in_(ids))
    return leftovers


def delete_files(settings: Settings, leftovers: Leftovers) -> FileReport:
    """Delete the files once their rows are committed away; a failure is reported (the rows
    are gone: the file is an orphan, never a dangling reference)."""
    report = FileReport()
    if leftovers.storage_names:
        store = attachment_store(settings)
        for name in leftovers.storage_names:
            try:
                report.files += 1 if store.delete(name) else 0
            except (OSError, StoreError) as exc:
                report.errors.append(f"attachment file {name}: {exc}")
    for name in leftovers.bag_names:
        try:
            report.bags += 1 if delete_bag(settings, name) else 0
        except (OSError, StoreError) as exc:
            report.errors.append(f"package {name}: {exc}")
    for error in report.errors:
        log.warning("retention: %s", error)
    return report


def delete_bag(settings: Settings, name: str) -> bool:
    """Delete a bag from this machine's package folder and from the shared storage; whether
    there was any copy."""
    found = False
    path = settings.packages_path / name
    if path.is_dir():
        shutil.rmtree(path)
        found = True
    return shared.discard(settings, name) or found
