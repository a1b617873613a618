"""The fields of a wizard section as the saved draft fills them, rendered once and kept.

A section shown again for a draft that has not changed (moving between sections, coming back
from the check page or the task list) shows the same fields. Building the section's WTForms
form and rendering its fields was about a third of the page, so that HTML is kept by section,
the draft's saved JSON text and language: it depends on nothing else. The form class and its
choices follow from the content and the language (the choices object is kept beside the HTML
and must be the one asked for), and fields filled from the saved draft have no errors and no
posted values. A page with the user's unsaved input (kept over a new sign-in) or with errors
is built as before.

Outside the fields the page needs the form's two hidden inputs, the form token and the
revision; ``CleanForm`` renders them as WTForms does. ``tests/requests/test_section_html.py``
compares every section of every example request, in several languages, shown from kept
fields with the same page built in full.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal.contract.model import Request
from portal.lru import LRU
from portal.requests import formgen
from portal.requests.formgen import Choices
from portal.requests.node_html import render_nodes
from portal.requests.sections import Section

#: (section, saved JSON text, language) -> (the choices it was built with, the fields' HTML).
#: Case data, like the findings kept by content (docs/SECURITY.md). An LRU of 256.
_FIELDS: LRU[tuple[str, str, str], tuple[Choices, Markup]] = LRU(256)


class CleanForm:
    """What the section template reads of a form filled from the saved draft: no errors, the
    form token and the revision as hidden inputs."""

    def __init__(self, revision: int) -> None:
        self.errors: dict[str, Any] = {}
        self.form_errors: list[str] = []
        self.revision = Markup(  # noqa: S704 - an integer
            f'<input id="revision" name="revision" type="hidden" value="{int(revision)}">')

    @property
    def csrf_token(self) -> Markup:
        return Markup(  # noqa: S704 - the token escaped
            f'<input id="csrf_token" name="csrf_token" type="hidden" '
            f'value="{escape(generate_csrf())}">')


def saved_fields(section: Section, text: str, content: Request, choices: Choices,
                 locale: str) -> Markup:
    """The HTML of ``section``'s fields filled from the saved draft ``content`` (whose saved
    JSON is ``text``), in ``locale``."""
    key = (section.slug, text, locale)
    kept = _FIELDS.get(key)
    if kept is not None and kept[0] is choices:
        return kept[1]
    form, nodes = formgen.build(section, content, choices)
    html = render_nodes(nodes, formgen.flat_fields(form))
    _FIELDS.put(key, (choices, html))
    return html
