"""``/metrics``: off unless configured, answered only with the token or from an allowed network,
Prometheus text whose gauges are the database's and whose counters count the requests made."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.config import ConfigError, Settings
from portal.db import utcnow
from portal.jobs.models import Job, JobState
from portal.jobs.queue import enqueue
from portal.limit_settings import RateLimitSettings
from portal.mail.models import OutboxEmail
from portal.mail.outbox import MAX_ATTEMPTS
from portal.metrics_settings import MetricsSettings
from portal.packages.models import Handoff, HandoffState
from portal.web.access import public
from tests.conftest import Accounts, csrf_token, login
from tests.packages import helpers
from tests.web.conftest import AppFactory, database

TOKEN = "k3Y-0f-the-scraper-7a1c9e2b4d6f8a0c2e4"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample of the exposition, by name and labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client: FlaskClient) -> Samples:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text[:300]
    assert response.content_type.startswith("text/plain; version=")
    return parse(response.text)


@pytest.fixture()
def metrics_app(make_app: AppFactory) -> Flask:
    return make_app(metrics=MetricsSettings(token=TOKEN))


def test_the_settings_are_read_and_checked(tmp_path: Path) -> None:
    base = {"PORTAL_DATA_DIR": str(tmp_path)}
    assert not Settings.from_env(base).metrics.enabled
    settings = Settings.from_env({**base, "PORTAL_METRICS_TOKEN": f" {TOKEN} ",
                                  "PORTAL_METRICS_ALLOWED": "10.1.2.3, 192.0.2.0/24,,::1"})
    assert settings.metrics.enabled and settings.metrics.token == TOKEN
    assert settings.metrics.allowed == ("10.1.2.3/32", "192.0.2.0/24", "::1/128")
    assert TOKEN not in repr(settings)
    settings.validate()
    assert Settings.from_env({**base, "PORTAL_METRICS_ALLOWED": "10.0.0.0/8"}).metrics.enabled
    with pytest.raises(ConfigError, match=r"PORTAL_METRICS_ALLOWED.*'10\.0\.0\.300'"):
        Settings.from_env({**base, "PORTAL_METRICS_ALLOWED": "10.0.0.1,10.0.0.300"})
    for weak in ("short", "a" * 40):
        with pytest.raises(ConfigError, match="PORTAL_METRICS_TOKEN is weak"):
            Settings.from_env({**base, "PORTAL_METRICS_TOKEN": weak}).validate()


def test_off_by_default(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


def test_the_token_opens_it_and_nothing_else_does(metrics_app: Flask) -> None:
    client = metrics_app.test_client()
    assert client.get("/metrics").status_code == 403
    for wrong in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN,
                  "Bearer "):
        assert client.get("/metrics", headers={"Authorization": wrong}).status_code == 403
    # the error page shows none of the metrics
    assert "portal_" not in client.get("/metrics").text
    assert client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"}
                      ).status_code == 200
    assert client.post("/metrics", headers=AUTH).status_code == 405


def test_allowed_networks_behind_a_trusted_proxy(make_app: AppFactory) -> None:
    app = make_app(metrics=MetricsSettings(allowed=("192.0.2.0/24", "2001:db8::/32")),
                   trusted_proxies=("10.0.0.1/32",))
    client = app.test_client()

    def status(remote: str, forwarded: str | None = None) -> int:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        return client.get("/metrics", headers=headers,
                          environ_base={"REMOTE_ADDR": remote}).status_code

    assert status("192.0.2.9") == 200
    assert status("2001:db8::5") == 200
    assert status("198.51.100.4") == 403
    assert status("10.0.0.1", "192.0.2.7") == 200  # the client the proxy forwarded
    assert status("10.0.0.1", "198.51.100.4") == 403
    assert status("10.0.0.1") == 403  # the proxy itself is not allowed
    # a client that is not a trusted proxy cannot choose its address
    assert status("198.51.100.4", "192.0.2.7") == 403
    # with an allowed list alone, a token is no way in
    assert client.get("/metrics", headers=AUTH,
                      environ_base={"REMOTE_ADDR": "198.51.100.4"}).status_code == 403


def test_no_session_no_cookie_no_audit(metrics_app: Flask) -> None:
    accounts = Accounts(metrics_app)
    client = metrics_app.test_client()
    login(client, accounts.create(Role.ADMIN))
    with database(metrics_app).session() as db:
        before = db.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get("/metrics").status_code == 403  # a signed-in admin is no scraper
    with database(metrics_app).session() as db:
        assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_gauges_are_the_database(metrics_app: Flask) -> None:
    accounts = Accounts(metrics_app)
    db_ = database(metrics_app)
    settings = metrics_app.extensions["portal.settings"]
    user = accounts.create(Role.SUBMITTER, country="DE")
    client = metrics_app.test_client()
    empty = scrape(client)
    assert value(empty, "portal_handoff_oldest_waiting_age_seconds") == 0
    for _ in range(2):
        helpers.submitted_request(db_, settings, user.id, work=False)
    now = utcnow()
    with db_.session() as db:
        # each submission queued its package's hand-off: one gave up, one has waited 10 min
        first, second = db.scalars(select(Handoff).order_by(Handoff.id)).all()
        first.state, first.attempts = HandoffState.FAILED.value, 8
        second.created_at = now - timedelta(minutes=10)
        enqueue(db, "test.late", run_after=now - timedelta(seconds=300))
        enqueue(db, "test.later", run_after=now + timedelta(hours=1))
        db.add(OutboxEmail(to_addr="a@example.org", subject="s", body="b",
                           attempts=MAX_ATTEMPTS, created_at=now - timedelta(hours=2)))
    with db_.session() as db:
        jobs = db.execute(select(Job.state, Job.kind, func.count())
                          .group_by(Job.state, Job.kind)).all()
        undelivered = db.scalar(select(func.count()).where(OutboxEmail.sent_at.is_(None)))
    samples = scrape(client)
    assert value(samples, "portal_triage_open_requests", status="submitted") == \
        value(empty, "portal_triage_open_requests", status="submitted") + 2
    assert value(samples, "portal_handoffs", state="failed") == 1
    assert value(samples, "portal_handoffs", state="queued") == 1
    assert value(samples, "portal_handoffs", state="sent") == 0
    assert 600 <= value(samples, "portal_handoff_oldest_waiting_age_seconds") < 700
    for state, kind, count in jobs:
        assert value(samples, "portal_jobs", state=state, kind=kind) == count
    assert value(samples, "portal_jobs", state=JobState.WAITING.value, kind="package.build") == 2
    assert value(samples, "portal_jobs_due", kind="test.late") == 1
    assert value(samples, "portal_jobs_due", kind="test.later") == 0
    assert value(samples, "portal_jobs_due", kind="package.build") == 2
    assert 300 <= value(samples, "portal_jobs_oldest_due_age_seconds") < 400
    assert value(samples, "portal_outbox_undelivered") == undelivered >= 1
    assert value(samples, "portal_outbox_given_up") == 1
    assert value(samples, "portal_outbox_oldest_undelivered_age_seconds") >= 7200
    assert value(samples, "portal_attachments_checking") == 0
    with db_.session() as db:
        db.execute(update(Handoff).values(state=HandoffState.SENT.value))
    samples = scrape(client)
    assert value(samples, "portal_handoffs", state="sent") == 2
    assert value(samples, "portal_handoff_oldest_waiting_age_seconds") == 0


def test_requests_are_counted_by_endpoint_never_by_path(metrics_app: Flask) -> None:
    accounts = Accounts(metrics_app)
    client = metrics_app.test_client()
    account = accounts.create(Role.SUBMITTER)
    login(client, account)
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get(f"/admin/users/{account.public_id}").status_code == 403
    assert client.get("/requests/NoSuchObject123").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    response = client.get("/metrics", headers=AUTH)
    samples = parse(response.text)
    assert account.public_id not in response.text
    assert "NoSuchObject123" not in response.text and "/no/such" not in response.text

    def delta(name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    assert delta("portal_http_requests_total", endpoint="main.health", method="GET",
                 status="2xx") == 3
    assert delta("portal_http_request_duration_seconds_count", endpoint="main.health") == 3
    assert delta("portal_http_request_duration_seconds_bucket", endpoint="main.health",
                 le="+Inf") == 3
    assert delta("portal_http_request_duration_seconds_sum", endpoint="main.health") > 0
    assert delta("portal_http_requests_total", endpoint="unmatched", method="GET",
                 status="4xx") >= 1
    # every endpoint label this test's requests made is a view's name (the registry is the
    # process's: other tests' apps, with routes of their own, counted before)
    def endpoints(found: Samples) -> set[str]:
        return {label for _name, labels in found for key, label in labels if key == "endpoint"}

    made = endpoints(samples) - endpoints(before)
    assert made <= set(metrics_app.view_functions) | {"unmatched"}, made
    assert "main.health" in endpoints(samples)


def test_errors_refusals_and_failed_sign_ins_are_counted(make_app: AppFactory) -> None:
    app = make_app(metrics=MetricsSettings(token=TOKEN),
                   limits=RateLimitSettings(address_posts=1))
    app.add_url_rule("/test-broken", "test_broken", public(lambda: 1 / 0))
    accounts = Accounts(app)
    account = accounts.create(Role.SUBMITTER)
    client = app.test_client()
    before = scrape(client)
    assert client.get("/test-broken").status_code == 500
    token = csrf_token(client)
    assert client.post("/login", data={"email": account.email, "password": "not it",
                                       "csrf_token": token}).status_code == 400
    assert client.post("/login", data={"email": account.email, "password": "not it",
                                       "csrf_token": token}).status_code == 429
    samples = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    assert delta("portal_http_server_errors_total", endpoint="test_broken") == 1
    assert delta("portal_http_requests_total", endpoint="test_broken", method="GET",
                 status="5xx") == 1
    assert delta("portal_failed_sign_ins_total") == 1  # the second post was refused first
    assert delta("portal_rate_limited_total", endpoint="accounts.login") == 1


def test_the_exposition_names_no_request_or_person(metrics_app: Flask) -> None:
    """Counts and ages only: no e-mail address, reference or public id in the text."""
    accounts = Accounts(metrics_app)
    user = accounts.create(Role.SUBMITTER, country="DE")
    settings = metrics_app.extensions["portal.settings"]
    public_id, reference = helpers.submitted_request(database(metrics_app), settings, user.id,
                                                     work=False)
    text = metrics_app.test_client().get("/metrics", headers=AUTH).text
    assert public_id not in text and reference not in text and user.email not in text
    assert not re.search(r"@|MLA-\d", text)
