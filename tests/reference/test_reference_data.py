"""Reference data: the shipped files load, are consistent, and the lookups behave."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from portal.reference import (
    BASIS_KINDS,
    DATA_DIR,
    FILES,
    IDENTIFIER_KINDS,
    OFFENCE_FLAGS,
    ReferenceData,
    load_reference,
)
from portal.reference.problems import ReferenceProblem


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference()


def test_files_load_and_version_combines_files(ref: ReferenceData) -> None:
    for kind in FILES:
        assert f"{kind}=" in ref.version
    assert ref.countries and ref.legal_bases and ref.providers and ref.offence_categories
    assert load_reference() is load_reference()  # kept while the files stay the same


def test_every_file_has_version_and_sourced_entries() -> None:
    for name in FILES.values():
        doc = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        assert isinstance(doc["version"], str)
        for entry in doc["entries"]:
            assert entry["source"].strip()
            if entry.get("verified") is False:
                assert "UNVERIFIED" in entry["source"] or "NOT checked" in entry["source"], entry


def test_countries(ref: ReferenceData) -> None:
    assert 249 <= len(ref.countries) <= 250
    assert ref.countries["US"].name == "United States"
    assert ref.countries["MX"].name == "Mexico"
    assert all(len(code) == 2 and code.isupper() for code in ref.countries)


def test_exactly_94_districts(ref: ReferenceData) -> None:
    assert len(ref.districts) == 94
    for code in ("CAN", "NYS", "DC", "PR", "GU", "VI", "MP", "TXW", "ALM"):
        assert code in ref.districts
    assert ref.districts["CAN"].name == "Northern District of California"
    assert ref.districts["CAN"].state == "California"


def test_every_provider_district_exists(ref: ReferenceData) -> None:
    for provider in ref.providers.values():
        assert provider.hq_district is None or provider.hq_district in ref.districts
        assert set(provider.identifier_kinds) <= IDENTIFIER_KINDS
        if provider.data_in_us:
            assert provider.hq_district is not None, provider.id


def test_providers_abroad(ref: ReferenceData) -> None:
    for pid in ("telegram", "proton", "yandex"):
        assert ref.providers[pid].data_in_us is False
    assert ref.providers["google"].data_in_us is True
    assert ref.providers["tiktok"].verified is False


def test_every_basis_country_exists(ref: ReferenceData) -> None:
    for basis in ref.legal_bases.values():
        assert basis.kind in BASIS_KINDS
        for code in basis.countries:
            assert code == "*" or code in ref.countries, (basis.id, code)
        if basis.in_force is not None:
            date.fromisoformat(basis.in_force)


def test_bases_for_country(ref: ReferenceData) -> None:
    bases = ref.bases_for("mx")
    kinds = [b.kind for b in bases]
    assert kinds[0] == "bilateral_treaty"
    assert kinds == sorted(kinds, key=BASIS_KINDS.index)
    ids = {b.id for b in bases}
    assert {"mlat-mx", "untoc", "letters-rogatory", "iacmamc"} <= ids
    assert "eu-us-mla-2003" not in ids
    assert "eu-us-mla-2003" in {b.id for b in ref.bases_for("DE")}
    # A country with no treaty still has the open conventions and letters rogatory.
    nowhere = {b.id for b in ref.bases_for("TD")}
    assert "letters-rogatory" in nowhere
    assert not any(ref.legal_bases[i].kind == "bilateral_treaty" for i in nowhere)


def test_bilateral_treaties_in_force(ref: ReferenceData) -> None:
    assert [b.id for b in ref.bilateral_treaties_in_force("RU", date(2026, 11, 28))] == ["mlat-ru"]
    assert ref.bilateral_treaties_in_force("RU", date(2001, 1, 1)) == []
    assert ref.bilateral_treaties_in_force("CO", date(2026, 11, 28)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("google", "google"),
        ("Google LLC", "google"),
        ("GMAIL", "google"),
        ("Facebook, Inc.", "meta"),
        ("meta platforms", "meta"),
        ("Instagram", "instagram"),
        ("WhatsApp Inc.", "whatsapp"),
        ("Twitter", "x"),
        ("Amazon.com", "amazon"),
        ("AT&T", "att"),
        ("t-mobile us", "tmobile"),
        ("  Microsoft Corp. ", "microsoft"),
        ("Proton Mail", "proton"),
        ("protonmail", "proton"),
        ("Yandex.Mail", "yandex"),
        ("Télégram", "telegram"),
        ("pay-pal", "paypal"),
    ],
)
def test_find_provider(ref: ReferenceData, query: str, expected: str) -> None:
    found = ref.find_provider(query)
    assert found is not None and found.id == expected


@pytest.mark.parametrize("query", ["", "   ", "Unknown Mail Co", "Inc."])
def test_find_provider_unknown(ref: ReferenceData, query: str) -> None:
    assert ref.find_provider(query) is None


def test_cloud_act_agreement_dates(ref: ReferenceData) -> None:
    assert ref.cloud_act_agreement("GB", date(2022, 10, 2)) is None
    gb = ref.cloud_act_agreement("GB", date(2022, 10, 3))
    assert gb is not None and gb.kind == "cloud_act_agreement"
    assert ref.cloud_act_agreement("gb", date(2026, 11, 28)) is gb
    assert ref.cloud_act_agreement("AU", date(2024, 1, 30)) is None
    au = ref.cloud_act_agreement("AU", date(2024, 1, 31))
    assert au is not None and "AU" in au.countries
    assert ref.cloud_act_agreement("FR", date(2026, 11, 28)) is None
    assert ref.cloud_act_agreement("", date(2026, 11, 28)) is None


def test_offence_categories(ref: ReferenceData) -> None:
    cats = ref.offence_categories
    for cid in (
        "fraud",
        "corruption",
        "money_laundering",
        "cybercrime",
        "speech",
        "political",
        "military",
        "other",
    ):
        assert cid in cats
    assert cats["speech"].flags == {"speech"}
    for cat in cats.values():
        assert cat.flags <= OFFENCE_FLAGS
        if cat.flags:
            assert {"en", "es", "fr", "pt", "de", "ar", "zh_Hans", "ru"} <= set(cat.keywords)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aggravated defamation", {"speech"}),
        ("Difamación y calumnia", {"speech"}),
        ("Diffamation publique", {"speech"}),
        ("Calúnia", {"speech"}),
        ("Volksverhetzung", {"speech"}),
        ("ازدراء الأديان", {"speech"}),
        ("诽谤罪", {"speech"}),
        ("Клевета", {"speech"}),
        ("Lese majeste", {"speech"}),
        ("High treason", {"political"}),
        ("Государственная измена", {"political"}),
        ("Desertion", {"military"}),
        ("Fraud by false representation", set()),
        ("خيانة الأمانة", set()),  # breach of trust, not treason
        ("Мошенничество", set()),
    ],
)
def test_keyword_matching(ref: ReferenceData, name: str, expected: set[str]) -> None:
    assert {c.id for c in ref.categories_matching(name)} == expected


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "ref"
    target.mkdir(parents=True)
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, target / name)
    return target


def _edit(directory: Path, name: str, change: Callable[[dict[str, Any]], object]) -> None:
    path = directory / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_copy_of_files_loads(tmp_path: Path) -> None:
    ref = load_reference(_copy(tmp_path))
    assert len(ref.districts) == 94


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        load_reference(tmp_path / "nowhere")


def test_missing_file_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "providers.json").unlink()
    with pytest.raises(ValueError, match=r"missing file .*providers\.json"):
        load_reference(d)


def test_bad_json_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "districts.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"districts\.json: not valid JSON"):
        load_reference(d)


def test_a_file_that_is_not_utf8_raises_a_problem(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "districts.json").write_bytes('{"name": "Bogotá"}'.encode("latin-1"))
    with pytest.raises(ReferenceProblem, match=r"not UTF-8: .*districts\.json at byte 15"):
        load_reference(d)


def test_duplicate_id_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d, "providers.json", lambda doc: doc["entries"].append(dict(doc["entries"][0])))
    with pytest.raises(ValueError, match=r"providers\.json: entry \d+: duplicate id 'google'"):
        load_reference(d)


def test_unknown_district_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d, "providers.json", lambda doc: doc["entries"][0].update(hq_district="ZZZ"))
    with pytest.raises(ValueError, match="unknown district code 'ZZZ'"):
        load_reference(d)


def test_unknown_country_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d, "legal_bases.json", lambda doc: doc["entries"][0].update(countries=["QQ"]))
    with pytest.raises(ValueError, match=r"legal_bases\.json: entry 0: .*country code 'QQ'"):
        load_reference(d)


def test_missing_source_raises(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d, "countries.json", lambda doc: doc["entries"][3].pop("source"))
    with pytest.raises(ValueError, match=r"countries\.json: entry 3: 'source'"):
        load_reference(d)


def test_bad_version_and_kind_raise(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d, "legal_bases.json", lambda doc: doc["entries"][0].update(kind="pact"))
    with pytest.raises(ValueError, match="unknown kind 'pact'"):
        load_reference(d)
    d2 = _copy(tmp_path / "second")
    _edit(d2, "countries.json", lambda doc: doc.update(version=3))
    with pytest.raises(ValueError, match=r"countries\.json: 'version'"):
        load_reference(d2)
