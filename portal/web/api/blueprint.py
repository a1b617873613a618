"""The blueprint "api" at /api/v1: the declared operations (portal.web.api.registry), the
documentation page, and the audit of every call."""

from __future__ import annotations

from flask import Blueprint

from portal.web.api import openapi
from portal.web.api.hooks import install_audit
from portal.web.api.paths import PREFIX
from portal.web.api.registry import register

bp = Blueprint("api", __name__, url_prefix=PREFIX)
register(bp)
bp.add_url_rule("/docs", "docs", openapi.docs)
install_audit(bp)
