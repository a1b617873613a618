"""docs/ARCHITECTURE.md lists every named cache with its bound."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import portal
from portal import cache

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def bound(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def test_every_cache_is_in_the_architecture_page() -> None:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    section = DOC.read_text(encoding="utf-8").split("\n## Caches\n", 1)[1].split("\n## ", 1)[0]
    rows = {found.group(1): found.group(2).strip() for found in re.finditer(
        r"^\| `([^`]+)` \|[^|]*\|([^|]*)\|", section, re.M)}
    named = {c.name: bound(c.max_bytes) for c in cache.all_caches()}
    assert named, "no cache found"
    assert rows == named
