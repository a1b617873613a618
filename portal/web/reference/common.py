"""What the editor's pages share: kind names, the current user, saving with its messages and
its audit record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import abort
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.log import record
from portal.i18n_core import N_
from portal.reference import store
from portal.reference.changes import KEY_FIELDS, diff
from portal.reference.editing import BadInput
from portal.reference.models import ReferenceVersion
from portal.reference.problems import ReferenceProblem
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.web.access import require_user
from portal.web.context import client_ip, db
from portal.web.reference.forms import ChangeForm

KIND_LABELS: Mapping[str, Any] = {
    "legal_bases": _l("Legal bases"),
    "countries": _l("Countries"),
    "districts": _l("U.S. Attorney districts"),
    "providers": _l("Providers"),
    "offence_categories": _l("Offence categories"),
}


def kind_or_404(kind: str) -> str:
    if kind not in KEY_FIELDS:
        abort(404)
    return kind


def bad_input_message(error: BadInput) -> str:
    if error.code == "json":
        return _("This is not valid JSON (%(detail)s).", detail=error.detail)
    if error.code == "object":
        return _("The entry must be a JSON object: { ... }.")
    if error.code == "key":
        return _("The entry needs its \u201c%(field)s\u201d.", field=error.detail)
    if error.code == "duplicate":
        return _("Another entry already uses \u201c%(key)s\u201d.", key=error.detail)
    if error.code == "missing":
        return _("The entry \u201c%(key)s\u201d no longer exists: someone changed the data "
                 "meanwhile.", key=error.detail)
    return _("This file is not an export of the reference data.")


def _code(value: str | int) -> Markup | int:
    """A value, key or file name read left to right as code, even in a right-to-left page."""
    if isinstance(value, int):
        return value
    return Markup('<bdi dir="ltr"><code>{}</code></bdi>').format(value)


def _translated(msgid: str, **params: Any) -> Markup:
    """``msgid`` in the page's language with ``params`` (escaped unless already markup)."""
    return escape(_(msgid)) % params


def refusal(problem: ReferenceProblem) -> Markup:
    """Why the data was not saved, in the page's language: the place (entries counted from
    1, as people count) and the problem."""
    said = _translated(problem.msgid, **{k: _code(v) for k, v in problem.params.items()})
    if problem.file is not None and problem.entry is not None:
        said = _translated(N_("In %(file)s, entry %(number)d: %(problem)s"),
                           file=_code(problem.file), number=problem.entry + 1, problem=said)
    elif problem.file is not None:
        said = _translated(N_("In %(file)s: %(problem)s"), file=_code(problem.file), problem=said)
    return _translated(N_("The reference data was not saved: %(problem)s"), problem=said)


def save(form: ChangeForm, docs: Mapping[str, Any], what: Mapping[str, str]) -> (
        tuple[ReferenceVersion | None, list[str]]):
    """A new version from ``docs`` with the form's reason and source, audited; or the
    messages saying why not."""
    user = require_user()
    try:
        based_on = int(form.based_on.data or "0")
    except ValueError:
        based_on = -1
    try:
        row = store.save(db(), docs, user_id=user.id, reason=form.reason.data or "",
                         source=form.source.data or "", based_on=based_on)
    except store.Refused as refused:
        return None, [refusal(problem) for problem in refused.problems]
    except store.Conflict:
        return None, [_("Someone saved another version of the reference data meanwhile. "
                        "Your text is kept below: open the entry again and apply your change "
                        "to the new version.")]
    except store.Unchanged:
        return None, [_("Nothing was saved: the data is the same as the version in force.")]
    record(db(), "reference.changed", actor_id=user.id, actor=user.email, ip=client_ip(),
           object_type="reference_data", object_id=str(row.number),
           details={"version": row.number, "label": store.label(row.number, row.sha256),
                    "reason": row.reason, "source": row.source, **what})
    return row, []


def authors(rows: list[ReferenceVersion]) -> dict[int, str]:
    ids = {r.created_by_id for r in rows if r.created_by_id is not None}
    if not ids:
        return {}
    users = db().execute(select(User.id, User.name).where(User.id.in_(ids))).all()
    return {u.id: u.name for u in users}


def history_rows(limit: int = 50) -> list[tuple[ReferenceVersion, list[Any]]]:
    """The newest versions, each with what changed since the one before it."""
    rows = store.history(db(), limit + 1)
    out = []
    for i, row in enumerate(rows[:limit]):
        after = json.loads(row.data_json)
        before = json.loads(rows[i + 1].data_json) if i + 1 < len(rows) else None
        out.append((row, diff(before, after) if before is not None else []))
    return out
