"""The reference data of the work in progress, for code that has no database session at hand
(the rule engine's default context, the lists of the forms): a web request's session (the web
layer installs how to find it) or a job's (:func:`using`); the package's files outside both
(the ``portal`` commands, tests of the rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session

from portal.reference import store
from portal.reference.loading import load_reference
from portal.reference.records import ReferenceData

_SESSION: ContextVar[Session | None] = ContextVar("portal_reference_session", default=None)
_FINDERS: list[Callable[[], Session | None]] = []


def install(finder: Callable[[], Session | None]) -> None:
    """Use ``finder`` (the web request's session, or None outside a request)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


@contextmanager
def using(db: Session) -> Iterator[None]:
    """Within the block, the reference data is the version in force seen by ``db``."""
    token = _SESSION.set(db)
    try:
        yield
    finally:
        _SESSION.reset(token)


def _session() -> Session | None:
    found = _SESSION.get()
    for finder in _FINDERS:
        if found is not None:
            break
        found = finder()
    return found


def current_reference() -> ReferenceData:
    """The version in force (read once per request or job), or the files outside both."""
    db = _session()
    return store.current(db) if db is not None else load_reference()


def recorded_reference(version_label: str) -> ReferenceData:
    """The version a request was judged with, where it is stored; else the one in force."""
    db = _session()
    return store.recorded(db, version_label) if db is not None else load_reference()
