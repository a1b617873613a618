"""The ``triage`` blueprint: every URL of the triage pages (OIA staff only) and the view that
answers it, and the template globals of the triage templates."""

from __future__ import annotations

from flask import Blueprint

from portal.web.triage import (
    action_views,
    ask_views,
    dashboard_views,
    hold_views,
    notification_views,
    package_views,
    portfolio_views,
    queue_views,
)
from portal.web.triage.template_helpers import TEMPLATE_GLOBALS

bp = Blueprint("triage", __name__, url_prefix="/triage")

for _name, _helper in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(_helper, _name)

bp.add_url_rule("", "queue_page", queue_views.queue_page)
bp.add_url_rule("/export.csv", "queue_export", queue_views.queue_export)
bp.add_url_rule("/portfolios", "portfolios", portfolio_views.portfolios,
                methods=["GET", "POST"])
bp.add_url_rule("/dashboard", "dashboard_page", dashboard_views.dashboard_page)
bp.add_url_rule("/dashboard/<table>.csv", "dashboard_csv", dashboard_views.dashboard_csv)
bp.add_url_rule("/notifications", "notifications", notification_views.notifications_page)
bp.add_url_rule("/notifications/read", "mark_read", notification_views.mark_read,
                methods=["POST"])
bp.add_url_rule("/notifications/preferences", "notification_preferences",
                notification_views.preferences, methods=["POST"])
bp.add_url_rule("/<public_id>", "package_view", package_views.package_view)
bp.add_url_rule("/<public_id>/attachments/<attachment_id>", "attachment",
                package_views.attachment)
bp.add_url_rule("/<public_id>/messages", "reply", action_views.reply, methods=["POST"])
bp.add_url_rule("/<public_id>/documents/ask", "ask_documents", ask_views.ask, methods=["POST"])
bp.add_url_rule("/<public_id>/action/<name>", "act", action_views.act, methods=["POST"])
bp.add_url_rule("/<public_id>/hold", "set_hold", hold_views.set_hold, methods=["POST"])
bp.add_url_rule("/<public_id>/hold/lift", "lift_hold", hold_views.lift_hold, methods=["POST"])
