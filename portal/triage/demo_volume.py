"""``portal demo --volume N``: N realistic submitted requests over several years, countries,
types and states, written in batches in the caller's transaction (:mod:`.bulk_rows`), so that
the queue and the dashboard can be measured at scale; the same seed gives the same requests."""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import click
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, aliased

from portal.accounts.models import Authority, Role, User
from portal.audit.log import record
from portal.db import Database
from portal.requests.models import (
    REAL_SERIES,
    MlaRequest,
    ReferenceCounter,
    RequestEvent,
    RequestSearch,
    RequestVersion,
    Status,
)
from portal.requests.search import TRIGRAM_INDEX
from portal.requests.search_text import document
from portal.rules.refdata import load_default_reference
from portal.target_settings import TargetSettings
from portal.triage import daily_counts, intake, target_clock, weights
from portal.triage.bulk_rows import BATCH, BatchWriter, Rows
from portal.triage.caseload import recount_loads
from portal.triage.demo_content import (
    AFTER,
    CODES,
    COUNTRIES,
    DISTRICTS,
    FIRST,
    LAST,
    PATH,
    request_body,
    request_status,
)
from portal.triage.models import (
    NO_URGENCY,
    Portfolio,
    Referral,
    TriageEntry,
    TriageKey,
    TriageReturn,
    TriageReturnItem,
)

F = TypeVar("F", bound=Callable[..., Any])
YEARS = 4
#: The service targets of the generated entries (the defaults of PORTAL_TARGET_*).
TARGETS = TargetSettings()
#: The tables written, in an order that respects their foreign keys.
MODELS: tuple[Any, ...] = (MlaRequest, RequestVersion, RequestEvent, TriageEntry, TriageKey,
                           TriageReturn, TriageReturnItem, Referral, RequestSearch)
#: From this many requests on, PostgreSQL's trigram index of the search is dropped during the
#: load and built again after it (one build is much faster than a million insertions).
REBUILD_INDEX_FROM = 20_000


def volume_options(command: F) -> F:
    """Adds ``--volume N`` and ``--seed S`` to a click command."""
    command = click.option("--seed", type=int, default=42, show_default=True,
                           help="Random seed of --volume (same seed, same data).")(command)
    return click.option("--volume", type=click.IntRange(min=0), default=0,
                        help="Also generate N realistic submitted requests (for measuring "
                             "the triage queue and dashboard at scale).")(command)


def run_volume(database: Database, volume: int, seed: int,
               echo: Callable[[str], None] = click.echo) -> None:
    started = time.monotonic()
    with database.session() as db:
        made = generate(db, volume, seed)
    echo(f"{made} requests generated in {time.monotonic() - started:.1f} s")


def _public_id(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()


def _next_id(db: Session, column: Any) -> int:
    return int(db.scalar(select(func.max(column))) or 0) + 1


def _fix_sequence(db: Session, table: str) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _authorities(db: Session, rng: random.Random) -> list[tuple[int, str, int]]:
    """(authority id, country, a submitter id) per demo country."""
    out = []
    for country, locale in COUNTRIES:
        name = f"Volume demo authority {country}"
        authority = db.scalar(select(Authority).where(Authority.name == name))
        if authority is None:
            authority = Authority(name=name, country=country)
            db.add(authority)
            db.flush()
        email = f"volume-{country.lower()}@demo.example.org"
        submitter = db.scalar(select(User).where(User.email == email))
        if submitter is None:
            submitter = User(email=email, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                             role=Role.SUBMITTER.value, authority_id=authority.id,
                             locale=locale, active=True)
            db.add(submitter)
            db.flush()
        out.append((authority.id, country, submitter.id))
    return out


def _attorneys(db: Session) -> list[int]:
    found = list(db.scalars(select(User.id).where(User.role == Role.TRIAGE.value)))
    if len(found) >= 4:
        return found
    for index in range(6 - len(found)):
        user = User(email=f"volume-attorney{index}@demo.example.org",
                    name=f"Volume attorney {index + 1}", role=Role.TRIAGE.value, active=True)
        db.add(user)
        db.flush()
        found.append(user.id)
    countries = [c for c, _ in COUNTRIES]
    for index, user_id in enumerate(found):
        if db.scalar(select(Portfolio.id).where(Portfolio.user_id == user_id)) is None:
            for country in countries[index::len(found)]:
                db.add(Portfolio(user_id=user_id, country=country))
    db.flush()
    return found


@dataclass
class _State:
    """What the generation of one request reads and advances."""

    rng: random.Random
    now: datetime
    authorities: list[tuple[int, str, int]]
    attorneys: list[int]
    weight_map: dict[str, float]
    shared: list[str]
    counters: dict[int, int]
    request_id: int
    return_id: int


def generate(db: Session, n: int, seed: int = 42, *,
             rebuild_index_from: int = REBUILD_INDEX_FROM) -> int:
    """Insert ``n`` submitted requests (with versions, timeline, queue entries, keys, search
    documents, returns and referrals) in the caller's transaction; returns ``n``."""
    if n <= 0:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    authorities = _authorities(db, rng)
    attorneys = _attorneys(db)
    state = _State(
        rng=rng, now=datetime.now(UTC), authorities=authorities, attorneys=attorneys,
        weight_map=weights.parse(
            "subscriber_info=1,non_content=1,stored_content=2,real_time=3,financial_records=2,"
            "witness=2,search_seizure=3,service_of_documents=1,assets=3,other=1"),
        shared=[f"shared{i}@mail.example" for i in range(max(1, n // 200))],
        counters={row.year: row.last for row in db.scalars(
            select(ReferenceCounter).where(ReferenceCounter.series == REAL_SERIES))},
        request_id=_next_id(db, MlaRequest.id), return_id=_next_id(db, TriageReturn.id))
    rebuild = db.get_bind().dialect.name == "postgresql" and n >= rebuild_index_from
    if rebuild:
        db.execute(text(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}"))
    with BatchWriter(db, MODELS) as sink:
        for start in range(0, n, BATCH):
            batch: list[Rows] = [[] for _ in MODELS]
            for _ in range(min(BATCH, n - start)):
                _one(state, batch)
            sink.put(batch)
    if rebuild:
        db.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        db.execute(text(f"CREATE INDEX {TRIGRAM_INDEX} ON request_search "
                        "USING gin (document gin_trgm_ops)"))
    for year, last in state.counters.items():
        row = db.get(ReferenceCounter, (REAL_SERIES, year))
        if row is None:
            db.add(ReferenceCounter(series=REAL_SERIES, year=year, last=last))
        else:
            row.last = max(row.last, last)
    for table in ("requests", "triage_returns"):
        _fix_sequence(db, table)
    recount_loads(db)  # (the entries were written in bulk, past the flush that keeps loads)
    daily_counts.rebuild(db)  # (likewise the dashboard's daily counts)
    _analyze(db)
    _flag_duplicates(db)
    record(db, "demo.volume_generated", actor="demo-loader", details={"n": n, "seed": seed})
    return n


def _one(state: _State, batch: list[Rows]) -> None:
    """Append the rows of one submitted request to ``batch`` (one list per table of
    :data:`MODELS`)."""
    requests, versions, events, entries, keys, rets, items, refs, documents = batch
    rng, now, attorneys = state.rng, state.now, state.attorneys
    authority_id, country, submitter_id = rng.choice(state.authorities)
    submitted = now - timedelta(days=rng.random() * 365 * YEARS)
    age = (now - submitted).days
    status = request_status(rng, age)
    content, body = request_body(rng, country, state.shared)
    counters = state.counters
    counters[submitted.year] = counters.get(submitted.year, 0) + 1
    reference = f"MLA-{submitted.year}-{counters[submitted.year]:06d}"
    body["reference"] = reference  # (what follows does not read the content's reference)
    text_of_body = json.dumps(body, ensure_ascii=False)
    findings = [{"code": code, "severity": rng.choice(("warning", "advice")), "path": "",
                 "acknowledgement": "Justified." if rng.random() < 0.5 else ""}
                for code in rng.sample(CODES, rng.randint(0, 3))]
    for f in findings:
        if f["severity"] != "warning":
            f["acknowledgement"] = ""
    rid = state.request_id
    state.request_id += 1
    requests.append({
        "id": rid, "public_id": _public_id(rng), "authority_id": authority_id,
        "reference": reference, "status": status.value, "training": False,
        "draft_json": text_of_body, "revision": 2,
        "progress_json": "{}", "acks_json": "{}", "created_by_id": submitter_id,
        "created_at": submitted - timedelta(days=rng.randint(1, 20)),
        "updated_by_id": submitter_id, "updated_at": submitted, "submitted_at": submitted})
    versions.append({"request_id": rid, "number": 1, "minor": 0, "submitted_at": submitted,
                     "content_json": text_of_body,
                     "findings_json": json.dumps(findings), "submitted_by_id": submitter_id,
                     "reference_version": load_default_reference().version})
    events.append({"request_id": rid, "at": submitted, "actor_id": submitter_id,
                   "kind": "submitted", "from_status": "draft", "to_status": "submitted",
                   "note": ""})
    at, previous = submitted, "submitted"
    timeline = [(submitted, "submitted", "submitted")]
    first_action: datetime | None = None
    assignee = rng.choice(attorneys) if status not in (Status.SUBMITTED,) else None
    referral: tuple[str, date] | None = None
    for step in PATH[status]:
        at = min(now, at + timedelta(days=rng.expovariate(1 / 12)))
        actor = submitter_id if step == "withdrawn" else (assignee or attorneys[0])
        events.append({"request_id": rid, "at": at, "actor_id": actor, "kind": step,
                       "from_status": previous, "to_status": AFTER[step], "note": ""})
        previous = AFTER[step]
        timeline.append((at, step, previous))
        if first_action is None and step != "withdrawn":
            first_action = at
        if step == "returned" or (step == "opened" and rng.random() < 0.1
                                  and status is not Status.RETURNED):
            rets.append({"id": state.return_id, "request_id": rid, "version": 1, "at": at,
                         "actor_id": actor, "country": country, "notes": ""})
            for code in rng.sample(CODES, rng.randint(1, 3)):
                items.append({"return_id": state.return_id, "code": code, "path": "",
                              "params_json": "{}"})
            state.return_id += 1
        if step == "referred" or (step == "in_execution" and rng.random() < 0.3):
            district = rng.choice(DISTRICTS)
            due = (at + timedelta(days=rng.choice((30, 45, 60)))).date()
            refs.append({"request_id": rid, "district": district, "due_date": due,
                         "referred_at": at, "actor_id": actor,
                         "closed_at": None if status is Status.REFERRED else at})
            referral = (district, due)
    closed = status in (Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN)
    types = [item.type for item in content.assistance]
    urgency = intake.urgency_date(content)
    clock = target_clock.from_timeline(timeline, TARGETS.first_action_days,
                                       TARGETS.decision_days)
    assert clock is not None  # (the timeline starts with its submission)
    entries.append({
        "request_id": rid, "reference": reference, "authority_id": authority_id,
        "country": country, "status": status.value, "is_open": not closed,
        "types": "," + ",".join(sorted(set(types))) + ",", "urgent": urgency is not None,
        "urgency_date": urgency, "urgency_key": urgency or NO_URGENCY,
        "submitted_at": submitted, "last_submitted_at": submitted, "version": 1,
        "first_action_at": first_action, "closed_at": at if closed else None,
        "triage_seconds": daily_counts.delay_seconds(submitted, first_action),
        "assignee_id": assignee, "weight": weights.request_weight(types, state.weight_map),
        "blockers": 0, "warnings": sum(1 for f in findings if f["severity"] == "warning"),
        "acknowledged": sum(1 for f in findings if f["acknowledgement"]),
        "duplicate": False, "resubmit_unchanged": False,
        "referral_district": referral[0] if referral else "",
        "referral_due": referral[1] if referral else None, "handoff": "",
        "target_started_at": clock.started_at, "action_due": clock.action_due,
        "acted_at": clock.acted_at, "decision_due": clock.decision_due,
        "decided_at": clock.decided_at, "target_due": clock.pending_due(status.value, not closed)})
    for key in intake.keys_of(content):
        keys.append({"request_id": rid, "kind": key.kind, "value": key.value,
                     "path": key.path[:120], "used_at": key.used_at})
    documents.append({"request_id": rid, "document": document(reference, content)})


def _analyze(db: Session) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables just filled, so that the
    duplicate pass and the first pages are planned for their real size."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE " + ", ".join(model.__tablename__ for model in MODELS)))


def _flag_duplicates(db: Session) -> None:
    """Flag the open requests sharing a key with another open one (IP addresses are left to
    the per-request check, which knows the time window)."""
    key = aliased(TriageKey)
    shared = (select(key.kind, key.value)
              .join(TriageEntry, TriageEntry.request_id == key.request_id)
              .where(TriageEntry.is_open.is_(True), key.kind.notin_(("name_part", "ip")))
              .group_by(key.kind, key.value)
              .having(func.count(func.distinct(key.request_id)) > 1)
              .subquery())
    other = aliased(TriageKey)
    flagged = select(other.request_id).join(
        shared, (shared.c.kind == other.kind) & (shared.c.value == other.value))
    db.execute(update(TriageEntry).where(TriageEntry.is_open.is_(True),
                                         TriageEntry.request_id.in_(flagged))
               .values(duplicate=True).execution_options(synchronize_session=False))
