"""PORTAL_WEBHOOK_RETRY_SCHEDULE and PORTAL_WEBHOOK_TIMEOUT_SECONDS: read, defaulted and
checked at start-up."""

from __future__ import annotations

import pytest

from portal.config import ConfigError, Settings
from portal.webhook_settings import DEFAULT_SCHEDULE, WebhookSettings

BASE = {"PORTAL_ENV": "testing", "PORTAL_SECRET_KEY": "x" * 40}


def test_the_defaults_follow_the_specifications_example() -> None:
    read = Settings.from_env(BASE).webhooks
    assert read == WebhookSettings() and read.retry_schedule == DEFAULT_SCHEDULE
    assert read.retry_schedule[:3] == (5.0, 300.0, 1800.0) and read.max_attempts == 10


def test_the_variables_are_read_and_checked() -> None:
    read = Settings.from_env({**BASE, "PORTAL_WEBHOOK_RETRY_SCHEDULE": " 1, 2.5 ,60",
                              "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "3"}).webhooks
    assert (read.retry_schedule, read.timeout_seconds, read.max_attempts) == \
        ((1.0, 2.5, 60.0), 3.0, 4)
    with pytest.raises(ConfigError, match="PORTAL_WEBHOOK_RETRY_SCHEDULE"):
        Settings.from_env({**BASE, "PORTAL_WEBHOOK_RETRY_SCHEDULE": "5s,1m"})
    with pytest.raises(ConfigError, match="PORTAL_WEBHOOK_TIMEOUT_SECONDS"):
        Settings.from_env({**BASE, "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "soon"})
    for variable, value in (("PORTAL_WEBHOOK_RETRY_SCHEDULE", "5,-1"),
                            ("PORTAL_WEBHOOK_TIMEOUT_SECONDS", "0"),
                            ("PORTAL_WEBHOOK_TIMEOUT_SECONDS", "600")):
        with pytest.raises(ConfigError, match=variable):
            Settings.from_env({**BASE, variable: value}).validate()
