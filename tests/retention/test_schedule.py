"""The retention schedule: each kind is purged after its days and not before, 0 keeps for
ever, a legal hold stops every kind, and a dry run names what a run purges without changing
anything."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from portal.accounts.models import Role
from portal.attachments.models import Attachment
from portal.attachments.store import attachment_store
from portal.audit.models import AuditEvent
from portal.audit.verify import verify_chain
from portal.packages.models import Package, PackageState
from portal.requests import search
from portal.requests.models import RequestSearch
from portal.requests.search import FTS_TABLE
from portal.retention.hold import set_hold
from tests.conftest import Accounts, login
from tests.retention.helpers import (
    database,
    declined,
    draft,
    exists,
    hand_over,
    request_row,
    resubmitted,
    retention,
    schedule,
    submitted,
    withdrawn,
)


def test_a_draft_goes_after_its_days_untouched_and_not_before(app: Flask,
                                                              accounts: Accounts) -> None:
    schedule(app, draft_days=30)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = draft(app, submitter)
    sent = submitted(app, submitter)  # submitted: never a draft of this kind
    early = retention(app, days_from_now=29)
    assert early.kinds["draft"].purged == [] and exists(app, public_id)
    with database(app).session() as db:
        row_id = request_row(db, public_id).id
        search.store_document(db, row_id, "dp 1834/2026 jurgen muller")  # as a save writes it
    done = retention(app, days_from_now=31)
    assert done.kinds["draft"].purged == [public_id]
    assert not exists(app, public_id) and exists(app, sent)
    with database(app).session() as db:  # nor is it found by the search any more
        assert db.scalar(select(func.count()).select_from(RequestSearch)
                         .where(RequestSearch.request_id == row_id)) == 0
        if db.get_bind().dialect.name == "sqlite":
            assert db.scalar(text(f"SELECT count(*) FROM {FTS_TABLE} WHERE rowid = :id"),  # noqa: S608
                             {"id": row_id}) == 0


@pytest.mark.parametrize("kind", ["withdrawn", "closed"])
def test_an_ended_request_goes_with_everything_it_owns(app: Flask, accounts: Accounts,
                                                       kind: str) -> None:
    settings = schedule(app, **{f"{kind}_days": 10})
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    public_id = withdrawn(app, submitter) if kind == "withdrawn" else \
        declined(app, submitter, staff)
    still_open = submitted(app, submitter)
    with database(app).session() as db:
        request_id = request_row(db, public_id).id
        names = list(db.scalars(select(Attachment.storage_name)
                                .where(Attachment.request_id == request_id)))
        [bag] = [p.bag_name for p in db.scalars(select(Package)
                                                .where(Package.request_id == request_id))]
    store = attachment_store(settings)
    assert names and all(store.exists(n) for n in names)
    assert (settings.packages_path / bag).is_dir()

    assert retention(app, days_from_now=9).kinds[kind].purged == []
    report = retention(app, days_from_now=11)
    assert report.kinds[kind].purged == [public_id]
    assert report.files == len(names) and report.bags == 1 and report.errors == []
    assert not exists(app, public_id) and exists(app, still_open)
    assert not any(store.exists(n) for n in names)
    assert not (settings.packages_path / bag).exists()
    with database(app).session() as db:
        audit = list(db.scalars(select(AuditEvent).where(
            AuditEvent.action == "retention.purged")))
        assert [(a.object_id, json.loads(a.details)) for a in audit] == [
            (public_id, {"kind": kind, "days": 10})]
        # the request's earlier audit entries stay, and the chain still verifies
        assert db.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_id == public_id)) > 1
        assert verify_chain(db) == []


def test_zero_days_keep_for_ever(app: Flask, accounts: Accounts) -> None:
    schedule(app)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    kept = [draft(app, submitter), withdrawn(app, submitter), declined(app, submitter, staff)]
    hand_over(app)
    report = retention(app, days_from_now=100_000)
    assert all(k.purged == [] and k.held == [] for k in report.kinds.values())
    assert all(exists(app, public_id) for public_id in kept)


def test_package_bags_of_superseded_versions_and_ended_requests(app: Flask,
                                                                accounts: Accounts) -> None:
    settings = schedule(app, package_days=20)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    twice = resubmitted(app, submitter, staff)
    ended = declined(app, submitter, staff)
    current = submitted(app, submitter)
    hand_over(app)
    assert retention(app, days_from_now=19).kinds["package"].purged == []
    report = retention(app, days_from_now=21)
    assert sorted(report.kinds["package"].purged) == sorted([f"{twice} v1", f"{ended} v1"])
    with database(app).session() as db:
        states = {(p.request.public_id, p.version): p.state for p in db.scalars(select(Package))}
    assert states == {(twice, 1): PackageState.PURGED.value, (twice, 2): "built",
                      (ended, 1): PackageState.PURGED.value, (current, 1): "built"}
    bags = sorted(p.name for p in settings.packages_path.iterdir() if p.name.endswith(
        ("-v1", "-v2")))
    assert len(bags) == 2  # the latest version of the open requests
    assert all(exists(app, p) for p in (twice, ended, current))  # the requests stay
    assert retention(app, days_from_now=40).kinds["package"].purged == []  # once only
    # OIA's package view says so: handed off, its copy deleted (no link, not "being built")
    client = app.test_client()
    login(client, staff)
    page = client.get(f"/triage/{twice}").text
    row = re.search(r'<th scope="row">1</th>(.*?)</tr>', page, re.S)
    assert row and "Handed off" in row.group(1)
    assert "Deleted under the retention schedule" in row.group(1)
    assert "Being built" not in row.group(1) and "/package" not in row.group(1)


def test_drop_folder_copies_go_after_their_days(app: Flask, accounts: Accounts) -> None:
    settings = schedule(app, drop_days=7)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = submitted(app, submitter)
    hand_over(app)
    copies = sorted(p.name for p in settings.dropbox_path.iterdir())
    assert len(copies) == 2  # the bag and its .done marker
    assert retention(app, days_from_now=6).kinds["drop"].purged == []
    report = retention(app, days_from_now=8)
    assert report.kinds["drop"].purged == [f"{public_id} v1"]
    assert list(settings.dropbox_path.iterdir()) == []
    assert exists(app, public_id)
    with database(app).session() as db:  # the package itself stays
        assert db.scalar(select(Package.state)) == "built"
    assert retention(app, days_from_now=9).kinds["drop"].purged == []


def test_a_legal_hold_stops_every_kind(app: Flask, accounts: Accounts) -> None:
    settings = schedule(app, draft_days=1, withdrawn_days=1, closed_days=1, package_days=1,
                        drop_days=1)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    manager = accounts.create(Role.TRIAGE, manager=True)
    held = {"draft": draft(app, submitter), "withdrawn": withdrawn(app, submitter),
            "closed": declined(app, submitter, staff)}
    superseded = resubmitted(app, submitter, staff)
    hand_over(app)
    with database(app).session() as db:
        from portal.accounts.models import User

        boss = db.get(User, manager.id)
        assert boss is not None
        for public_id in [*held.values(), superseded]:
            set_hold(db, request_row(db, public_id), boss, "Litigation notice 2026-14.")
    drop_before = sorted(p.name for p in settings.dropbox_path.iterdir())
    for dry_run in (True, False):
        report = retention(app, days_from_now=30, dry_run=dry_run)
        assert all(k.purged == [] for k in report.kinds.values()), report
        for kind, public_id in held.items():
            assert report.kinds[kind].held == [public_id]
        assert sorted(report.kinds["package"].held) == sorted(
            [f"{held['withdrawn']} v1", f"{held['closed']} v1", f"{superseded} v1"])
        assert sorted(report.kinds["drop"].held) == sorted(
            [f"{held['withdrawn']} v1", f"{held['closed']} v1", f"{superseded} v1",
             f"{superseded} v2"])
    assert all(exists(app, p) for p in [*held.values(), superseded])
    assert sorted(p.name for p in settings.dropbox_path.iterdir()) == drop_before
    with database(app).session() as db:
        assert set(db.scalars(select(Package.state))) == {"built"}


def test_a_dry_run_changes_nothing_and_names_what_the_run_purges(app: Flask,
                                                                 accounts: Accounts) -> None:
    settings = schedule(app, draft_days=5, withdrawn_days=5, closed_days=50, package_days=5,
                        drop_days=5)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    made = [draft(app, submitter), withdrawn(app, submitter), declined(app, submitter, staff),
            resubmitted(app, submitter, staff)]
    hand_over(app)

    def snapshot() -> tuple[object, ...]:
        with database(app).session() as db:
            return (sorted(db.scalars(select(Package.state))),
                    db.scalar(select(func.count()).select_from(AuditEvent)),
                    sorted(p.name for p in settings.dropbox_path.iterdir()),
                    sorted(p.name for p in settings.packages_path.iterdir()))

    before = snapshot()
    dry = retention(app, days_from_now=10, dry_run=True)
    assert snapshot() == before and all(exists(app, p) for p in made)
    assert dry.dry_run and sum(len(k.purged) for k in dry.kinds.values()) >= 5
    real = retention(app, days_from_now=10)
    assert {k: v.purged for k, v in real.kinds.items()} == \
        {k: v.purged for k, v in dry.kinds.items()}
    assert not exists(app, made[0]) and not exists(app, made[1])
