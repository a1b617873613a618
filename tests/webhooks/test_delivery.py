"""Delivery end to end, to a real HTTP receiver on 127.0.0.1: the secret kept sealed, the
signature verified by two implementations that are not the portal's, no case content in the
body, the same event again after failures and delivered exactly once, 410 Gone, and events only
for the request's own authority."""

from __future__ import annotations

import base64
import json
import time

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.config import Settings, load_or_create_attachment_keys, new_attachment_key_entry
from portal.crypto import KeyRing, parse_header
from portal.jobs.models import Job
from portal.jobs.queue import enqueue
from portal.requests import thread
from portal.requests.models import MlaRequest
from portal.triage import operations
from portal.webhooks import endpoints, fanout, key_rotation, sending
from portal.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import Accounts, run_jobs
from tests.packages import helpers
from tests.webhooks.conftest import database, deliveries, register, run_until
from tests.webhooks.receiver import receiver, verify_by_hand, verify_with_package


def _settings(app: Flask) -> Settings:
    return app.extensions["portal.settings"]  # type: ignore[no-any-return]


def test_the_secret_is_shown_once_and_kept_sealed(app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    public_id, secret = register(app, authority, "https://93.184.215.14/mla")
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) >= 24
    with database(app).session() as db:
        endpoint = endpoints.find(db, public_id)
        assert endpoint is not None
        stored = endpoint.secret_encrypted
        assert secret[6:] not in stored and secret not in stored
        sealed = base64.b64decode(stored)
        assert parse_header(sealed).key_id == KeyRing.from_settings(_settings(app)).current_id
        keys = endpoints.signing_keys(KeyRing.from_settings(_settings(app)), endpoint)
        assert keys == [base64.b64decode(secret[6:])]
        other = WebhookEndpoint(public_id="someone-else", secret_encrypted=stored)
        with pytest.raises(Exception, match="authentication failed"):
            endpoints.signing_keys(KeyRing.from_settings(_settings(app)), other)


def test_a_delivery_is_signed_and_carries_no_case_content(app: Flask,
                                                          accounts: Accounts) -> None:
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    with receiver() as hook:
        _endpoint, secret = register(app, submitter.authority_id or 0, hook.url)
        _public_id, reference = helpers.submitted_request(database(app), _settings(app),
                                                          submitter.id)
        run_until(app, lambda: len(hook.received) == 1)
    got = hook.received[0]
    assert got.path == "/hooks/mla"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"].startswith("msg_")
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    assert verify_with_package(secret, got) == json.loads(got.body)
    assert verify_by_hand(secret, got)
    assert not verify_by_hand("whsec_" + base64.b64encode(b"x" * 32).decode(), got)
    payload = json.loads(got.body)
    assert payload == {"type": "request.status_changed", "timestamp": payload["timestamp"],
                       "data": {"reference": reference, "status": "submitted"}}
    assert payload["timestamp"].endswith("Z")
    with database(app).session() as db:  # nothing of the request's content is in the body
        request = db.scalar(select(MlaRequest).where(MlaRequest.reference == reference))
        assert request is not None
        for value in json.loads(request.draft_json).get("requesting_authority", {}).values():
            assert str(value) not in got.body.decode()
    [delivery] = deliveries(app)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED.value, 1)
    assert delivery.delivered_at is not None and delivery.event_id == got.headers["webhook-id"]


def test_a_failing_receiver_gets_the_same_event_later_and_it_is_delivered_once(
        app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver([500, 500]) as hook:
        endpoint_id, secret = register(app, authority, hook.url)
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            delivery_id = fanout.send_test(db, endpoints.Actor(None, "test"), endpoint).id
        run_jobs(app)
        assert len(hook.received) == 1  # the retry waits for its delay
        [first] = deliveries(app)
        assert (first.state, first.attempts) == (DeliveryState.PENDING.value, 1)
        assert first.next_attempt_at is not None
        run_until(app, lambda: deliveries(app)[0].state == DeliveryState.DELIVERED.value)
        assert len(hook.received) == 3
        assert len(set(hook.ids())) == 1  # the same event each time
        assert len({r.body for r in hook.received}) == 1
        assert all(verify_by_hand(secret, r) for r in hook.received)
        # delivered: a job for it again (a duplicate, an old one) sends nothing
        with database(app).session() as db:
            enqueue(db, fanout.DELIVER, {"delivery": delivery_id})
        run_jobs(app)
        assert sending.deliver(database(app).engine, _settings(app), delivery_id) is None
        time.sleep(0.4)
        run_jobs(app)
        assert len(hook.received) == 3
    with database(app).session() as db:
        attempts = list(db.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id == delivery_id).order_by(WebhookAttempt.id)))
        assert [a.status_code for a in attempts] == [500, 500, 200]
        assert all(a.duration_ms >= 0 and a.error == "" for a in attempts)
        delivery = db.get(WebhookDelivery, delivery_id)
        assert delivery is not None and delivery.attempts == 3


def test_after_the_last_attempt_the_delivery_fails(app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver([503] * 10) as hook:
        endpoint_id, _secret = register(app, authority, hook.url)
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
        run_until(app, lambda: deliveries(app)[0].state == DeliveryState.FAILED.value)
        assert len(hook.received) == _settings(app).webhooks.max_attempts == 4
        time.sleep(0.4)
        run_jobs(app)
        assert len(hook.received) == 4


def test_410_gone_disables_the_endpoint(app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver([410]) as hook:
        endpoint_id, _secret = register(app, authority, hook.url)
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
            fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
        run_jobs(app)
    assert len(hook.received) == 1
    states = [d.state for d in deliveries(app)]
    assert states == [DeliveryState.FAILED.value, DeliveryState.CANCELLED.value]
    with database(app).session() as db:
        endpoint = endpoints.find(db, endpoint_id)
        assert endpoint is not None and endpoint.disabled_reason == "gone"


def test_an_unreachable_receiver_is_recorded_as_an_error(app: Flask,
                                                         accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver() as hook:
        url = hook.url
    endpoint_id, _secret = register(app, authority, url)  # the server is gone now
    with database(app).session() as db:
        endpoint = endpoints.find(db, endpoint_id)
        assert endpoint is not None
        fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
    run_jobs(app)
    with database(app).session() as db:
        attempt = db.scalar(select(WebhookAttempt))
        assert attempt is not None and attempt.status_code is None
        assert attempt.error.startswith("ConnectError")


def test_the_address_is_checked_again_at_delivery(app: Flask, accounts: Accounts) -> None:
    """An endpoint registered while loopback was allowed is refused where it is not, before
    any connection (the same check after each resolution: DNS rebinding gains nothing)."""
    authority = accounts.authority("DE")
    endpoint_id, _secret = register(app, authority, "https://localhost:9/hook")
    strict = _settings(app).with_overrides(  # (the same keys, given as production must)
        env="production", attachment_keys=load_or_create_attachment_keys(_settings(app).data_dir))
    with database(app).session() as db:
        endpoint = endpoints.find(db, endpoint_id)
        assert endpoint is not None
        delivery = fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
    assert sending.deliver(database(app).engine, strict, delivery.id) == "pending"
    with database(app).session() as db:
        attempt = db.scalar(select(WebhookAttempt))
        assert attempt is not None and attempt.status_code is None
        assert attempt.error.startswith("URL refused (address: 127.0.0.1")


def test_events_reach_only_the_requests_own_authority(app: Flask, accounts: Accounts) -> None:
    settings = _settings(app)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    staff = accounts.create(Role.TRIAGE)
    other_authority = accounts.authority("FR")
    with receiver() as mine, receiver() as theirs:
        register(app, submitter.authority_id or 0, mine.url)
        register(app, other_authority, theirs.url)
        public_id, reference = helpers.submitted_request(database(app), settings, submitter.id)
        with database(app).session() as db:
            request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            oia, author = db.get(User, staff.id), db.get(User, submitter.id)
            assert request is not None and oia is not None and author is not None
            operations.open_request(db, settings, oia, request)
            thread.post_message(db, settings, oia, request, "Please confirm the dates.")
            thread.post_message(db, settings, author, request, "They are right.")  # not told
            operations.accept(db, settings, oia, request)
        with database(app).session() as db:
            request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            author = db.get(User, submitter.id)
            assert request is not None and author is not None
            thread.withdraw(db, settings, author, request, "Settled.")
        run_until(app, lambda: len(mine.received) == 5)
        time.sleep(0.2)
        run_jobs(app)
    assert theirs.received == []
    told = [json.loads(r.body) for r in mine.received]
    assert [(t["type"], t["data"]["status"]) for t in told] == [
        ("request.status_changed", "submitted"), ("request.status_changed", "in_triage"),
        ("request.message_created", "in_triage"), ("request.status_changed", "accepted"),
        ("request.status_changed", "withdrawn")]
    assert all(t["data"] == {"reference": reference, "status": t["data"]["status"]}
               for t in told)
    assert "Please confirm" not in b"".join(r.body for r in mine.received).decode()


def test_a_disabled_endpoint_gets_nothing_and_its_pending_deliveries_stop(
        app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver() as hook:
        endpoint_id, _secret = register(app, authority, hook.url)
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
            assert endpoints.disable(db, endpoints.Actor(None, "test"), endpoint)
            assert not endpoints.disable(db, endpoints.Actor(None, "test"), endpoint)
        run_jobs(app)
    assert hook.received == []
    assert [d.state for d in deliveries(app)] == [DeliveryState.CANCELLED.value]


def test_rotation_signs_with_both_secrets_for_a_while(app: Flask, accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver() as hook:
        endpoint_id, old = register(app, authority, hook.url)
        keyring = KeyRing.from_settings(_settings(app))
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            new = endpoints.rotate(db, keyring, endpoints.Actor(None, "test"), endpoint)
            fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
        run_jobs(app)
    [got] = hook.received
    assert new != old and len(got.headers["webhook-signature"].split(" ")) == 2
    assert verify_by_hand(new, got) and verify_by_hand(old, got)
    verify_with_package(new, got)
    verify_with_package(old, got)


def test_the_sweep_gives_a_stranded_delivery_a_job_again(app: Flask,
                                                         accounts: Accounts) -> None:
    authority = accounts.authority("DE")
    with receiver() as hook:
        endpoint_id, _secret = register(app, authority, hook.url)
        with database(app).session() as db:
            endpoint = endpoints.find(db, endpoint_id)
            assert endpoint is not None
            delivery = fanout.send_test(db, endpoints.Actor(None, "test"), endpoint)
            db.execute(Job.__table__.delete())  # its job lost
            db.flush()
            db.get(WebhookDelivery, delivery.id).next_attempt_at = (  # type: ignore[union-attr]
                delivery.created_at.replace(year=2020))
        run_jobs(app)
        assert hook.received == []
        with database(app).session() as db:
            enqueue(db, sending.SWEEP)
        run_jobs(app)
    assert len(hook.received) == 1


def test_key_rotation_reseals_the_secrets(app: Flask, accounts: Accounts) -> None:
    """``portal attachments rotate-keys`` re-seals the endpoints' secrets (current and
    previous) under the new key: the old key can then go."""
    endpoint_id, first = register(app, accounts.authority("DE"), "https://93.184.215.14/h")
    old_entry = load_or_create_attachment_keys(_settings(app).data_dir)
    with database(app).session() as db:
        endpoint = endpoints.find(db, endpoint_id)
        assert endpoint is not None
        second = endpoints.rotate(db, KeyRing.parse(old_entry), endpoints.Actor(None, "t"),
                                  endpoint)
    new_entry = new_attachment_key_entry("k2027")
    both = KeyRing.parse(f"{new_entry},{old_entry}")
    result = key_rotation.reseal_webhook_secrets(database(app), both)
    assert (result.rotated, result.current, result.failed) == (1, 0, [])
    again = key_rotation.reseal_webhook_secrets(database(app), both)
    assert (again.rotated, again.current) == (0, 1)
    with database(app).session() as db:
        endpoint = endpoints.find(db, endpoint_id)
        assert endpoint is not None
        keys = endpoints.signing_keys(KeyRing.parse(new_entry), endpoint)
    assert keys == [base64.b64decode(second[6:]), base64.b64decode(first[6:])]
    with database(app).session() as db:
        assert "webhook.keys_rotated" in set(db.scalars(select(AuditEvent.action)))
