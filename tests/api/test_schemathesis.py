"""schemathesis against the API in process (WSGI), from its own OpenAPI document, with a
submitter's token: no server error, every answer within its declared statuses and schemas
(bounded examples per operation, and the stateful run that follows the document's links)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from portal.accounts.models import Role
from portal.config import Settings
from portal.db import Database
from portal.requests.models import MlaRequest
from portal.retention.removal import delete_requests
from tests.api.conftest import ApiClient, make_token, request_document
from tests.api.test_api_attachments import upload
from tests.attachments import pdfs
from tests.conftest import PG_URL, Accounts

pytestmark = pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: what is checked is the views' answers "
                         "to what is sent, which the database does not change")

@pytest.fixture(name="settings")
def roomy_settings(settings: Settings) -> Settings:
    """Room for every generated call (the per-token limit has its own tests): a run that met it
    would answer 429 to one replay and not the other, which hypothesis takes for flakiness."""
    return settings.with_overrides(limits=replace(settings.limits, api_token_calls=100_000))


CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
BOUNDED = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


def test_every_operation(app: Flask, accounts: Accounts) -> None:
    """(Loaded from the app of the test: schemathesis' pytest loader from a fixture does not
    work with this pytest.)"""
    token = make_token(app, accounts.create(Role.SUBMITTER).id)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @BOUNDED
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()


def test_oias_operations_with_a_triage_token(app: Flask, accounts: Accounts) -> None:
    """The queue with rows in it (and the package of a request that has none yet)."""
    from tests.api.conftest import submitted

    owner = accounts.create(Role.SUBMITTER)
    for _ in range(3):
        submitted(app, owner.id)
    token = make_token(app, accounts.create(Role.TRIAGE).id)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    triage = [op for op in operations if "triage" in (op.definition.raw.get("tags") or [])]
    assert len(triage) == 2
    for operation in triage:

        @given(case=operation.as_strategy())
        @BOUNDED
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()


def test_the_operations_of_one_draft_on_a_real_draft(app: Flask, accounts: Accounts) -> None:
    """The operations under /drafts/{draft_id} with generated bodies and headers sent to a draft
    of the token's account (and its document): what random ids alone would never reach. The
    draft has a blocker, so no generated call submits it."""
    account = accounts.create(Role.SUBMITTER)
    api = ApiClient(app, make_token(app, account.id), account.id)
    draft = api.open("POST", "/api/v1/drafts", json=request_document()).get_json()["id"]
    document = upload(api, draft, pdfs.valid_pdf()).get_json()["id"]
    real = {"draft_id": draft, "attachment_id": document}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()
                  if "{draft_id}" in result.ok().path]
    assert {op.definition.raw["operationId"] for op in operations} >= {
        "uploadAttachment", "listAttachments", "getAttachment", "submitDraft"}
    few = settings(BOUNDED, max_examples=6)
    for operation in operations:
        if operation.method.upper() == "DELETE":
            continue  # (it would remove the document the other operations use)

        @given(case=operation.as_strategy())
        @few
        def run(case: schemathesis.Case) -> None:
            case.path_parameters = {k: real[k] for k in (case.path_parameters or {})}
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {api.raw}"}, checks=CHECKS)
            assert response.status_code != 404, (case.method, case.path, response.text)

        run()


def test_the_stateful_run_follows_the_documents_links(app: Flask, accounts: Accounts) -> None:
    """schemathesis' state machine chains the calls the links declare (create -> read, save,
    findings, upload -> the document; the list -> a request), with the same checks; it must
    reach objects that exist (a link followed to a 2xx), not only random ids."""
    account = accounts.create(Role.SUBMITTER)
    token = make_token(app, account.id)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    database: Database = app.extensions["portal.db"]
    followed: list[tuple[str, int]] = []

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def teardown(self) -> None:
            """Each run starts from no request (hypothesis replays runs: what one left would
            change what the next can draw)."""
            with database.session() as db:
                delete_requests(db, db.scalars(select(MlaRequest).where(
                    MlaRequest.created_by_id == account.id)))

        def before_call(self, case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

        def validate_response(self, response: object, case: schemathesis.Case,
                              additional_checks: object = None, **kwargs: object) -> None:
            case.validate_response(response, checks=CHECKS)

        def after_call(self, response: object, case: schemathesis.Case) -> None:
            followed.append((case.operation.definition.raw["operationId"],
                             response.status_code))  # type: ignore[attr-defined]

    try:
        Machine.run(settings=settings(BOUNDED, max_examples=10, stateful_step_count=6,
                                      phases=[Phase.generate]))
    except Exception as failure:  # (the first failure, not hypothesis' replay of it)
        raise AssertionError(f"{followed[-12:]}") from failure
    reached = {operation for operation, status in followed if 200 <= status < 300}
    assert "createDraft" in reached, followed
    assert reached & {"getDraft", "updateDraft", "getDraftFindings", "uploadAttachment"}, \
        followed
