"""Imports run one way: web -> domains -> contract/rules -> db, with no cycle between packages
or between files (imports inside functions count)."""

from __future__ import annotations

import pytest

from tests.architecture.imports import ROOT, Graph, build, cycles

#: The domains, each above the ones it may use (a domain may use any listed after it).
DOMAINS = ["portal.ops", "portal.training", "portal.retention", "portal.packages",
           "portal.notify", "portal.triage", "portal.asks", "portal.attachments",
           "portal.webhooks", "portal.requests",
           "portal.accounts", "portal.pdf", "portal.audit", "portal.mail", "portal.limits",
           "portal.reference",
           "portal.rules", "portal.contract"]
#: What the rule engine and the contract may never import (they run without a web app).
FRAMEWORKS = ("flask", "flask_babel", "flask_wtf", "wtforms", "werkzeug", "sqlalchemy", "jinja2")


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build()


def test_the_graph_sees_the_portal(graph: Graph) -> None:
    assert "portal.web.context" in graph.files
    assert "portal.requests.models" in graph.edges["portal.requests.drafts"]
    # an import inside a function is an edge too
    assert "portal.triage.duplicates" in graph.edges["portal.triage.intake"]


def test_no_cycle_between_files(graph: Graph) -> None:
    assert cycles(list(graph.files), graph.edges) == []


def test_no_cycle_between_packages(graph: Graph) -> None:
    edges = graph.package_edges()
    nodes = sorted({graph.package_of(m) for m in graph.files})
    assert cycles(nodes, edges) == []


def test_domains_never_import_the_web_layer(graph: Graph) -> None:
    wrong = sorted(f"{source} -> {target}" for source, targets in graph.edges.items()
                   for target in targets
                   if graph.package_of(source) in DOMAINS
                   and graph.package_of(target) == "portal.web")
    assert wrong == []


def test_domains_use_only_the_domains_below_them(graph: Graph) -> None:
    edges = graph.package_edges()
    wrong = sorted(f"{a} -> {b}" for a in DOMAINS for b in edges.get(a, ())
                   if b in DOMAINS and DOMAINS.index(b) < DOMAINS.index(a))
    assert wrong == []


@pytest.mark.parametrize("package", ["rules", "contract"])
def test_rules_and_contract_import_no_framework(package: str) -> None:
    from tests.architecture.imports import imported_modules, parse

    found = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imported_modules(parse(path), "")
        if name.split(".")[0] in FRAMEWORKS)
    assert found == []
