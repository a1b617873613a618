"""API clients: an account with a bearer token, and the request documents sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts import tokens
from portal.accounts.models import Role, User
from portal.accounts.operations import Actor
from portal.requests.models import Status
from tests.conftest import Accounts
from tests.triage.conftest import content, make_submitted

BASE_REQUEST = Path(__file__).resolve().parents[1] / "rules" / "base_request.json"


def request_document() -> dict[str, Any]:
    """A valid request with a blocker (no offence) and a warning (no person)."""
    data: dict[str, Any] = json.loads(BASE_REQUEST.read_text(encoding="utf-8"))
    data["offences"] = []
    data["persons"] = []
    return data


class ApiClient:
    """A test client that sends a bearer token and never a cookie."""

    def __init__(self, app: Flask, raw: str, account_id: int) -> None:
        self.client: FlaskClient = app.test_client(use_cookies=False)
        self.raw = raw
        self.account_id = account_id

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             **kwargs: Any) -> Any:
        sent = {"Authorization": f"Bearer {self.raw}", **(headers or {})}
        return self.client.open(path, method=method, headers=sent, **kwargs)


def make_token(app: Flask, account_id: int, **kwargs: Any) -> str:
    with app.extensions["portal.db"].session() as db:
        _token, raw = tokens.create(db, Actor(None, "test"), db.get(User, account_id),
                                    **kwargs)
    return raw


@pytest.fixture()
def api_client(app: Flask, accounts: Accounts) -> Callable[..., ApiClient]:
    def _make(role: Role = Role.SUBMITTER, **kwargs: Any) -> ApiClient:
        account = accounts.create(role, **kwargs)
        return ApiClient(app, make_token(app, account.id), account.id)

    return _make


def submitted(app: Flask, account_id: int, *, status: Status = Status.SUBMITTED,
              **changes: Any) -> tuple[str, str]:
    """(public id, reference) of a request of the account's authority in ``status``, with
    one version, written as submission leaves it (tests.triage's factory)."""
    with app.extensions["portal.db"].session() as db:
        body = {**content(persons=("Ana Pérez",)), **changes}
        request = make_submitted(db, app.extensions["portal.settings"],
                                 db.get(User, account_id), body, status=status)
        return request.public_id, request.reference or ""
