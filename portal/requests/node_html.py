"""The generated fields of a wizard section (the nodes of :mod:`portal.requests.formgen`) as
HTML, built in Python.

It was the recursive ``render_node`` macro of ``templates/macros/wizard.html``: a section with
a few lists of persons or items makes a hundred macro calls, and the calls cost more than the
HTML they wrote (a fifth of a section page). ``tests/requests/test_node_html.py`` renders the
former macro (kept in ``tests/requests/former_render_node.html``) beside this function on every
section of every example request, in several languages, with and without errors.

As in the templates, labels and translations are markup (a lazy label's ``__html__`` is its
translation), and every other value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

from portal.requests.formgen import Node
from portal.web.field_html import form_field


def _e(value: object) -> str:
    return str(escape(value))


def _hint(node: Node) -> str:
    return f'<div class="usa-hint">{_e(node.hint)}</div>' if node.hint else ""


def _checkboxes(node: Node, f: Any) -> str:
    options = "".join(
        f'<div class="usa-checkbox">{option(class_="usa-checkbox__input")}'
        f'{option.label(class_="usa-checkbox__label")}</div>' for option in f)
    error = " usa-form-group--error" if f.errors else ""
    return (f'<fieldset class="usa-fieldset{error}">'
            f'<legend class="usa-legend">{_e(node.label)}</legend>{_hint(node)}{options}'
            "</fieldset>")


def _narrative(node: Node, fields: Mapping[str, Any]) -> str:
    parts = []
    for child in node.children:
        f = fields[child.anchor[2:]]
        if child.path.endswith(".text"):
            control = form_field(f, dir="auto")
        elif child.path.endswith(".english"):
            control = form_field(f, dir="ltr")
        else:
            control = form_field(f)
        parts.append('<div class="portal-narrative__part portal-narrative__part--'
                     f'{_e(child.path.rsplit(".", 1)[-1])}" id="{_e(child.anchor)}">'
                     f"{control}</div>")
    return (f'<fieldset class="usa-fieldset portal-narrative" id="{_e(node.anchor)}">'
            f'<legend class="usa-legend usa-legend--large">{_e(node.label)}</legend>'
            f'{_hint(node)}<div class="portal-narrative__pair">{"".join(parts)}</div>'
            "</fieldset>")


def _group(node: Node, fields: Mapping[str, Any], out: list[str]) -> None:
    out.append(f'<fieldset class="usa-fieldset portal-group" id="{_e(node.anchor)}">')
    extra = node.extra
    if node.label:
        legend = _e(node.label)
        if "index" in extra:
            legend += f" {extra['index'] + 1}"
        if extra.get("type_label"):
            legend += ": " + _e(extra["type_label"])
        out.append(f'<legend class="usa-legend">{legend}</legend>')
    out.append(_hint(node))
    for child in node.children:
        _node(child, fields, out)
    if node.remove_op:
        out.append(f'<button type="submit" name="op" value="{_e(node.remove_op)}" '
                   'class="usa-button usa-button--unstyled portal-remove" formnovalidate>'
                   f'{gettext("Remove")}<span class="usa-sr-only"> {_e(node.label)} '
                   f"{extra['index'] + 1}</span></button>")
    out.append("</fieldset>")


def _list(node: Node, fields: Mapping[str, Any], out: list[str]) -> None:
    out.append(f'<div class="portal-list" id="{_e(node.anchor)}">')
    if node.label:
        out.append(f'<h3 class="portal-list__heading">{_e(node.label)}</h3>')
    out.append(_hint(node))
    for entry in node.children:
        _node(entry, fields, out)
    if not node.extra.get("full") and node.path != "assistance":
        out.append(f'<button type="submit" name="op" value="{_e(node.add_op)}" '
                   'class="usa-button usa-button--outline portal-add" formnovalidate>'
                   f"{_e(node.add_label)}</button>")
    out.append("</div>")


def _node(node: Node, fields: Mapping[str, Any], out: list[str]) -> None:
    kind = node.kind
    if kind in ("field", "checkboxes"):
        f = fields[node.anchor[2:]]
        inner = _checkboxes(node, f) if kind == "checkboxes" else form_field(f)
        out.append(f'<div id="{_e(node.anchor)}" class="portal-field">{inner}</div>')
    elif kind == "narrative":
        out.append(_narrative(node, fields))
    elif kind == "group":
        _group(node, fields, out)
    elif kind == "list":
        _list(node, fields, out)


def render_nodes(nodes: Iterable[Node], fields: Mapping[str, Any]) -> Markup:
    """The HTML of a section's nodes; ``fields`` are the bound fields by input name
    (:func:`portal.requests.formgen.flat_fields`)."""
    out: list[str] = []
    for node in nodes:
        _node(node, fields, out)
    return Markup("\n".join(out))  # noqa: S704 - values escaped, labels and controls markup
