"""Translated text comes from portal.translation only: its catalog is kept once per request,
so a block in another language must switch through its ``force_locale`` (Flask-Babel's own
would leave the page's catalog in place)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "portal"
#: Flask-Babel names that pick or switch the catalog; portal.translation wraps each.
WRAPPED = {"gettext", "ngettext", "pgettext", "lazy_gettext", "lazy_ngettext", "force_locale",
           "get_translations"}


def problems(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
            found += [f"{path.name}:{node.lineno}: imports {alias.name} from flask_babel"
                      for alias in node.names if alias.name in WRAPPED]
        elif (isinstance(node, ast.Attribute) and node.attr in WRAPPED
              and isinstance(node.value, ast.Name) and node.value.id == "flask_babel"):
            found.append(f"{path.name}:{node.lineno}: uses flask_babel.{node.attr}")
    return found


def test_only_portal_translation_reaches_flask_babels_catalog() -> None:
    found = [problem for path in sorted(ROOT.rglob("*.py")) if path.name != "translation.py"
             or path.parent != ROOT for problem in problems(path)]
    assert found == []


def test_tests_switch_language_through_portal_translation() -> None:
    """(Flask-Babel's own gettext may be tested as such; its force_locale would leave the
    page's catalog in place for the portal's labels.)"""
    found = [problem for path in sorted((REPO / "tests").rglob("*.py"))
             if path.parent.name != "architecture" for problem in problems(path)
             if "force_locale" in problem]
    assert found == []


def test_the_check_finds_a_direct_use(tmp_path: Path) -> None:
    sample = tmp_path / "direct.py"
    sample.write_text("import flask_babel\nfrom flask_babel import force_locale, get_locale\n"
                      "with flask_babel.force_locale('fr'):\n    pass\n", encoding="utf-8")
    assert len(problems(sample)) == 2, problems(sample)
