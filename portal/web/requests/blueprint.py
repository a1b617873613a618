"""The blueprint "requests": every URL of the submitter's pages of a request and the view that
answers it, and the helpers its templates use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from portal.requests.labels import choice_label
from portal.requests.models import MlaRequest, version_label
from portal.requests.path_labels import path_label, value_label
from portal.requests.summary import event_label
from portal.translation import gettext as _
from portal.web.requests import (
    ask_views,
    attachment_views,
    check_views,
    draft_views,
    section_views,
    submit_views,
    version_views,
)

bp = Blueprint("requests", __name__, url_prefix="/requests")

bp.add_url_rule("", "index", draft_views.index)
bp.add_url_rule("/new", "new", draft_views.new, methods=["POST"])
bp.add_url_rule("/import", "import_json", draft_views.import_json, methods=["GET", "POST"])
bp.add_url_rule("/<public_id>", "overview", draft_views.overview)
bp.add_url_rule("/<public_id>/messages", "post_message", draft_views.post_message,
                methods=["POST"])
bp.add_url_rule("/<public_id>/withdraw", "withdraw", draft_views.withdraw, methods=["POST"])
bp.add_url_rule("/<public_id>/asked-documents", "ask_upload", ask_views.upload, methods=["POST"])
bp.add_url_rule("/<public_id>/asked-documents/send", "ask_send", ask_views.send, methods=["POST"])
bp.add_url_rule("/<public_id>/asked-documents/<attachment_id>/remove", "ask_remove",
                ask_views.remove, methods=["POST"])
bp.add_url_rule("/<public_id>/export.json", "export", draft_views.export)
bp.add_url_rule("/<public_id>/<slug>", "section", section_views.section,
                methods=["GET", "POST"])
bp.add_url_rule("/<public_id>/check", "check", check_views.check, methods=["GET", "POST"])
bp.add_url_rule("/<public_id>/review", "review", check_views.review)
bp.add_url_rule("/<public_id>/submit", "submit", submit_views.submit, methods=["POST"])
bp.add_url_rule("/<public_id>/submitted", "confirmation", submit_views.confirmation)
bp.add_url_rule("/<public_id>/receipt.pdf", "receipt", submit_views.receipt)
bp.add_url_rule("/<public_id>/attachments", "upload", attachment_views.upload,
                methods=["POST"])
bp.add_url_rule("/<public_id>/attachments/checks", "attachment_checks",
                attachment_views.check_states)
bp.add_url_rule("/<public_id>/attachments/<attachment_id>/remove", "remove_attachment",
                attachment_views.remove_attachment, methods=["POST"])
bp.add_url_rule("/<public_id>/attachments/<attachment_id>", "download_attachment",
                attachment_views.download_attachment)
bp.add_url_rule("/<public_id>/versions/<int:number>", "submitted_version",
                version_views.submitted_version)
bp.add_url_rule("/<public_id>/versions/<int:number>.pdf", "submitted_version_pdf",
                version_views.submitted_version_pdf)
bp.add_url_rule("/<public_id>/versions/<int:number>.<int:minor>", "submitted_version",
                version_views.submitted_version)
bp.add_url_rule("/<public_id>/versions/<int:number>.<int:minor>.pdf", "submitted_version_pdf",
                version_views.submitted_version_pdf)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"event_label": event_label, "choice_label": choice_label,
            "request_list_url": request_list_url, "request_list_label": request_list_label,
            "path_label": path_label, "value_label": value_label,
            "version_args": version_args, "version_label": version_label}


def version_args(number: int, minor: int = 0) -> dict[str, int]:
    """The URL arguments of a submitted version (``1``, or ``1.1``)."""
    return {"number": number, **({"minor": minor} if minor else {})}


def request_list_url(req: MlaRequest) -> str:
    """Where a request is listed: practice requests in the sandbox, others in My requests."""
    return url_for("training.practice") if req.training else url_for("requests.index")


def request_list_label(req: MlaRequest) -> str:
    return str(_("My practice requests") if req.training else _("My requests"))
