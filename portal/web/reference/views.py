"""Administrators' reference-data pages: the kinds and their entries, one entry's editor
(add, change, remove), the history of versions. Every save asks why and from which source,
creates a new version (portal.reference.store) and is audited (``reference.changed``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.reference import store
from portal.reference.changes import KEY_FIELDS, entries_by_key
from portal.reference.editing import BadInput, entry_text, parse_entry, with_entry, without_entry
from portal.translation import gettext as _
from portal.web.access import roles
from portal.web.accounts.views import reauth_required
from portal.web.context import db
from portal.web.reference.common import (
    KIND_LABELS,
    authors,
    bad_input_message,
    history_rows,
    kind_or_404,
    save,
)
from portal.web.reference.forms import ChangeForm, EntryForm

bp = Blueprint("reference_admin", __name__, url_prefix="/admin/reference")

Page = Response | str | tuple[str, int]


@bp.route("")
@roles(Role.ADMIN)
def overview() -> str:
    found = store.in_force(db())
    latest = store.latest(db())
    counts = {kind: len(entries_by_key(kind, found.documents.get(kind))) for kind in KEY_FIELDS}
    return render_template("admin/reference/overview.html", in_force=found, latest=latest,
                           names=authors([latest] if latest else []), counts=counts,
                           kinds=KIND_LABELS)


@bp.route("/<kind>")
@roles(Role.ADMIN)
def entries(kind: str) -> str:
    kind = kind_or_404(kind)
    found = store.in_force(db())
    rows = entries_by_key(kind, found.documents.get(kind))
    return render_template("admin/reference/entries.html", kind=kind, label=KIND_LABELS[kind],
                           rows=rows, in_force=found)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@bp.route("/<kind>/<key>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def edit(kind: str, key: str | None = None) -> Page:
    kind = kind_or_404(kind)
    found = store.in_force(db())
    current = entries_by_key(kind, found.documents.get(kind))
    if key is not None and key not in current:
        abort(404)
    form = EntryForm()
    if request.method == "GET":
        form.based_on.data = str(found.number)
        form.entry.data = entry_text(current.get(key) if key else {KEY_FIELDS[kind]: ""})
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            entry = parse_entry(kind, form.entry.data or "")
            docs = with_entry(found.documents, kind, key, entry)
        except BadInput as error:
            problems = [bad_input_message(error)]
        else:
            row, problems = save(form, docs, {"kind": kind, "key": entry[KEY_FIELDS[kind]],
                                              "action": "changed" if key else "added"})
            if row is not None:
                flash(_("Version %(number)s of the reference data is now in force.",
                        number=row.number), "success")
                return redirect(url_for("reference_admin.entries", kind=kind))
    form.entry.errors = [*form.entry.errors, *problems]
    status = 400 if form.errors or problems else 200
    return render_template("admin/reference/edit.html", form=form, kind=kind, key=key,
                           label=KIND_LABELS[kind], in_force=found), status


@bp.route("/<kind>/<key>/remove", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def remove(kind: str, key: str) -> Page:
    kind = kind_or_404(kind)
    found = store.in_force(db())
    current = entries_by_key(kind, found.documents.get(kind))
    if key not in current:
        abort(404)
    form = ChangeForm()
    if request.method == "GET":
        form.based_on.data = str(found.number)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            docs = without_entry(found.documents, kind, key)
        except BadInput as error:
            problems = [bad_input_message(error)]
        else:
            row, problems = save(form, docs, {"kind": kind, "key": key, "action": "removed"})
            if row is not None:
                flash(_("Version %(number)s of the reference data is now in force.",
                        number=row.number), "success")
                return redirect(url_for("reference_admin.entries", kind=kind))
    status = 400 if form.errors or problems else 200
    return render_template("admin/reference/remove.html", form=form, kind=kind, key=key,
                           label=KIND_LABELS[kind], entry=entry_text(current[key]),
                           problems=problems), status


@bp.route("/history")
@roles(Role.ADMIN)
def history() -> str:
    rows = history_rows()
    return render_template("admin/reference/history.html", rows=rows,
                           names=authors([row for row, _changes in rows]), kinds=KIND_LABELS,
                           label_of=store.label)
