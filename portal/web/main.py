"""The home page of each role and the health check."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template
from sqlalchemy import text
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.web.access import ANY_ROLE, public, require_user, roles
from portal.web.accounts.forms import EmptyForm

bp = Blueprint("main", __name__)

#: How many of the latest drafts a submitter's home page offers to continue.
HOME_DRAFTS = 3


@bp.route("/")
@roles(*ANY_ROLE)
def home() -> str:
    user = require_user()
    drafts_shown: list[MlaRequest] = []
    form = None
    if user.role == Role.SUBMITTER.value:
        form = EmptyForm()
        drafts_shown = drafts.list_requests(g.db, user, editable=True, limit=HOME_DRAFTS)
    return render_template("home.html", user=user, drafts=drafts_shown, form=form,
                           summaries={r.id: drafts.content_of(r) for r in drafts_shown})


@bp.route("/healthz")
@public
def health() -> tuple[Response, int]:
    try:
        g.db.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok"), 200
