"""What the retention schedule would purge now, kind by kind: the same plan serves the dry run
(reported) and the real run (carried out), so that both name the same things.

The kinds and what starts their clock (docs/DEPLOYMENT.md, "Retention"):

* ``draft``: a real request never submitted (status draft, no version), from its last change
  (the draft's own or an upload);
* ``withdrawn``: a request its authority withdrew, from the withdrawal;
* ``closed``: a request OIA completed or declined, from the closing (a request reopened and
  closed again counts from the last closing; a referred one is still open at the USAO);
* ``package``: the bag of a package already handed over, once a later version superseded it
  or once its request was closed or withdrawn; the row and its hand-off history stay;
* ``drop``: the copy of a package handed over to the drop folder, from the hand-off.

A request under a legal hold is left out of every kind and listed as held. Practice requests
are the sandbox's (portal.training.sandbox); the audit log is never purged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from portal.attachments.models import Attachment
from portal.config import Settings
from portal.packages.models import Handoff, HandoffState, Package, PackageState, bag_name
from portal.packages.targets import drop_copies
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion, Status

CLOSED = (Status.COMPLETED.value, Status.DECLINED.value)
ENDED = (*CLOSED, Status.WITHDRAWN.value)


class Kind(StrEnum):
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    PACKAGE = "package"
    DROP = "drop"


REQUEST_KINDS = (Kind.DRAFT, Kind.WITHDRAWN, Kind.CLOSED)
PACKAGE_KINDS = (Kind.PACKAGE, Kind.DROP)


def days_of(settings: Settings, kind: Kind) -> int:
    return int(getattr(settings.retention, f"{kind.value}_days"))


@dataclass(frozen=True)
class Item:
    """One thing to purge: a request (``package_id`` 0) or a package's bag or drop copy."""

    request_id: int
    request_public_id: str
    package_id: int = 0
    version: int = 0
    bag_name: str = ""

    @property
    def label(self) -> str:
        """What reports name: the request's public id (and the version of a package)."""
        return f"{self.request_public_id} v{self.version}" if self.package_id \
            else self.request_public_id


@dataclass
class Plan:
    due: dict[Kind, list[Item]] = field(default_factory=dict)
    #: Requests a kind would have purged but for their legal hold (public ids).
    held: dict[Kind, list[str]] = field(default_factory=dict)


def _ended_at() -> ColumnElement[datetime]:
    """When the request reached its present status: its last event into it (else its last
    change)."""
    last = (select(func.max(RequestEvent.at))
            .where(RequestEvent.request_id == MlaRequest.id,
                   RequestEvent.to_status == MlaRequest.status)
            .correlate(MlaRequest).scalar_subquery())
    return func.coalesce(last, MlaRequest.updated_at)


def _request_where(kind: Kind, cutoff: datetime) -> ColumnElement[bool]:
    real = MlaRequest.training.is_(False)
    if kind is Kind.DRAFT:
        uploaded = exists().where(Attachment.request_id == MlaRequest.id,
                                  Attachment.uploaded_at >= cutoff)
        return and_(real, MlaRequest.status == Status.DRAFT.value,
                    MlaRequest.submitted_at.is_(None), MlaRequest.updated_at < cutoff,
                    ~uploaded)
    statuses = (Status.WITHDRAWN.value,) if kind is Kind.WITHDRAWN else CLOSED
    return and_(real, MlaRequest.status.in_(statuses), _ended_at() < cutoff)


def _package_where(kind: Kind, cutoff: datetime) -> ColumnElement[bool]:
    sent = and_(Handoff.state == HandoffState.SENT.value, Package.training.is_(False))
    if kind is Kind.DROP:
        return and_(sent, Handoff.sent_at < cutoff)
    superseded = exists().where(RequestVersion.request_id == Package.request_id,
                                or_(RequestVersion.number > Package.version,
                                    and_(RequestVersion.number == Package.version,
                                         RequestVersion.minor > Package.minor)),
                                RequestVersion.submitted_at < cutoff)
    ended = and_(MlaRequest.status.in_(ENDED), _ended_at() < cutoff)
    return and_(sent, Package.state == PackageState.BUILT.value, or_(superseded, ended))


def _requests(kind: Kind, cutoff: datetime) -> Select[int, str, bool]:
    return (select(MlaRequest.id, MlaRequest.public_id, MlaRequest.held_at.is_not(None))
            .where(_request_where(kind, cutoff)).order_by(MlaRequest.id))


def _packages(kind: Kind, cutoff: datetime
              ) -> Select[int, str, bool, int, int, str, str, int]:
    return (select(MlaRequest.id, MlaRequest.public_id, MlaRequest.held_at.is_not(None),
                   Package.id, Package.version, Package.reference, Package.public_id,
                   Package.minor)
            .join(Package, Package.request_id == MlaRequest.id)
            .join(Handoff, Handoff.package_id == Package.id)
            .where(_package_where(kind, cutoff)).order_by(Package.id))


def make_plan(db: Session, settings: Settings, now: datetime) -> Plan:
    """Everything due now, by kind (a kind whose days are 0 keeps everything)."""
    plan = Plan()
    taken: set[int] = set()  # requests purged whole: their packages go with them
    copies = drop_copies(settings)
    for kind in (*REQUEST_KINDS, *PACKAGE_KINDS):
        days = days_of(settings, kind)
        plan.due[kind], plan.held[kind] = [], []
        if days <= 0:
            continue
        cutoff = now - timedelta(days=days)
        if kind in REQUEST_KINDS:
            for request_id, public_id, held in db.execute(_requests(kind, cutoff)):
                if held:
                    plan.held[kind].append(public_id)
                else:
                    plan.due[kind].append(Item(request_id, public_id))
                    taken.add(request_id)
            continue
        for request_id, public_id, held, package_id, version, reference, _package, minor in \
                db.execute(_packages(kind, cutoff)):
            if request_id in taken:
                continue
            item = Item(request_id, public_id, package_id, version,
                        bag_name(reference, version, minor))
            if kind is Kind.DROP and not copies.present(item.bag_name):
                continue  # handed over elsewhere (HTTP), or already purged
            if held:
                plan.held[kind].append(item.label)
            else:
                plan.due[kind].append(item)
    return plan
