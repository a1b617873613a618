"""Fixtures of the notification tests: requests that carry names, facts and offences (which
no e-mail may show), staff with portfolios, and the notifications and e-mails sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import Settings
from portal.mail.models import OutboxEmail
from portal.notify.models import Notification
from portal.notify.preferences import Preference, save_preferences
from portal.requests.models import MlaRequest
from portal.triage.models import Portfolio
from tests.conftest import Account, Accounts
from tests.triage.conftest import content, make_submitted, session, user

PERSON = "Olga Vasquez-Marin"
FACTS = "The suspect laundered ransom money through the harbour casino."
OFFENCE = "Extortion of the harbour authority"
SECRETS = (PERSON, FACTS, OFFENCE, "Vasquez")


@pytest.fixture()
def settings_obj(app: Flask) -> Settings:
    return app.extensions["portal.settings"]  # type: ignore[no-any-return]


def case_content(country: str = "ES", urgent: str = "") -> dict[str, Any]:
    body = content(country, persons=(PERSON,), urgent=urgent)
    body["facts"] = {"summary": {"text": FACTS, "english": ""}}
    body["offences"] = [{"name": {"text": OFFENCE, "english": ""}}]
    return body


def submitted(app: Flask, settings: Settings, submitter: Account, *, urgent_in: int | None = None
              ) -> tuple[int, str, str]:
    """A submitted request of ``submitter``'s country: (id, public id, reference)."""
    urgent = ""
    if urgent_in is not None:
        urgent = (datetime.now(UTC).date() + timedelta(days=urgent_in)).isoformat()
    with session(app) as db:
        request = make_submitted(db, settings, user(db, submitter), case_content(urgent=urgent))
        return request.id, request.public_id, request.reference or ""


def staff(accounts: Accounts, *, locale: str = "en", countries: tuple[str, ...] = (),
          manager: bool = False) -> Account:
    account = accounts.create(Role.TRIAGE, locale=locale, manager=manager)
    with session(accounts.app) as db:
        for country in countries:
            db.add(Portfolio(user_id=account.id, country=country))
    return account


def prefer(app: Flask, account: Account, **kinds: Preference) -> None:
    with session(app) as db:
        save_preferences(db, user(db, account), kinds)


def mails_to(app: Flask, account: Account) -> list[OutboxEmail]:
    with session(app) as db:
        rows = list(db.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == account.email)
                               .order_by(OutboxEmail.id)))
        db.expunge_all()
        return rows


def notes_of(app: Flask, account: Account) -> list[Notification]:
    with session(app) as db:
        rows = list(db.scalars(select(Notification).where(Notification.user_id == account.id)
                               .order_by(Notification.id)))
        db.expunge_all()
        return rows


def request_row(app: Flask, request_id: int) -> MlaRequest:
    with session(app) as db:
        found = db.get(MlaRequest, request_id)
        assert found is not None
        db.expunge(found)
        return found


def assert_no_case_content(mail: OutboxEmail) -> None:
    for secret in SECRETS:
        assert secret not in mail.subject and secret not in mail.body, secret
