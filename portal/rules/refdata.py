"""What the rules need from the reference data (``portal.reference``), as structural types: the
rules can be tested with small hand-made reference objects."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, cast


class LegalBasisLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def countries(self) -> frozenset[str]: ...
    @property
    def in_force(self) -> str | None: ...


class ProviderLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def data_in_us(self) -> bool: ...


class OffenceCategoryLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def flags(self) -> frozenset[str]: ...
    @property
    def keywords(self) -> Mapping[str, tuple[str, ...]]: ...


class ReferenceLike(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def legal_bases(self) -> Mapping[str, LegalBasisLike]: ...
    @property
    def offence_categories(self) -> Mapping[str, OffenceCategoryLike]: ...
    def bases_for(self, country: str) -> Sequence[LegalBasisLike]: ...
    def find_provider(self, name_or_id: str) -> ProviderLike | None: ...
    def cloud_act_agreement(self, country: str, on: date) -> LegalBasisLike | None: ...


@dataclass(frozen=True)
class EmptyReference:
    """Reference data that knows nothing (used when ``portal.reference`` is unavailable)."""

    version: str = "empty"
    legal_bases: Mapping[str, LegalBasisLike] = field(default_factory=dict)
    offence_categories: Mapping[str, OffenceCategoryLike] = field(default_factory=dict)

    def bases_for(self, country: str) -> Sequence[LegalBasisLike]:
        return []

    def find_provider(self, name_or_id: str) -> ProviderLike | None:
        return None

    def cloud_act_agreement(self, country: str, on: date) -> LegalBasisLike | None:
        return None


def load_default_reference() -> ReferenceLike:
    """The reference data in force (``portal.reference.current_reference()``: the version in
    the database for a request or a job, else the files), or empty data without that package."""
    try:
        module = importlib.import_module("portal.reference")
        return cast(ReferenceLike, module.current_reference())
    except (ImportError, AttributeError):
        return EmptyReference()
