"""docs/SECURITY.md cannot rot silently: every test it names (as a pytest node id
``tests/file.py::test_name``) exists, every file or folder it names exists, every ``PORTAL_*``
setting it names is read by the code, every threat names its tests, and the ASVS table has each
chapter once. The checks are tried on a text with one broken reference of each kind, so that
they are known to fail."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb  # reads files only: once, in the SQLite pass

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "SECURITY.md"

NODE_ID = re.compile(r"(tests/[\w./-]+\.py)::(\w+)")
#: A file or folder of the project named in the text (not a URL path: no "/" before it).
PATH = re.compile(r"(?<![\w./<-])((?:portal|tests|templates|docs|requirements|scripts)/[\w./-]*)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
SETTING = re.compile(r"PORTAL_[A-Z0-9_]*[A-Z0-9]")
#: A threat's paragraph: "**S1 Guessing passwords.**" up to the next one or heading.
THREAT = re.compile(r"^\*\*([STRIDE]\d+) [^*]+\*\*", re.MULTILINE)
ASVS_ROW = re.compile(r"^\| (V\d+) ", re.MULTILINE)


@functools.cache
def defined_names(path: Path) -> frozenset[str]:
    """The functions a test file defines (at module level or in a class)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))


def missing_tests(text: str, root: Path = ROOT) -> list[str]:
    missing = []
    for file, name in NODE_ID.findall(text):
        path = root / file
        if not path.is_file():
            missing.append(f"{file}: no such file")
        elif name not in defined_names(path):
            missing.append(f"{file}::{name}: no such test")
    return sorted(set(missing))


def bare_test_names(text: str) -> list[str]:
    """Test names written without their file (``test_x`` alone in a code span)."""
    return sorted({span for span in CODE_SPAN.findall(text)
                   if re.fullmatch(r"test_\w+", span)})


def missing_paths(text: str, root: Path = ROOT) -> list[str]:
    found = {match.rstrip(".,") for match in PATH.findall(NODE_ID.sub("", text))}
    return sorted(path for path in found if not (root / path).exists())


@functools.cache
def code_text() -> str:
    sources = [*sorted((ROOT / "portal").rglob("*.py")), ROOT / "gunicorn.conf.py"]
    return "\n".join(path.read_text(encoding="utf-8") for path in sources)


def unknown_settings(text: str, code: str) -> list[str]:
    """``PORTAL_*`` names the code never mentions (``PORTAL_OIDC_*`` counts as a prefix)."""
    return sorted({name for name in SETTING.findall(text) if name not in code})


def threats_without_tests(text: str) -> list[str]:
    starts = [(match.start(), match.group(1)) for match in THREAT.finditer(text)]
    bare = []
    for index, (start, threat) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        block = text[start:end].split("\n#", 1)[0]
        if "Tests:" not in block or not NODE_ID.search(block):
            bare.append(threat)
    return bare


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_test_the_document_names_exists(doc: str) -> None:
    assert len(NODE_ID.findall(doc)) > 150  # the pattern still finds the references
    assert missing_tests(doc) == []


def test_no_test_is_named_without_its_file(doc: str) -> None:
    assert bare_test_names(doc) == []


def test_every_file_the_document_names_exists(doc: str) -> None:
    assert len(PATH.findall(doc)) > 30
    assert missing_paths(doc) == []


def test_every_setting_the_document_names_is_read_by_the_code(doc: str) -> None:
    assert len(SETTING.findall(doc)) > 20
    assert unknown_settings(doc, code_text()) == []


def test_every_threat_names_its_tests(doc: str) -> None:
    threats = [match.group(1) for match in THREAT.finditer(doc)]
    assert len(threats) > 30 and len(set(threats)) == len(threats), threats
    assert {threat[0] for threat in threats} == set("STRIDE")
    assert threats_without_tests(doc) == []


def test_the_asvs_table_has_every_chapter_once(doc: str) -> None:
    section = doc.split("## 8. OWASP ASVS 4.0.3", 1)[1].split("\n## ", 1)[0]
    assert ASVS_ROW.findall(section) == [f"V{n}" for n in range(1, 15)]


def test_the_checks_find_each_kind_of_broken_reference(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_here.py").write_text(
        "def test_present():\n    pass\n\n\nclass TestGroup:\n    def test_method(self):\n"
        "        pass\n", encoding="utf-8")
    text = ("`tests/test_here.py::test_present` `tests/test_here.py::test_method` "
            "`tests/test_here.py::test_gone` `tests/test_gone.py::test_present` "
            "`test_alone` `tests/test_here.py` `tests/nowhere/` `portal/gone.py`.\n"
            "`PORTAL_KNOWN`, `PORTAL_OIDC_*`, `PORTAL_UNKNOWN_SETTING`\n\n"
            "**S1 A threat.**\n- Tests: `tests/test_here.py::test_present`.\n\n"
            "**T1 Another.**\n- Mitigation: none.\n")
    assert missing_tests(text, tmp_path) == ["tests/test_gone.py: no such file",
                                             "tests/test_here.py::test_gone: no such test"]
    assert bare_test_names(text) == ["test_alone"]
    assert missing_paths(text, tmp_path) == ["portal/gone.py", "tests/nowhere/"]
    assert unknown_settings(text, 'env.get("PORTAL_KNOWN") env.get("PORTAL_OIDC_ISSUER")') \
        == ["PORTAL_UNKNOWN_SETTING"]
    assert threats_without_tests(text) == ["T1"]
