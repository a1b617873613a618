"""No request reaches OIA's queue with a blocker (issue #18), whichever way it is submitted:
every sample, imported with its documents by an account of its country, is submitted through
the service (as the wizard's submit page does); the deficient ones are refused, and every
stored version that reached the queue holds no blocker among its own findings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.requests import checks, drafts, submission
from portal.requests.models import MlaRequest, RequestVersion
from portal.triage.models import TriageEntry
from tests.conftest import Accounts
from tests.packages.helpers import import_with_documents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
SAMPLES = sorted(p.name for p in EXAMPLES.glob("*.json"))
#: The samples' expectations hold on this day (examples/requests/EXPECTATIONS.yaml).
TODAY = date.fromisoformat(str(yaml.safe_load(
    (EXAMPLES / "EXPECTATIONS.yaml").read_text(encoding="utf-8"))["today"]))


@pytest.mark.parametrize("name", SAMPLES)
def test_only_requests_without_blockers_reach_the_queue(app: Flask, accounts: Accounts,
                                                       name: str) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    country = json.loads(text)["requesting_authority"]["country"]
    account = accounts.create(Role.SUBMITTER, country=country)
    database, settings = app.extensions["portal.db"], app.extensions["portal.settings"]
    with database.session() as db:
        user = db.get(User, account.id)
        assert user is not None
        request = import_with_documents(db, settings, user, text)
        found = checks.compute(drafts.content_of(request), "en", TODAY,
                               account_country=checks.account_country_of(request))
        # every warning justified: only blockers may stop the request
        request.acks_json = json.dumps({f.key: "Justified for the test." for f in found
                                        if f.severity == "warning"})
        blockers = [f for f in found if f.severity == "blocker"]
        public_id = request.public_id
    with database.session() as db:
        user = db.get(User, account.id)
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and request is not None
        if blockers:
            with pytest.raises(submission.NotReady):
                submission.submit(db, settings, user, request,
                                  expected_revision=request.revision, locale="en", today=TODAY)
        else:
            submission.submit(db, settings, user, request, expected_revision=request.revision,
                              locale="en", today=TODAY)
    with database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None
        versions = list(db.scalars(select(RequestVersion)
                                   .where(RequestVersion.request_id == request.id)))
        queued = db.scalar(select(TriageEntry).where(TriageEntry.request_id == request.id))
        assert bool(versions) == (not blockers) == (queued is not None), name
        for version in versions:
            stored = json.loads(version.findings_json)
            assert not [f for f in stored if f["severity"] == "blocker"], name
            assert version.reference_version
    assert ("-good-" in name) == (not blockers), (name, [f.key for f in blockers])
