"""The portal uses its libraries as they are: no assignment to an attribute of a third-party
module or of anything imported from one, no ``setattr`` on them, no private name of theirs."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from tests.architecture.imports import ROOT, parse


def _module_or_class(module: str, name: str) -> bool:
    """Whether ``from module import name`` gives a module or a class (not an object meant to
    hold attributes, such as Flask's ``g``)."""
    try:
        value = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        try:
            importlib.import_module(f"{module}.{name}")
        except ImportError:
            return True  # unknown: judged as a library's own
        return True
    return inspect.ismodule(value) or inspect.isclass(value)


def _foreign_names(tree: ast.Module) -> set[str]:
    """Names a file binds to third-party modules and classes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not alias.name.startswith("portal"):
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and not node.level \
                and not (node.module or "").startswith("portal"):
            names.update(alias.asname or alias.name for alias in node.names
                         if _module_or_class(node.module or "", alias.name))
    return names


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def problems(path: Path) -> list[str]:
    tree = parse(path)
    foreign = _foreign_names(tree)
    where = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent) else path.name
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and _root(target) in foreign:
                found.append(f"{where}:{node.lineno}: assigns {ast.unparse(target)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("setattr", "delattr") and node.args \
                and _root(node.args[0]) in foreign:
            found.append(f"{where}:{node.lineno}: {node.func.id} on {ast.unparse(node.args[0])}")
        if isinstance(node, ast.ImportFrom) and not node.level \
                and not (node.module or "").startswith("portal"):
            module_parts = (node.module or "").split(".")
            for alias in node.names:
                if _private(alias.name) or any(_private(p) for p in module_parts):
                    found.append(f"{where}:{node.lineno}: imports {node.module}.{alias.name}")
        if isinstance(node, ast.Attribute) and _private(node.attr) \
                and isinstance(node.value, ast.Name | ast.Attribute) \
                and _root(node.value) in foreign:
            found.append(f"{where}:{node.lineno}: uses {ast.unparse(node)}")
    return found


def test_no_library_is_patched_or_reached_into() -> None:
    found = [problem for path in sorted(ROOT.rglob("*.py")) for problem in problems(path)]
    assert found == []


def test_the_check_finds_a_patch(tmp_path: Path) -> None:
    sample = tmp_path / "patching.py"
    sample.write_text(
        "import wtforms.widgets.core as core\n"
        "from flask.globals import _cv_app\n"
        "from flask_babel.speaklater import LazyString\n"
        "core.html_params = print\n"
        "LazyString.__str__ = str\n"
        "setattr(core, 'x', 1)\n", encoding="utf-8")
    assert len(problems(sample)) == 4, problems(sample)
