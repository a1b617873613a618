"""Fixtures of the webhook tests: settings whose retry schedule is in tenths of a second, and
helpers to register an endpoint and run the background jobs until a condition holds."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Authority
from portal.accounts.operations import Actor
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import Database
from portal.webhook_settings import WebhookSettings
from portal.webhooks import endpoints
from portal.webhooks.models import WebhookDelivery
from tests.conftest import run_jobs

SCHEDULE = (0.3, 0.3, 0.3)


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(webhooks=WebhookSettings(retry_schedule=SCHEDULE,
                                                            timeout_seconds=5.0))


def database(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def register(app: Flask, authority_id: int, url: str, description: str = "") -> tuple[str, str]:
    """An endpoint of the authority: its public id and its secret (``whsec_...``)."""
    settings: Settings = app.extensions["portal.settings"]
    with database(app).session() as db:
        authority = db.get(Authority, authority_id)
        assert authority is not None
        created = endpoints.register(db, settings, KeyRing.from_settings(settings),
                                     Actor(None, "test"), authority_public_id=authority.public_id,
                                     url=url, description=description)
        return created.endpoint.public_id, created.secret


def deliveries(app: Flask) -> list[WebhookDelivery]:
    with database(app).session() as db:
        return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def run_until(app: Flask, done: Callable[[], bool], seconds: float = 15.0) -> None:
    """Run the due jobs (as ``portal worker`` does) until ``done()`` or the time is up."""
    end = time.monotonic() + seconds
    while True:
        run_jobs(app)
        if done():
            return
        assert time.monotonic() < end, "not done in time"
        time.sleep(0.05)
