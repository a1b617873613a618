"""The reference data in the database (``reference_versions``): the version in force, read
with one small query per session (a request, a job) and parsed once per version and process,
so that a change made on one machine is used by every other at its next request; saving a new
version, validated as the files are; the history.

Labels: version 7 is ``db-7-<first 12 hex digits of its sha256>``; it becomes
``ReferenceData.version``, which submissions record and packages carry, and which keys every
cache of data derived from the reference data."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import cache
from portal.db import utcnow
from portal.reference.changes import changed_kinds
from portal.reference.loading import (
    ReferenceProblem,
    load_reference,
    parse_documents,
    problems_of,
    read_documents,
    reference_size,
)
from portal.reference.models import ReferenceVersion
from portal.reference.records import ReferenceData

_LABEL_RE = re.compile(r"^db-(\d+)-([0-9a-f]{12})$")
#: In ``Session.info``: the data this session read (one query per request or job).
_SESSION_KEY = "portal.reference"

_PARSED = cache.named(
    "reference.versions", max_bytes=32 * 1024 * 1024, sizeof=reference_size,
    why="reference data versions from the database, parsed once per process (key: version "
        "number and sha256)",
)


class Refused(ValueError):
    """The new data has problems (each one names the kind's file and the entry)."""

    def __init__(self, problems: list[ReferenceProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Conflict(RuntimeError):
    """Another version was saved since the one the change is based on."""


class Unchanged(ValueError):
    """The new data is the same as the version in force."""


@dataclass(frozen=True)
class InForce:
    number: int  # 0: none in the database (the package's files)
    label: str
    documents: dict[str, object]


def canonical_json(docs: Mapping[str, object]) -> str:
    """The stored form of a set (its sha256 identifies it)."""
    return json.dumps(docs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def label(number: int, sha256: str) -> str:
    return f"db-{number}-{sha256[:12]}"


def number_of(version_label: str) -> int | None:
    """The version number of a ``db-N-sha`` label (None for any other label)."""
    match = _LABEL_RE.match(version_label or "")
    return int(match[1]) if match else None


def current(db: Session) -> ReferenceData:
    """The version in force, as this session first saw it (the files when there is none)."""
    found = db.info.get(_SESSION_KEY)
    if isinstance(found, ReferenceData):
        return found
    row = db.execute(select(ReferenceVersion.number, ReferenceVersion.sha256)
                     .order_by(ReferenceVersion.number.desc()).limit(1)).first()
    return prime(db, row.number if row else None, row.sha256 if row else None)


def _newest(column: Any) -> Any:
    return (select(column).order_by(ReferenceVersion.number.desc()).limit(1)
            .scalar_subquery())


#: The number and sha256 of the version in force as two columns, to read with a page's first
#: query (portal.web.context) and hand to :func:`prime`: no round trip of its own.
IN_FORCE_NUMBER = _newest(ReferenceVersion.number)
IN_FORCE_SHA = _newest(ReferenceVersion.sha256)


def prime(db: Session, number: int | None, sha256: str | None) -> ReferenceData:
    """The session's version in force, from its number and sha256 read with another query
    (None: none is stored, the files are in force)."""
    data = load_reference() if number is None or sha256 is None else \
        _parsed(db, number, sha256)
    db.info[_SESSION_KEY] = data
    return data


def recorded(db: Session, version_label: str) -> ReferenceData:
    """The version a request was judged with (its label), or the one in force when the label
    names no stored version (files, or data from before versions were stored)."""
    number = number_of(version_label)
    if number is not None:
        sha = db.scalar(select(ReferenceVersion.sha256).where(ReferenceVersion.number == number))
        if sha is not None and label(number, sha) == version_label:
            return _parsed(db, number, sha)
    return current(db)


def _parsed(db: Session, number: int, sha256: str) -> ReferenceData:
    key = (number, sha256)
    found: ReferenceData | None = _PARSED.get(key)
    if found is None:
        raw = db.scalar(select(ReferenceVersion.data_json)
                        .where(ReferenceVersion.number == number))
        found = parse_documents(json.loads(raw or "{}"), version=label(number, sha256))
        _PARSED.put(key, found)
    return found


def latest(db: Session) -> ReferenceVersion | None:
    return db.scalars(select(ReferenceVersion)
                      .order_by(ReferenceVersion.number.desc()).limit(1)).first()


def in_force(db: Session) -> InForce:
    """The documents of the version in force, for the editor and the export."""
    row = latest(db)
    if row is None:
        return InForce(0, load_reference().version, read_documents())
    return InForce(row.number, label(row.number, row.sha256), json.loads(row.data_json))


def ensure_seeded(db: Session) -> ReferenceVersion:
    """The newest version; version 1 from the package's files when there is none (migration
    0021 seeds it; a database emptied since, as the tests' PostgreSQL one is, gets it again
    before its first change)."""
    found = latest(db)
    if found is not None:
        return found
    data = canonical_json(read_documents())
    row = ReferenceVersion(number=1, created_by_id=None, reason="Seeded from the portal's "
                           "reference files.", source="portal/reference/*.json",
                           data_json=data, sha256=hashlib.sha256(data.encode()).hexdigest())
    db.add(row)
    db.flush()
    return row


def _bumped(kind_version: object, today: date) -> str:
    """The next version string of a changed kind: ``<today>.1``, or ``.N+1`` the same day."""
    prefix = f"{today.isoformat()}."
    text = kind_version if isinstance(kind_version, str) else ""
    if text.startswith(prefix) and text[len(prefix):].isdigit():
        return f"{prefix}{int(text[len(prefix):]) + 1}"
    return f"{prefix}1"


def save(db: Session, docs: Mapping[str, object], *, user_id: int, reason: str, source: str,
         based_on: int) -> ReferenceVersion:
    """A new version in force holding ``docs`` (each changed kind gets a new version string).
    Raises :class:`Refused` with every problem, :class:`Conflict` when ``based_on`` is no
    longer the version in force, :class:`Unchanged` when nothing differs."""
    problems = problems_of(docs)
    if problems:
        raise Refused(problems)
    previous = latest(db)
    if previous is not None and previous.number != based_on:
        raise Conflict(f"version {previous.number} is in force, not {based_on}")
    if previous is None:
        if based_on not in (0, 1):
            raise Conflict(f"no version is stored, not {based_on}")
        previous = ensure_seeded(db)
    before = json.loads(previous.data_json)
    changed = changed_kinds(before, docs)
    if not changed:
        raise Unchanged("the data is the same as the version in force")
    new_docs = copy.deepcopy(dict(docs))
    today = utcnow().date()
    for kind in changed:
        doc = new_docs[kind]
        if isinstance(doc, dict):
            doc["version"] = _bumped(before.get(kind, {}).get("version"), today)
    data = canonical_json(new_docs)
    row = ReferenceVersion(number=previous.number + 1, created_by_id=user_id,
                           reason=reason.strip(), source=source.strip(), data_json=data,
                           sha256=hashlib.sha256(data.encode("utf-8")).hexdigest())
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # saved by someone else at the same moment
        raise Conflict(f"version {previous.number + 1} was saved meanwhile") from None
    db.info.pop(_SESSION_KEY, None)
    return row


def history(db: Session, limit: int = 50) -> list[ReferenceVersion]:
    """The newest versions first."""
    return list(db.scalars(select(ReferenceVersion)
                           .order_by(ReferenceVersion.number.desc()).limit(limit)))
