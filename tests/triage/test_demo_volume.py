"""``generate(db, n, seed)``: realistic requests in bulk that the queue and dashboard read."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, text

from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain
from portal.contract.model import Request
from portal.requests import search, search_text
from portal.requests.models import MlaRequest, RequestEvent, RequestSearch, RequestVersion
from portal.triage import dashboard, demo_volume, intake, queue, targets, versions
from portal.triage.bulk_rows import check_columns
from portal.triage.models import TriageEntry, TriageKey, TriageReturn, TriageReturnItem
from tests.conftest import Account
from tests.triage.conftest import session, user


def test_generate_volume(app: Flask, staff: Account) -> None:
    with session(app) as db:
        assert demo_volume.generate(db, 300, seed=7) == 300
    with session(app) as db:
        assert db.scalar(select(func.count()).select_from(MlaRequest)) == 300
        assert db.scalar(select(func.count()).select_from(RequestVersion)) == 300
        assert db.scalar(select(func.count()).select_from(TriageEntry)) == 300
        statuses = set(db.scalars(select(TriageEntry.status)))
        assert {"completed", "assigned", "submitted"} <= statuses
        assert len(set(db.scalars(select(TriageEntry.country)))) > 5
        first = queue.page(db, user(db, staff), queue.Filters())
        assert len(first.rows) == queue.PAGE_SIZE and first.next_cursor
        today = date.today()
        figures = dashboard.compute(db, today - timedelta(days=365 * 3), today, today=today)
        assert sum(n for _a, n in figures.ages) == db.scalar(
            select(func.count()).where(TriageEntry.is_open.is_(True)))
        # every entry's service targets are those its timeline gives
        for entry in db.scalars(select(TriageEntry).order_by(TriageEntry.request_id)):
            clock = targets.from_events(db, entry.request_id, demo_volume.TARGETS)
            assert clock is not None and targets.clock_of(entry) == clock
            assert entry.target_due == clock.pending_due(entry.status, entry.is_open)
        assert db.scalar(select(func.count()).where(TriageEntry.target_due.is_not(None))) \
            < db.scalar(select(func.count()).where(TriageEntry.is_open.is_(True)))
        # a second run continues the numbering
        demo_volume.generate(db, 10, seed=8)
        assert db.scalar(select(func.count(func.distinct(MlaRequest.reference)))) == 310


def test_rows_are_consistent_and_the_audit_chain_holds(app: Flask, staff: Account) -> None:
    with session(app) as db:
        demo_volume.generate(db, 2 * demo_volume.BATCH + 7, seed=3)  # several batches
    with session(app) as db:
        n = 2 * demo_volume.BATCH + 7
        assert db.scalar(select(func.count()).select_from(MlaRequest)) == n
        assert db.scalar(select(func.count(func.distinct(RequestEvent.request_id)))) == n
        assert db.scalar(select(func.count()).select_from(TriageReturnItem)
                         .join(TriageReturn)) > 0
        # every return item belongs to a return of the same request's timeline
        assert db.scalar(select(func.count()).select_from(TriageReturnItem).where(
            TriageReturnItem.return_id.notin_(select(TriageReturn.id)))) == 0
        # the stored keys are those the intake derives from the stored version, and the
        # version is the draft with its reference
        for request in db.scalars(select(MlaRequest).order_by(MlaRequest.id).limit(40)):
            version = db.scalar(select(RequestVersion)
                                .where(RequestVersion.request_id == request.id))
            assert version is not None and version.content_json == request.draft_json
            content = versions.content_of_version(version)
            assert content.reference == request.reference
            assert json.loads(version.content_json) == content.to_dict(omit_defaults=True)
            stored = {(k.kind, k.value, k.path, k.used_at) for k in db.scalars(
                select(TriageKey).where(TriageKey.request_id == request.id))}
            assert stored == {(k.kind, k.value, k.path[:120], k.used_at)
                              for k in intake.keys_of(content)}
            # and the search document is the one the portal stores
            indexed = db.get(RequestSearch, request.id)
            assert indexed is not None
            assert indexed.document == search_text.document(request.reference or "", content)
        # one audit record for the whole run, and the chain still verifies
        actions = list(db.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.action == "demo.volume_generated")))
        assert actions == ["demo.volume_generated"]
        assert verify_chain(db) == []
    with session(app) as db:  # ids handed out afterwards do not collide with the volume's
        demo_volume.generate(db, 5, seed=4)
        assert verify_chain(db) == []


def _rows(seed: int) -> list[list[dict[str, object]]]:
    state = demo_volume._State(
        rng=random.Random(seed), now=datetime(2026, 1, 15, 12, tzinfo=UTC),
        authorities=[(1, "ES", 10), (2, "FR", 11), (3, "JP", 12)], attorneys=[20, 21, 22],
        weight_map={"stored_content": 2.0}, shared=["shared0@mail.example"], counters={},
        request_id=1, return_id=1)
    batch: list[list[dict[str, object]]] = [[] for _ in demo_volume.MODELS]
    for _ in range(200):
        demo_volume._one(state, batch)
    return batch


def test_same_seed_same_rows() -> None:
    first, again, other = _rows(11), _rows(11), _rows(12)
    assert first == again
    assert first != other
    # each row names every column that has a Python default (COPY does not apply them)
    for model, rows in zip(demo_volume.MODELS, first, strict=True):
        for row in rows[:1]:
            check_columns(model.__table__, row)
    # the content written is already in its canonical form
    for row in first[0][:20]:
        body = json.loads(str(row["draft_json"]))
        assert Request.from_dict(body).to_dict(omit_defaults=True) == body


def test_the_volume_is_found_by_the_authoritys_case_number(app: Flask, staff: Account) -> None:
    """(PostgreSQL: the trigram index dropped for the load and built again after it.)"""
    with session(app) as db:
        demo_volume.generate(db, 60, seed=5, rebuild_index_from=0)
    with session(app) as db:
        if db.get_bind().dialect.name == "postgresql":
            assert db.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"),
                             {"name": search.TRIGRAM_INDEX}) == 1
        request = db.scalars(select(MlaRequest).order_by(MlaRequest.id.desc())).first()
        assert request is not None
        content = versions.content_of_version(request.versions[-1])
        case = content.requesting_authority.case_references[0]
        found = db.scalars(search.matching_ids(search_text.terms(case))).all()
        assert request.id in found and len(found) < 60
