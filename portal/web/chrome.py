"""The frame of every page (``base.html``): its head, the government banner, the header with
the menu and the language form, and the footer, rendered once per language and menu and kept.

The frame is the same on every page a user sees in one language, but rendering it cost ~0.4 ms
a page (a dozen ``url_for``, twenty translations, the language list): a tenth of a section page
or a package view. Its three parts live in ``templates/chrome/``; each is rendered with markers
in place of the two values that change from page to page (the form token and the address the
language form returns to), split at the markers and kept; a page then joins the kept pieces
with its own escaped values.

What a part may depend on is its key: the part, the language, the menu (signed in or not, the
role, whether a manager) and the application root. The parts are rendered with only those
variables (``_context``); ``tests/web/test_chrome.py`` compares every page frame, in every
language and for every kind of user, with the former ``base.html`` rendered in full.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from flask import current_app, request
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal.lru import LRU

PARTS = ("top", "header", "bottom")
_FORM_TOKEN = "\x00chrome-csrf\x00"  # noqa: S105 - a marker, not a secret
_NEXT = "\x00chrome-next\x00"
_MARKERS = re.compile(f"({re.escape(_FORM_TOKEN)}|{re.escape(_NEXT)})")
#: (part, language, menu, application root) -> the part's pieces around the markers, in
#: order, with each marker between two pieces. A few dozen in use (8 languages, 6 menus).
_KEY = tuple[str, str, tuple[object, ...], str]
_EXTENSION = "portal.chrome"


def _menu(user: Any) -> tuple[object, ...]:
    """What the menu shows depends on: whether someone is signed in, their role, and whether
    they manage (the outreach statistics of a triage manager)."""
    if not user:
        return ()
    return (str(user.role), bool(user.is_manager))


def _context(context: Context, menu: tuple[object, ...]) -> dict[str, Any]:
    # the signed-in user as the frame sees them: only what _menu keys on
    user = SimpleNamespace(role=menu[0], is_manager=menu[1]) if menu else None
    return {"current_user": user, "locale_code": context["locale_code"],
            "locale_info": context["locale_info"], "text_dir": context["text_dir"],
            "supported_locales": context["supported_locales"],
            "chrome_csrf": _FORM_TOKEN, "chrome_next": _NEXT}


def _pieces(context: Context, part: str, menu: tuple[object, ...]) -> tuple[str, ...]:
    html = current_app.jinja_env.get_template(f"chrome/{part}.html").render(
        _context(context, menu))
    # the markers kept as pieces of their own, between the text around them
    return tuple(_MARKERS.split(html))


def _kept() -> LRU[_KEY, tuple[str, ...]]:
    kept = current_app.extensions.get(_EXTENSION)
    if kept is None:
        kept = current_app.extensions[_EXTENSION] = LRU(256)
    return kept


@pass_context
def chrome(context: Context, part: str) -> Markup:
    """One part of the page frame, with this page's form token and address."""
    if part not in PARTS:
        raise ValueError(f"no frame part {part!r}")
    menu = _menu(context.get("current_user"))
    key = (part, str(context["locale_code"]), menu, request.script_root)
    pieces = _kept().get_or_make(key, lambda: _pieces(context, part, menu))
    if len(pieces) == 1:
        return Markup(pieces[0])  # noqa: S704 - rendered by Jinja with autoescaping
    token = next_path = ""
    out = []
    for piece in pieces:
        if piece == _FORM_TOKEN:
            token = token or str(escape(generate_csrf()))
            out.append(token)
        elif piece == _NEXT:
            next_path = next_path or str(escape(request.full_path if request.query_string
                                                else request.path))
            out.append(next_path)
        else:
            out.append(piece)
    return Markup("".join(out))  # noqa: S704 - rendered by Jinja; the values escaped here
