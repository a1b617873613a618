"""Fixtures of the documents-after-submission tests: a submitted request, its submitter and an
OIA triage account, with the app's database and settings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.db import Database
from portal.requests.models import MlaRequest
from tests.conftest import Account, Accounts
from tests.packages import helpers


@dataclass
class Case:
    app: Flask
    database: Database
    settings: Settings
    submitter: Account
    staff: Account
    public_id: str
    reference: str

    def load(self, db: Session) -> tuple[MlaRequest, User, User]:
        """The request, its submitter and the OIA account, in ``db``."""
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == self.public_id))
        submitter, staff = db.get(User, self.submitter.id), db.get(User, self.staff.id)
        assert request is not None and submitter is not None and staff is not None
        return request, submitter, staff


@pytest.fixture()
def case(app: Flask, accounts: Accounts) -> Case:
    database: Database = app.extensions["portal.db"]
    settings: Settings = app.extensions["portal.settings"]
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    public_id, reference = helpers.submitted_request(database, settings, submitter.id)
    return Case(app, database, settings, submitter, staff, public_id, reference)
