"""The home page of each role and the health check."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template
from sqlalchemy import text
from werkzeug.wrappers import Response

from portal.web.access import ANY_ROLE, public, require_user, roles

bp = Blueprint("main", __name__)


@bp.route("/")
@roles(*ANY_ROLE)
def home() -> str:
    return render_template("home.html", user=require_user())


@bp.route("/healthz")
@public
def health() -> tuple[Response, int]:
    try:
        g.db.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok"), 200
