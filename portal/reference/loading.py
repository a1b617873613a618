"""Reading the reference files, validating them (:mod:`.validation`), and keeping what was
read for as long as the files stay the same (a changed file is read again on the next call, in
every process)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from portal import cache
from portal.i18n_core import N_
from portal.reference.problems import ReferenceProblem
from portal.reference.records import ReferenceData
from portal.reference.validation import (
    FILES,
    Reader,
    load_bases,
    load_categories,
    load_countries,
    load_districts,
    load_providers,
)

__all__ = ["DATA_DIR", "FILES", "ReferenceProblem", "load_reference", "parse_documents",
           "problems_of", "read_document", "read_documents", "reference_size"]

#: The directory holding the package's own reference files.
DATA_DIR = Path(__file__).resolve().parent

T = TypeVar("T")


def read_document(path: Path) -> object:
    """One reference file's JSON document (:class:`ReferenceProblem` naming the file when
    unreadable)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceProblem(f"missing file {path}", N_("The file %(path)s is missing."),
                               path=str(path)) from None
    except OSError as exc:
        raise ReferenceProblem(f"cannot read {path}: {exc}", N_(
            "The file %(path)s cannot be read (%(detail)s)."),
            path=str(path), detail=exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ReferenceProblem(f"not UTF-8: {path} at byte {exc.start}", N_(
            "The file %(path)s is not UTF-8 text (byte %(position)d)."),
            path=str(path), position=exc.start) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReferenceProblem(f"not valid JSON: {exc}", N_(
            "This is not valid JSON (line %(line)d, column %(column)d)."),
            file=path.name, line=exc.lineno, column=exc.colno) from None


def read_documents(directory: Path | None = None) -> dict[str, object]:
    """Kind -> JSON document of every file of ``directory`` (default: the package's files)."""
    folder = DATA_DIR if directory is None else directory
    if not folder.is_dir():
        raise ReferenceProblem(f"{folder} is not a directory",
                               N_("%(path)s is not a directory."), path=str(folder))
    return {kind: read_document(folder / name) for kind, name in FILES.items()}


def parse_documents(docs: Mapping[str, object], version: str | None = None) -> ReferenceData:
    """Validated reference data from kind -> document (the files' layout). ``version`` names
    the set (default: each kind's own version, joined). Raises :class:`ReferenceProblem` at
    the first problem, naming the kind's file and the entry."""
    missing = ", ".join(FILES[kind] for kind in FILES if kind not in docs)
    if missing:
        raise ReferenceProblem(f"missing {missing}", N_("These files are missing: %(files)s."),
                               files=missing)
    readers = {kind: Reader(name, docs[kind]) for kind, name in FILES.items()}
    countries = load_countries(readers["countries"])
    districts = load_districts(readers["districts"])
    legal_bases = load_bases(readers["legal_bases"], countries)
    providers = load_providers(readers["providers"], districts)
    categories = load_categories(readers["offence_categories"])
    if version is None:
        version = ";".join(f"{kind}={readers[kind].version}" for kind in FILES)
    return ReferenceData(
        version=version,
        countries=MappingProxyType(countries),
        legal_bases=MappingProxyType(legal_bases),
        providers=MappingProxyType(providers),
        districts=MappingProxyType(districts),
        offence_categories=MappingProxyType(categories),
    )


def problems_of(docs: Mapping[str, object]) -> list[ReferenceProblem]:
    """Every problem of ``docs``, the first of each kind, so that an editor sees them all at
    once (legal bases and providers are checked when the kind they refer to is sound)."""
    found: list[ReferenceProblem] = []

    def attempt(make: Callable[[], T]) -> T | None:
        try:
            return make()
        except ReferenceProblem as problem:
            found.append(problem)
            return None

    readers: dict[str, Reader] = {}
    for kind, name in FILES.items():
        if kind not in docs:
            found.append(ReferenceProblem(f"missing {name}", N_("These files are missing: "
                                                                "%(files)s."), files=name))
            continue
        try:
            readers[kind] = Reader(name, docs[kind])
        except ReferenceProblem as problem:
            found.append(problem)
    countries = districts = None
    if "countries" in readers:
        countries = attempt(lambda: load_countries(readers["countries"]))
    if "districts" in readers:
        districts = attempt(lambda: load_districts(readers["districts"]))
    if "offence_categories" in readers:
        attempt(lambda: load_categories(readers["offence_categories"]))
    if "legal_bases" in readers and countries is not None:
        known_countries = countries
        attempt(lambda: load_bases(readers["legal_bases"], known_countries))
    if "providers" in readers and districts is not None:
        known_districts = districts
        attempt(lambda: load_providers(readers["providers"], known_districts))
    return found


def _load(directory: Path) -> ReferenceData:
    return parse_documents(read_documents(directory))


def reference_size(data: ReferenceData) -> int:
    """Bytes held by loaded reference data (its records and the provider index)."""
    mappings = (data.countries, data.legal_bases, data.providers, data.districts,
                data.offence_categories, data._provider_index)
    return sum(cache.approximate_size(dict(mapping)) for mapping in mappings)


_LOADED = cache.named(
    "reference.data", max_bytes=32 * 1024 * 1024, sizeof=reference_size,
    why="reference data read from its files (key: directory, each file's size and times)",
)


def _identity(folder: str) -> tuple[tuple[str, int, int, int, int], ...] | None:
    """What tells one state of the files from another: size, modification and change times and
    inode of each file (None when a file cannot be examined)."""
    out = []
    try:
        for name in FILES.values():
            found = os.stat(os.path.join(folder, name))
            out.append((name, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino))
    except OSError:
        return None
    return tuple(out)


def load_reference(directory: Path | None = None) -> ReferenceData:
    """The reference data of ``directory`` (default: the package's files), read again when a
    file changed since the last call (replace files atomically). Problems (missing file, bad
    JSON, unknown or duplicate codes, missing sources) raise :class:`ReferenceProblem` (a
    ``ValueError``) naming the file."""
    folder = os.path.abspath(DATA_DIR if directory is None else directory)
    before = _identity(folder)
    if before is None:
        return _load(Path(folder))  # raises the error naming the missing file or directory
    key = (folder, before)
    found: ReferenceData | None = _LOADED.get(key)
    if found is None:
        found = _load(Path(folder))
        if _identity(folder) == before:  # not changed while being read
            _LOADED.put(key, found)
    return found
