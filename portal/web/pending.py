"""Keeping what a user typed across an ended session or an expired form.

When a form of a page that opts in (see :func:`preserve_input`) is posted by a user whose
session just ended, or with an expired CSRF token, the posted fields are stored for that user
and that page, the user is sent to sign in (or back to the page), and the page shows the
kept input again, to be checked and saved. Entries expire after a day and are used once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy import ColumnExpressionArgument, Exists, delete, exists, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.accounts.pending_input import PendingInput
from portal.db import utcnow

F = TypeVar("F", bound=Callable[..., Any])
PRESERVE_ATTR = "_portal_preserve_input"
KEEP_FOR = timedelta(days=1)
MAX_BYTES = 2_000_000
SKIPPED_KEYS = frozenset({"csrf_token"})


def preserve_input(view: F) -> F:
    """Opt a view in: its posted form survives an ended session or an expired form."""
    setattr(view, PRESERVE_ATTR, True)
    return view


def preserves(app: Flask, endpoint: str | None) -> bool:
    view = app.view_functions.get(endpoint or "")
    return bool(view is not None and getattr(view, PRESERVE_ATTR, False))


def stash(db: Session, user_id: int, path: str, form: MultiDict[str, str]) -> bool:
    pairs = [(k, v) for k, v in form.items(multi=True) if k not in SKIPPED_KEYS]
    body = json.dumps(pairs, ensure_ascii=False)
    if len(body) > MAX_BYTES:
        return False
    db.execute(delete(PendingInput).where(PendingInput.user_id == user_id,
                                          PendingInput.path == path))
    db.execute(delete(PendingInput).where(PendingInput.created_at < utcnow() - KEEP_FOR))
    db.add(PendingInput(user_id=user_id, path=path, form_json=body))
    return True


#: Set on ``g`` at the start of a request (web.context): whether the signed-in user has kept
#: input at all, read with the session; pages skip the look-up of :func:`take` when not.
ANY_KEPT = "pending_input_kept"


def any_kept(user_id: ColumnExpressionArgument[int]) -> Exists:
    """A column: whether the user ``user_id`` has kept input (for any page)."""
    return exists().where(PendingInput.user_id == user_id)


def maybe_kept() -> bool:
    """False only when the request's session load found no kept input for the user."""
    return bool(g.get(ANY_KEPT, True))


def take(db: Session, user_id: int, path: str) -> MultiDict[str, str] | None:
    """The kept input of this user for this page, removed as it is read."""
    row = db.scalar(select(PendingInput).where(
        PendingInput.user_id == user_id, PendingInput.path == path,
        PendingInput.created_at >= utcnow() - KEEP_FOR).order_by(PendingInput.id.desc()))
    if row is None:
        return None
    db.delete(row)
    try:
        pairs = json.loads(row.form_json)
    except ValueError:
        return None
    return MultiDict([(str(k), str(v)) for k, v in pairs])


def stash_current_request(user_id: int) -> bool:
    """Keep the current POST's form, when its view opted in."""
    if request.method != "POST" or not preserves(current_app, request.endpoint):
        return False
    return stash(g.db, user_id, request.path, request.form)
