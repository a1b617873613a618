"""The Python example of docs/API.md (examples/api_client.py) works as written: against a
running portal with its worker it checks, creates, attaches the letter, waits for the check,
submits once and follows the request; its webhook verifier accepts what the portal signs and
refuses a changed body, another secret and an old timestamp."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask

from portal.accounts.models import Role
from portal.webhooks import secrets
from tests.api.conftest import make_token
from tests.browser.conftest import live_server  # noqa: F401 - the portal with its worker
from tests.conftest import PG_URL, Accounts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_client", EXAMPLES / "api_client.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(bool(PG_URL), reason="runs once, on the SQLite pass: the API's own tests "
                                        "run on both databases")
def test_the_example_submits_a_request_and_follows_it(
        app: Flask, accounts: Accounts, live_server: str,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    example = _example()
    token = make_token(app, accounts.create(Role.SUBMITTER, country="ES").id)
    api = f"{live_server}/api/v1"
    answer = example.submit_request(api, token,
                                    EXAMPLES / "requests" / "01-subscriber-info-good-es.json",
                                    EXAMPLES / "documents" / "letter-of-request.pdf")
    assert answer["reference"].startswith("MLA-") and answer["version"] == 1
    request = example.follow(api, token, answer["reference"])
    assert request["status"] == "submitted"
    printed = capsys.readouterr().out
    assert "document: accepted" in printed and f"submitted: {answer['reference']}" in printed


def test_the_examples_verifier_checks_the_portals_signature() -> None:
    verify = _example().verify_webhook
    key = secrets.new_secret()
    body = json.dumps({"type": "request.status_changed", "timestamp": "2026-12-08T10:00:00Z",
                       "data": {"reference": "MLA-2026-000042", "status": "accepted"}}).encode()
    event_id, stamp = secrets.new_event_id(), int(time.time())
    headers = {"webhook-id": event_id, "webhook-timestamp": str(stamp),
               "webhook-signature": secrets.signature(key, event_id, stamp, body)}
    event = verify(secrets.display(key), headers, body)
    assert event["data"] == {"reference": "MLA-2026-000042", "status": "accepted"}
    with pytest.raises(ValueError, match="no valid signature"):
        verify(secrets.display(key), headers, body.replace(b"accepted", b"declined"))
    with pytest.raises(ValueError, match="no valid signature"):
        verify(secrets.display(secrets.new_secret()), headers, body)
    with pytest.raises(ValueError, match="replay"):
        verify(secrets.display(key), headers, body, now=stamp + 3600)
