"""Reference data changed on disk is seen on the next call, without a restart or a clear."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from portal.reference import DATA_DIR, FILES, load_reference, loading
from portal.rules.refdata import load_default_reference


def _copy(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, target / name)
    return target


def _rename_mexico(directory: Path, version: str, name: str) -> None:
    path = directory / "countries.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["version"] = version
    for entry in doc["entries"]:
        if entry["code"] == "MX":
            entry["name"] = name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_an_edited_file_is_read_again_on_the_next_call(tmp_path: Path) -> None:
    directory = _copy(tmp_path / "ref")
    first = load_reference(directory)
    assert first.countries["MX"].name == "Mexico"
    assert load_reference(directory) is first  # unchanged files: the same data

    _rename_mexico(directory, "2099-01-01.7", "Estados Unidos Mexicanos")
    second = load_reference(directory)
    assert second.countries["MX"].name == "Estados Unidos Mexicanos"
    assert "countries=2099-01-01.7" in second.version
    assert second.version != first.version
    assert load_reference(directory) is second


def test_a_file_replaced_by_rename_is_read_again(tmp_path: Path) -> None:
    directory = _copy(tmp_path / "ref")
    first = load_reference(directory)
    staged = _copy(tmp_path / "staged")
    _rename_mexico(staged, "2099-01-02.1", "México")
    os.replace(staged / "countries.json", directory / "countries.json")
    second = load_reference(directory)
    assert second.countries["MX"].name == "México"
    assert second.version != first.version


def test_the_default_reference_follows_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _copy(tmp_path / "ref")
    monkeypatch.setattr(loading, "DATA_DIR", directory)
    before = load_default_reference()
    assert "countries=2099-01-03.1" not in before.version

    _rename_mexico(directory, "2099-01-03.1", "Mexico (United Mexican States)")
    after = load_default_reference()
    assert "countries=2099-01-03.1" in after.version
    assert load_reference().countries["MX"].name == "Mexico (United Mexican States)"


def test_a_broken_edit_raises_and_the_fix_is_read(tmp_path: Path) -> None:
    directory = _copy(tmp_path / "ref")
    load_reference(directory)
    (directory / "districts.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"districts\.json: not valid JSON"):
        load_reference(directory)
    shutil.copy(DATA_DIR / "districts.json", directory / "districts.json")
    assert len(load_reference(directory).districts) == 94
