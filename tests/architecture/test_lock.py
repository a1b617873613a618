"""The lock files pin, with hashes, every dependency pyproject.toml names (``make lock``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

PROJECT = Path(__file__).resolve().parents[2]


def _locked(name: str) -> dict[str, str]:
    text = (PROJECT / "requirements" / name).read_text(encoding="utf-8")
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        found = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", block)
        if found:
            assert "--hash=sha256:" in block, block.splitlines()[0]
            pins[_normal(found.group(1))] = found.group(2)
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _named(requirements: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in requirements]


def test_every_dependency_is_locked_at_a_version_it_allows() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, test = _locked("runtime.txt"), _locked("test.txt")
    for requirement in _named(project["dependencies"]):
        for pins in (runtime, test):
            version = pins.get(_normal(requirement.name))
            assert version is not None, f"{requirement.name}: not in the lock (make lock)"
            assert requirement.specifier.contains(version), f"{requirement} locked at {version}"
    for requirement in _named(project["optional-dependencies"]["test"]):
        version = test.get(_normal(requirement.name))
        assert version is not None, f"{requirement.name}: not in the lock (make lock)"
        assert requirement.specifier.contains(version), f"{requirement} locked at {version}"
    # the test lock runs the same runtime as the runtime lock
    assert {name: test[name] for name in runtime} == runtime
