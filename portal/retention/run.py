"""``portal retention run`` and its daily job: carry out (or, dry, only report) the plan of
portal.retention.plan. Each purge writes one audit record ``retention.purged`` (kind, the
request's public id, the version of a package, the days) in the transaction that deletes the
rows; the files go after the commit. Nothing of a request's content reaches the report."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.log import record
from portal.config import Settings
from portal.db import utcnow
from portal.jobs import schedule
from portal.jobs.queue import JobContext, handler
from portal.packages.models import Package, PackageState
from portal.packages.targets import drop_copies
from portal.requests.models import MlaRequest
from portal.retention import removal
from portal.retention.hold import not_held
from portal.retention.plan import REQUEST_KINDS, Item, Kind, days_of, make_plan
from portal.storage.base import StoreError

log = logging.getLogger(__name__)

#: Requests deleted per transaction (each commit then deletes their files).
BATCH = 100


@dataclass
class KindReport:
    days: int
    #: What was purged (or would be, in a dry run): public ids, "<public id> v<version>".
    purged: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)


@dataclass
class RetentionReport:
    dry_run: bool
    kinds: dict[str, KindReport] = field(default_factory=dict)
    files: int = 0
    bags: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"dry_run": self.dry_run, "files_deleted": self.files,
                "bags_deleted": self.bags, "errors": self.errors,
                "kinds": {name: {"days": k.days, "count": len(k.purged), "purged": k.purged,
                                 "held": k.held} for name, k in self.kinds.items()}}


def run(db: Session, settings: Settings, *, dry_run: bool = False, now: datetime | None = None,
        actor: User | None = None) -> RetentionReport:
    """Purge what is due (commits), or with ``dry_run`` only say what would be purged."""
    plan = make_plan(db, settings, now or utcnow())
    report = RetentionReport(dry_run=dry_run)
    for kind in Kind:
        report.kinds[kind.value] = KindReport(days_of(settings, kind),
                                              held=plan.held.get(kind, []))
    db.rollback()  # (the plan's reads end their transaction)
    if dry_run:
        for kind, items in plan.due.items():
            report.kinds[kind.value].purged = [item.label for item in items]
        return report
    for kind in REQUEST_KINDS:
        for batch in _batches(plan.due[kind]):
            _purge_requests(db, settings, kind, batch, actor, report)
    for kind in (Kind.PACKAGE, Kind.DROP):
        for item in plan.due[kind]:
            _purge_package(db, settings, kind, item, actor, report)
    for error in report.errors:
        log.warning("retention: %s", error)
    return report


def _batches(items: list[Item]) -> Iterator[list[Item]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _purge_requests(db: Session, settings: Settings, kind: Kind, items: list[Item],
                    actor: User | None, report: RetentionReport) -> None:
    """Delete a batch of requests (those put under a hold since the plan stay)."""
    days = days_of(settings, kind)
    chosen = list(db.scalars(select(MlaRequest).where(
        MlaRequest.id.in_([item.request_id for item in items]), not_held())
        .order_by(MlaRequest.id).with_for_update()))
    for request in chosen:
        _audit(db, actor, request.public_id, {"kind": kind.value, "days": days})
        report.kinds[kind.value].purged.append(request.public_id)
    leftovers = removal.delete_requests(db, chosen)
    db.commit()
    files = removal.delete_files(settings, leftovers)
    drops = 0
    if days_of(settings, Kind.DROP) > 0:  # their drop-folder copies are the portal's too
        for name in leftovers.bag_names:
            drops += _delete_drop_copy(settings, name, report)
    report.files += files.files
    report.bags += files.bags + drops
    report.errors.extend(files.errors)


def _purge_package(db: Session, settings: Settings, kind: Kind, item: Item,
                   actor: User | None, report: RetentionReport) -> None:
    """Delete a package's bag (local and shared) or its drop-folder copy, unless its request
    was put under a hold since the plan."""
    request = db.scalar(select(MlaRequest).where(MlaRequest.id == item.request_id, not_held())
                        .with_for_update())
    if request is None:
        db.rollback()
        return
    if kind is Kind.PACKAGE:
        changed = db.execute(update(Package).where(
            Package.id == item.package_id, Package.state == PackageState.BUILT.value)
            .values(state=PackageState.PURGED.value)
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            return
    _audit(db, actor, item.request_public_id,
           {"kind": kind.value, "days": days_of(settings, kind), "version": item.version})
    db.commit()
    report.kinds[kind.value].purged.append(item.label)
    if kind is Kind.DROP:
        report.bags += _delete_drop_copy(settings, item.bag_name, report)
        return
    try:
        report.bags += 1 if removal.delete_bag(settings, item.bag_name) else 0
    except (OSError, StoreError) as exc:
        report.errors.append(f"package {item.bag_name}: {exc}")


def _audit(db: Session, actor: User | None, public_id: str, details: dict[str, object]
           ) -> None:
    record(db, "retention.purged", actor_id=actor.id if actor else None,
           actor=actor.email if actor else "retention", object_type="request",
           object_id=public_id, details=details)


def _delete_drop_copy(settings: Settings, bag_name: str, report: RetentionReport) -> int:
    """Remove the marker first (a reader takes only marked copies), then the copy."""
    copies = drop_copies(settings)
    try:
        if not copies.present(bag_name):
            return 0
        copies.remove(bag_name)
    except OSError as exc:  # (the storage's failures are OSErrors too)
        report.errors.append(f"drop copy {bag_name}: {exc}")
        return 0
    return 1


RUN = "retention.run"


@handler(RUN)
def _run(context: JobContext, _payload: dict[str, object]) -> None:
    with Session(context.engine, expire_on_commit=False) as db:
        report = run(db, context.settings)  # (commits)
    if report.errors:  # the rows are gone; leftovers are logged and counted, not retried
        log.warning("retention run: %d file(s) left over", len(report.errors))


schedule.every(RUN, 86_400)
