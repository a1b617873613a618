"""The import graph of portal/, read from the source (imports inside functions included)."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "portal"


@dataclass
class Graph:
    files: dict[str, Path] = field(default_factory=dict)
    edges: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def package_of(self, module: str) -> str:
        """``portal.x`` for a module in the package portal/x/, else the module itself."""
        parts = module.split(".")
        if len(parts) >= 2 and (ROOT / parts[1]).is_dir():
            return ".".join(parts[:2])
        return module

    def package_edges(self) -> dict[str, set[str]]:
        out: defaultdict[str, set[str]] = defaultdict(set)
        for source, targets in self.edges.items():
            for target in targets:
                a, b = self.package_of(source), self.package_of(target)
                if a != b and b != "portal":
                    out[a].add(b)
        return out


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def build(root: Path = ROOT) -> Graph:
    graph = Graph()
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        graph.files[module_name(path)] = path
    for module, path in graph.files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for name in imported_modules(parse(path), package):
            target = _resolve(graph.files, name)
            if target is not None and target != module:
                graph.edges[module].add(target)
    return graph


def imported_modules(tree: ast.Module, package: str) -> Iterator[str]:
    """Every module an import statement names, anywhere in the file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:  # a submodule when there is one, else the module
                yield f"{base}.{alias.name}"


def _resolve(files: dict[str, Path], name: str) -> str | None:
    if not name.startswith("portal"):
        return None
    while name and name not in files:
        name = name.rpartition(".")[0]
    return name or None


def cycles(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found
