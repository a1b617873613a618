"""Fixtures for attachments: a key ring, a store, a draft request and its submitter."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.attachments.crypto import KeyRing
from portal.attachments.store import AttachmentStore
from portal.config import Settings
from portal.db import Database
from portal.requests import drafts
from tests.conftest import Accounts


def key_entry(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


@pytest.fixture()
def keyring() -> KeyRing:
    return KeyRing.parse(key_entry("k1"))


@pytest.fixture()
def store(tmp_path: Path, keyring: KeyRing) -> AttachmentStore:
    return AttachmentStore.for_data_dir(tmp_path / "data", keyring)


@dataclass
class Draft:
    db: Database
    settings: Settings
    user_id: int
    public_id: str

    def user(self, session: Session) -> User:
        user = session.get(User, self.user_id)
        assert user is not None
        return user


@pytest.fixture()
def draft(app: Flask, accounts: Accounts) -> Draft:
    account = accounts.create(Role.SUBMITTER, country="ES")
    db: Database = app.extensions["portal.db"]
    settings: Settings = app.extensions["portal.settings"]
    with db.session() as session:
        user = session.get(User, account.id)
        assert user is not None
        request = drafts.create_draft(session, user)
        return Draft(db, settings, account.id, request.public_id)
