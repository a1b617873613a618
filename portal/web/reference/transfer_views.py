"""Export of the whole reference data as JSON, and import of such a file: validated, its
differences shown, saved as a new version only once confirmed."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.reference import store
from portal.reference.changes import diff
from portal.reference.editing import BadInput, export_document, read_export
from portal.reference.loading import problems_of
from portal.translation import gettext as _
from portal.web.access import roles
from portal.web.accounts.views import reauth_required
from portal.web.context import db
from portal.web.reference.common import KIND_LABELS, bad_input_message, refusal, save
from portal.web.reference.forms import ConfirmImportForm, ImportForm
from portal.web.reference.views import Page, bp


@bp.route("/export")
@roles(Role.ADMIN)
def export() -> Response:
    found = store.in_force(db())
    body = json.dumps(export_document(found.number, found.label, found.documents),
                      ensure_ascii=False, indent=2) + "\n"
    return Response(body.encode("utf-8"), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="reference-data-{found.number}.json"'})


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def import_data() -> Page:
    found = store.in_force(db())
    form = ImportForm()
    if request.method == "GET":
        form.based_on.data = str(found.number)
    if form.validate_on_submit():
        try:
            docs = read_export(form.file.data.read(5 * 1024 * 1024 + 1))
        except BadInput as error:
            form.file.errors = [*form.file.errors, bad_input_message(error)]
        else:
            confirm = ConfirmImportForm(formdata=None, reason=form.reason.data,
                                        source=form.source.data, based_on=form.based_on.data,
                                        payload=json.dumps(docs, ensure_ascii=False))
            return _confirm_page(confirm, docs, [])
    status = 400 if form.errors else 200
    return render_template("admin/reference/import.html", form=form, in_force=found), status


@bp.route("/import/confirm", methods=["POST"])
@roles(Role.ADMIN)
@reauth_required
def confirm_import() -> Page:
    form = ConfirmImportForm()
    try:
        docs = read_export((form.payload.data or "").encode("utf-8"))
    except BadInput as error:
        flash(bad_input_message(error), "error")
        return redirect(url_for("reference_admin.import_data"))
    problems: list[str] = []
    if form.validate_on_submit():
        row, problems = save(form, docs, {"action": "imported"})
        if row is not None:
            flash(_("Version %(number)s of the reference data is now in force.",
                    number=row.number), "success")
            return redirect(url_for("reference_admin.history"))
    return _confirm_page(form, docs, problems, status=400)


def _confirm_page(form: ConfirmImportForm, docs: dict[str, object], problems: list[str], *,
                  status: int = 200) -> tuple[str, int]:
    found = store.in_force(db())
    problems = problems or [refusal(problem) for problem in problems_of(docs)]
    return render_template("admin/reference/confirm_import.html", form=form,
                           changes=diff(found.documents, docs), kinds=KIND_LABELS,
                           problems=problems, in_force=found), status
