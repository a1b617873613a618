"""The count of unread notifications next to the "Notifications" link of OIA staff's menu
(filled into the kept page frame per page: the frame itself never holds a viewer's data)."""

from __future__ import annotations

from typing import Any

from flask import g
from markupsafe import Markup, escape

from portal.accounts.models import Role
from portal.notify import inbox
from portal.translation import gettext as _


def unread_badge(user: Any) -> str:
    """The badge's HTML for ``user`` ("" without unread notifications or a stored user)."""
    user_id = getattr(user, "id", None)
    if user_id is None or getattr(user, "role", None) != Role.TRIAGE.value or "db" not in g:
        return ""
    # (read with the session: portal.web.context)
    count = g.get("unread_notifications")
    if count is None:
        count = inbox.unread_count(g.db, user_id)
    if not count:
        return ""
    return str(Markup(' <span class="usa-tag portal-badge" aria-hidden="true">{}</span>'
                      '<span class="usa-sr-only">{}</span>').format(
        count, escape(_("(%(count)s unread)", count=count))))
