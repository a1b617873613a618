"""The sample library and explain mode: every deficient sample has a fixed version without
blockers, and explain mode walks every finding (field, problem, rule and citation, fix)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.contract.model import ASSISTANCE_TYPES
from portal.rules import has_blockers
from portal.training import explain, samples
from tests.conftest import Accounts, login

DEFICIENT = [s.slug for s in samples.load_samples() if not s.good]


def test_every_sample_file_is_in_the_library() -> None:
    files = sorted(p.stem for p in samples.EXAMPLES_DIR.glob("*.json"))
    assert [s.slug for s in samples.load_samples()] == files
    assert samples.sample_day().isoformat() == "2026-11-28"


def test_every_type_has_a_good_and_a_deficient_sample() -> None:
    for item_type in ASSISTANCE_TYPES:
        assert samples.samples_of_type(item_type, good=True), item_type
        assert samples.samples_of_type(item_type, good=False), item_type


def test_good_and_deficient_agree_with_the_file_names() -> None:
    for sample in samples.load_samples():
        assert sample.good == ("-good-" in sample.slug), sample.slug


@pytest.mark.parametrize("slug", DEFICIENT)
def test_the_fixed_version_of_a_deficient_sample_has_no_blocker(slug: str) -> None:
    sample = samples.get_sample(slug)
    assert sample is not None and sample.fixed is not None, f"no fixed version of {slug}"
    assert not has_blockers(list(sample.fixed_findings))
    before = {(f.code, f.path) for f in sample.findings if f.severity != "advice"}
    after = {(f.code, f.path) for f in sample.fixed_findings}
    assert before and not before & after
    # the fix changes what the findings name, and keeps the request recognisable
    assert sample.fixed.requesting_authority.country == sample.request.requesting_authority.country
    assert [i.type for i in sample.fixed.assistance] == [i.type for i in sample.request.assistance]


def test_only_deficient_samples_have_fixed_versions() -> None:
    deficient = {f"{slug}-fixed" for slug in DEFICIENT}
    assert {p.stem for p in samples.FIXED_DIR.glob("*.json")} == deficient


def test_sample_slugs_are_checked() -> None:
    assert samples.get_sample("../EXPECTATIONS") is None
    assert samples.get_sample("99-nothing") is None


@pytest.mark.parametrize("role", [Role.TRAINER, Role.SUBMITTER])
def test_library_and_sample_pages(client: FlaskClient, accounts: Accounts, role: Role) -> None:
    login(client, accounts.create(role))
    page = client.get("/training/samples")
    assert page.status_code == 200
    for sample in samples.load_samples():
        assert f"/training/samples/{sample.slug}" in page.text
    deficient = client.get("/training/samples?quality=deficient&type=witness").text
    assert "12-witness-deficient-cn" in deficient and "11-witness-good-co" not in deficient
    one = client.get("/training/samples/12-witness-deficient-cn")
    assert one.status_code == 200
    assert "WIT-IDENTITY" in one.text and "WIT-FOREIGN-OFFICIALS" in one.text
    assert client.get("/training/samples/nope").status_code == 404


def test_library_is_for_trainers_and_submitters_only(client: FlaskClient,
                                                     accounts: Accounts) -> None:
    assert client.get("/training/samples").status_code == 302  # to the login page
    login(client, accounts.create(Role.TRIAGE))
    assert client.get("/training/samples").status_code == 403


@pytest.mark.parametrize("slug", ["10-financial-records-deficient-ng", "20-other-deficient-pe",
                                  "01-subscriber-info-good-es"])
def test_explain_walks_every_finding_then_the_fix(app: Flask, client: FlaskClient,
                                                   accounts: Accounts, slug: str) -> None:
    login(client, accounts.create(Role.TRAINER))
    sample = samples.get_sample(slug)
    assert sample is not None
    with app.test_request_context("/"):
        walk = explain.walkthrough(sample, "en")
    intro = client.get(f"/training/samples/{slug}/explain")
    assert intro.status_code == 200 and "data-explain-next" in intro.text
    for number, step in enumerate(walk.steps, start=1):
        page = client.get(f"/training/samples/{slug}/explain?step={number}")
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert f"Step {number} of {walk.total}" in text
        assert step.title in text and step.explanation in text and step.fix in text
        assert step.code in text and all(c in text for c in step.citations)
        assert step.field.label in text
        assert 'aria-live="polite"' in page.text
    if sample.fixed is not None:
        last = html.unescape(client.get(
            f"/training/samples/{slug}/explain?step={walk.total}").text)
        assert "After the fix" in last and "nothing blocks it any more" in last
        assert "data-explain-next" not in last
        gone = re.findall(r"✓", last)
        assert len(gone) == len(walk.gone) > 0
    assert client.get(f"/training/samples/{slug}/explain?step={walk.total + 1}"
                      ).status_code == 404
    big = client.get(f"/training/samples/{slug}/explain?step=1&present=1")
    assert "portal-explain--present" in big.text and "present=1" in big.text


def test_explain_field_values(app: Flask) -> None:
    sample = samples.get_sample("14-search-seizure-deficient-ar")
    assert sample is not None
    with app.test_request_context("/?lang=en"):
        walk = explain.walkthrough(sample, "en")
        threshold = next(s for s in walk.steps if s.code == "SRCH-THRESHOLD")
        assert threshold.field.trail == "Offence 1 › Maximum penalty of imprisonment, in months"
        assert threshold.field.value == "12"
        assert threshold.fixed_field is not None
