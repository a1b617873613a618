"""One page per section of the wizard: its generated form, filled from the saved draft (or from
what the user typed before signing in again), saved with the revision it was loaded at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.attachments import service as attachment_service
from portal.contract.load import validate
from portal.contract.model import Request
from portal.requests import checks, drafts, editing
from portal.requests.choices import Choices, display_names, for_request
from portal.requests.documents import needed_documents
from portal.requests.models import MlaRequest
from portal.requests.sections import BY_SLUG, SECTIONS, Section
from portal.translation import gettext as _
from portal.web import pending
from portal.web.access import require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.forms import PortalForm
from portal.web.i18n import current_locale_code
from portal.web.pending import preserve_input
from portal.web.requests import formdata, formgen
from portal.web.requests.access import findings_of, load_visible, posted_revision
from portal.web.requests.documents_state import refusals, settle
from portal.web.requests.forms import UploadForm, upload_form


def _section(slug: str) -> Section:
    section = BY_SLUG.get(slug)
    if section is None:
        abort(404)
    return section


def _next_section(section: Section) -> Section | None:
    index = SECTIONS.index(section)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def _render_section(req: MlaRequest, section: Section, content: Request, form: PortalForm,
                    nodes: list[formgen.Node], status: int = 200, notice: str | None = None,
                    upload: UploadForm | None = None, upload_error: str | None = None,
                    saved_at: datetime | None = None) -> tuple[str, int]:
    # findings once the section has been saved, or when the check page sent the user here
    shown = section.slug in checks.progress_of(req) or request.args.get("check") == "1"
    findings = [f for f in findings_of(req) if f.section is section] if shown else []
    locale = current_locale_code()
    extra: dict[str, Any] = {}
    if section.slug == "authority" and req.authority is not None:
        names = display_names(content, locale)
        extra["account_authority"] = (req.authority.name, names.get(
            f"country:{req.authority.country}", req.authority.country))
    if section.slug == "procedures":
        max_file, max_request = attachment_service.limits(settings())
        attachments = attachment_service.list_attachments(db(), req)
        extra = {
            "attachments": attachments, "refusals": refusals(attachments),
            "upload_form": upload or upload_form(content),
            "upload_error": upload_error, "max_file": max_file, "max_request": max_request,
            "used_bytes": attachment_service.used_bytes(db(), req),
            "remove_form": EmptyForm(), "needed_documents": needed_documents(content),
            "language_names": display_names(content, locale),
        }
    return render_template(
        "requests/section.html", req=req, section=section, form=form, nodes=nodes,
        fields=formdata.flat_fields(form), findings=findings, sections=SECTIONS,
        notice=notice, saved_at=saved_at, assistance_types=formgen.assistance_type_choices(),
        providers=for_request(content, locale).providers,
        return_to=request.values.get("next", ""), **extra,
    ), status


def render_section_page(req: MlaRequest, slug: str, *, upload: UploadForm | None = None,
                        upload_error: str | None = None, status: int = 200
                        ) -> tuple[str, int]:
    """A section page filled from the saved draft (shown again after an upload was refused)."""
    section = _section(slug)
    content = drafts.content_of(req)
    form, nodes = formgen.build(section, content, for_request(content, current_locale_code()))
    form.revision.data = str(req.revision)
    return _render_section(req, section, content, form, nodes, status, upload=upload,
                           upload_error=upload_error)


@roles(Role.SUBMITTER, Role.TRAINER)
@preserve_input
def section(public_id: str, slug: str) -> Response | tuple[str, int]:
    section = _section(slug)
    req = load_visible(public_id, audit=request.method == "GET")
    if not req.editable:
        flash(_("This request was submitted and can no longer be changed."), "warning")
        return redirect(url_for("requests.overview", public_id=public_id))
    if request.method == "GET" and section.slug == "procedures":
        settle(req)  # (the files accepted since: in the list of documents needed, and saved)
    content = drafts.content_of(req)
    choices = for_request(content, current_locale_code())
    if request.method == "GET":
        return _show_section(req, section, content, choices)
    form, nodes = formgen.build(section, content, choices, formdata=request.form)
    unexpected = formdata.unexpected_keys(form, request.form.keys())
    if unexpected:
        form.validate()
        form.form_errors.append(_(
            "This page received answers for fields that are not on it (%(fields)s). "
            "Nothing was saved. Reload the page and try again.",
            fields=", ".join(unexpected[:5])))
        return _render_section(req, section, content, form, nodes, 400)
    if not form.validate():
        return _render_section(req, section, content, form, nodes, 400)
    updated = formdata.merge(section, form, content)
    schema_errors = validate(updated.to_dict())  # (the errors only: no model built)
    if schema_errors:
        for error in schema_errors:
            form.form_errors.append(f"{error.path}: {error.render(current_locale_code())}")
        return _render_section(req, section, content, form, nodes, 400)
    op = request.form.get("op", "")
    try:
        revision, anchor = editing.save_section(
            db(), require_user(), req, updated, posted_revision(form.revision.data or "0", -1),
            section=section.slug, op=op, new_item_type=request.form.get("new_item_type", ""),
            ip=client_ip())
    except drafts.DraftConflict as conflict:
        form.revision.data = str(conflict.current_revision)
        notice = _("%(name)s saved this draft after you opened this page, so your changes "
                   "were not saved. What you typed is still below: compare it with the saved "
                   "draft and save again to keep your version.", name=conflict.updated_by)
        return _render_section(req, section, content, form, nodes, 409, notice=notice)
    return redirect(_after_save(req, section, op, revision, anchor))


def _show_section(req: MlaRequest, section: Section, content: Request,
                  choices: Choices) -> tuple[str, int]:
    """The section filled from the saved draft, or from what the user typed before they had
    to sign in again (kept by :mod:`portal.web.pending`)."""
    kept = (pending.take(db(), require_user().id, request.path) if pending.maybe_kept()
            else None)
    form, nodes = formgen.build(section, content, choices, formdata=kept)
    if kept is None:
        form.revision.data = str(req.revision)
    notice = None if kept is None else _(
        "We kept what you typed before you had to sign in again or reload the form. It is not "
        "saved yet: check it and save.")
    # "saved=<revision>" after the user's own save, while that save is the draft's latest
    saved_at = (req.updated_at if kept is None and request.args.get("saved") ==
                str(req.revision) else None)
    return _render_section(req, section, content, form, nodes, notice=notice,
                           saved_at=saved_at)


def _after_save(req: MlaRequest, section: Section, op: str, revision: int, anchor: str) -> str:
    """Where the user goes after a save: back to the entry added or removed, to the review
    page they came from, to the next section, or back to this one saying it was saved."""
    public_id = req.public_id
    if editing.is_entry_op(op):
        return url_for("requests.section", public_id=public_id, slug=section.slug,
                       next=request.form.get("next") or None) + f"#{anchor}"
    if request.form.get("next") == "review":
        return url_for("requests.review", public_id=public_id)
    if op == "continue":
        following = _next_section(section)
        return (url_for("requests.section", public_id=public_id, slug=following.slug)
                if following else url_for("requests.check", public_id=public_id))
    # the page says so from its address (the revision saved), not from a message in the
    # session: no session write on each save
    return url_for("requests.section", public_id=public_id, slug=section.slug, saved=revision)
