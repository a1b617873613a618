"""The Jinja environment of the PDF templates (``templates/pdf``), independent of Flask:
autoescaped, and holding no locale (each render is given its own translation callables, so
threads never share one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from portal.i18n_core import get_translations
from portal.pdf.labels import label
from portal.pdf.languages import direction_of

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "pdf"


# A zero-argument loader of the templates shipped with the code: one environment per process.
@cache
def environment() -> Environment:
    """The shared environment: autoescaped, strict about undefined names, i18n tags enabled."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} passes variables
    env.filters["label"] = lambda value, labels: label(labels, value)
    env.globals["direction_of"] = direction_of
    return env


def translation_callables(translations: NullTranslations) -> dict[str, Callable[..., Markup]]:
    """``_``, ``gettext`` and ``ngettext`` for one render, in Jinja's "newstyle": ``%(name)s``
    placeholders filled from keywords. Translations are text: escaped, never markup."""

    def gettext(message: str, /, **variables: Any) -> Markup:
        return Markup.escape(translations.gettext(message)) % variables

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return Markup.escape(translations.ngettext(singular, plural, num)) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def render_template(name: str, *, locale: str, context: Mapping[str, Any]) -> str:
    """``templates/pdf/<name>`` rendered with ``context`` and ``locale``'s translations."""
    template = environment().get_template(name)
    return template.render(**translation_callables(get_translations(locale)), **context)
