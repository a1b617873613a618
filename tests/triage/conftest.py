"""Fixtures of the triage tests: submitted requests made fast (rows written directly, as the
submission service writes them, then :func:`portal.triage.intake.on_submitted`), staff
accounts, a database session helper, and the charts a page draws."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.contract.model import Request
from portal.db import Database
from portal.requests.models import MlaRequest, RequestEvent, RequestVersion, Status
from portal.triage import intake
from tests.conftest import Account, Accounts

Made = Callable[..., str]
SVG = "{http://www.w3.org/2000/svg}"


def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


@contextmanager
def session(app: Flask) -> Iterator[Session]:
    with database(app).session() as db:
        yield db


def content(country: str = "ES", *, persons: tuple[str, ...] = (),
            identifiers: tuple[tuple[str, str, str], ...] = (),
            accounts: tuple[str, ...] = (), types: tuple[str, ...] = ("subscriber_info",),
            urgent: str = "", provider: str = "", state: str = "") -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for index, kind in enumerate(types):
        item: dict[str, Any] = {"type": kind,
                                "description": {"text": f"item {index}", "english": ""}}
        if kind in ("subscriber_info", "non_content", "stored_content", "real_time"):
            item["identifiers"] = [{"kind": k, "value": v, "datetime": t}
                                   for k, v, t in identifiers] if index == 0 else []
            item["provider"] = provider
        if kind == "financial_records":
            item["accounts"] = [{"number": n} for n in accounts]
            item["state"] = state
        if kind in ("witness", "search_seizure", "service_of_documents", "assets"):
            item["state"] = state
        items.append(item)
    doc: dict[str, Any] = {
        "requesting_authority": {"name": "Authority", "country": country},
        "persons": [{"name": p, "role": "suspect"} for p in persons],
        "assistance": items,
    }
    if urgent:
        doc["urgency"] = {"urgent": True, "reason": "trial_date", "date": urgent}
    return Request.from_dict(doc).to_dict(omit_defaults=True)


_counter = {"n": 0}


def make_submitted(db: Session, settings: Settings, submitter: User, body: dict[str, Any], *,
                   findings: list[dict[str, Any]] | None = None,
                   at: datetime | None = None, training: bool = False,
                   status: Status = Status.SUBMITTED) -> MlaRequest:
    """A request in ``status`` with one frozen version, as submission leaves it."""
    _counter["n"] += 1
    when = at or datetime.now(UTC)
    reference = f"MLA-{when.year}-T{_counter['n']:05d}"
    request = MlaRequest(authority_id=submitter.authority_id, status=status.value,
                         training=training, draft_json=json.dumps(body), reference=reference,
                         created_by_id=submitter.id, submitted_at=when, created_at=when,
                         updated_at=when)
    db.add(request)
    db.flush()
    version = RequestVersion(request_id=request.id, number=1,
                             content_json=json.dumps({**body, "reference": reference}),
                             findings_json=json.dumps(findings or []),
                             submitted_by_id=submitter.id, submitted_at=when)
    db.add(version)
    db.add(RequestEvent(request_id=request.id, actor_id=submitter.id, kind="submitted",
                        from_status="draft", to_status="submitted", at=when))
    db.flush()
    if not training:
        intake.on_submitted(db, request, version, settings=settings)
        if status is not Status.SUBMITTED:
            intake.sync_status(db, request, settings=settings, at=when)
    return request


def resubmit(db: Session, settings: Settings, request: MlaRequest, body: dict[str, Any], *,
             at: datetime | None = None) -> RequestVersion:
    when = at or datetime.now(UTC)
    number = len(request.versions) + 1
    version = RequestVersion(request_id=request.id, number=number,
                             content_json=json.dumps({**body, "reference": request.reference}),
                             findings_json="[]", submitted_at=when)
    db.add(version)
    request.status = Status.SUBMITTED.value
    db.add(RequestEvent(request_id=request.id, kind="resubmitted", from_status="returned",
                        to_status="submitted", at=when))
    db.flush()
    db.refresh(request)
    intake.on_submitted(db, request, version, settings=settings)
    return version


@pytest.fixture()
def settings_obj(app: Flask) -> Settings:
    return app.extensions["portal.settings"]  # type: ignore[no-any-return]


@pytest.fixture()
def staff(accounts: Accounts) -> Account:
    return accounts.create(Role.TRIAGE)


@pytest.fixture()
def manager(accounts: Accounts) -> Account:
    return accounts.create(Role.TRIAGE, manager=True)


@pytest.fixture()
def submitter_es(accounts: Accounts) -> Account:
    return accounts.create(Role.SUBMITTER, country="ES", locale="es")


def user(db: Session, account: Account) -> User:
    found = db.get(User, account.id)
    assert found is not None
    return found


def drawn_charts(page: str) -> list[ET.Element]:
    """Each chart of a page, parsed as XML (so well formed), after checking that it is an image
    labelled by its own title and description and holds no script and no inline style."""
    found = []
    for text in re.findall(r'<svg [^>]*class="portal-chart".*?</svg>', page, re.S):
        svg = ET.fromstring(text)  # noqa: S314 - a page the portal just wrote
        title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
        assert title is not None and desc is not None and title.text and desc.text
        assert svg.get("role") == "img" and svg.get("class") == "portal-chart"
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert all(e.tag != SVG + "script" and "style" not in e.attrib for e in svg.iter())
        found.append(svg)
    return found
