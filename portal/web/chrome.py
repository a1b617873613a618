"""The frame of every page (head, banner, header with the menu and the language form, footer),
kept per language and menu in the ``page_frame`` cache, rendered from a context that cannot see
the viewer (:func:`frame_context`)."""

# The parts live in templates/chrome/. Each is rendered with markers in place of the two values
# that change from page to page (the form token and the address the language form returns to),
# split at the markers and kept; a page joins the kept pieces with its own escaped values.

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal import cache
from portal.web.notification_badge import unread_badge

PARTS = ("top", "header", "bottom")
_FORM_TOKEN = "\x00chrome-csrf\x00"  # noqa: S105 - a marker, not a secret
_NEXT = "\x00chrome-next\x00"
_BADGE = "\x00chrome-badge\x00"  # the unread notifications of OIA staff
_MARKERS = re.compile(f"({re.escape(_FORM_TOKEN)}|{re.escape(_NEXT)}|{re.escape(_BADGE)})")

#: (part, language, menu, application root) -> the part's pieces around the markers, in
#: order, with each marker between two pieces.
_FRAMES = cache.named(
    "page_frame", max_bytes=2 * 1024 * 1024,
    why="the page frame is the same on every page of one language and menu; rendering it "
        "anew costs a dozen url_for calls and twenty translations a page")


def menu_of(user: Any) -> tuple[object, ...]:
    """What the menu depends on: whether someone is signed in, their role, and whether they
    manage (a triage manager sees the outreach statistics)."""
    if not user:
        return ()
    return (str(user.role), bool(user.is_manager))


def frame_context(page: Context, menu: tuple[object, ...]) -> dict[str, Any]:
    """The variables a frame part is rendered with: the language, the menu, and markers for
    the form token and the return address; the request, the session and ``g`` hidden."""
    user = SimpleNamespace(role=menu[0], is_manager=menu[1]) if menu else None
    return {"current_user": user, "locale_code": page["locale_code"],
            "locale_info": page["locale_info"], "text_dir": page["text_dir"],
            "supported_locales": page["supported_locales"],
            "request": None, "session": None, "g": None, "csrf_token": None,
            "chrome_csrf": _FORM_TOKEN, "chrome_next": _NEXT, "chrome_badge": _BADGE}


def _pieces(page: Context, part: str, menu: tuple[object, ...]) -> tuple[str, ...]:
    html = current_app.jinja_env.get_template(f"chrome/{part}.html").render(
        frame_context(page, menu))
    return tuple(_MARKERS.split(html))  # the markers as pieces of their own


@pass_context
def chrome(context: Context, part: str) -> Markup:
    """One part of the page frame, with this page's form token and address."""
    if part not in PARTS:
        raise ValueError(f"no frame part {part!r}")
    menu = menu_of(context.get("current_user"))
    key = (part, str(context["locale_code"]), menu, request.script_root)
    pieces = _FRAMES.get_or_make(key, lambda: _pieces(context, part, menu))
    token = next_path = ""
    out = []
    for piece in pieces:
        if piece == _FORM_TOKEN:
            token = token or str(escape(generate_csrf()))
            out.append(token)
        elif piece == _BADGE:
            out.append(unread_badge(context.get("current_user")))
        elif piece == _NEXT:
            next_path = next_path or str(escape(request.full_path if request.query_string
                                                else request.path))
            out.append(next_path)
        else:
            out.append(piece)
    return Markup("".join(out))  # noqa: S704 - rendered by Jinja; the values escaped here
