"""One table of expected statuses: every route of ``app.url_map`` that takes an object, with
REAL objects (a draft and a submitted request of one authority, their attachments and package),
for the owner, a submitter of another authority, each staff role and anonymous visitors.

tests/web/test_access.py already walks every route with ids that do not exist (deny by
default per role); this adds object-level access: another authority's ids are 404 on every
``/requests/<id>/...`` route and method, OIA staff never reach a draft, nothing changes through
a refused request. Every response also carries the security headers, and every file response
is an attachment (never inline). Routes added later are covered by the same walk: a converter
without an object here fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from portal.accounts.models import Role
from portal.attachments.models import Attachment
from portal.packages.models import Package
from portal.requests.models import MlaRequest
from portal.web.access import view_rule
from tests.conftest import Account, Accounts, csrf_token, login
from tests.packages import helpers
from tests.web.test_security import assert_security_headers

CHECKED_METHODS = ("GET", "POST")
#: Path arguments that name objects; each must have a value below.
OBJECT_ARGUMENTS = {"public_id", "attachment_id", "package_id"}
#: Blueprints whose ``public_id`` names a user, not a request (tests/web/test_access.py); and
#: the API, which reads no cookie (tests/api/test_api_routes.py walks it with tokens).
USER_OBJECT_BLUEPRINTS = ("admin.", "api.")
#: Pages that exist only once a request is submitted.
DRAFT_HAS_NONE = ("requests.confirmation", "requests.receipt", "requests.submitted_version",
                  "requests.submitted_version_pdf")
#: Other path arguments: a value that reaches the view.
PLAIN_ARGUMENTS = {"slug": "facts", "name": "open", "table": "pending", "action": "deactivate",
                   "number": 1, "minor": 0}


@dataclass
class Scene:
    app: Flask
    owner: Account
    draft: str
    submitted: str
    draft_attachment: str
    submitted_attachment: str
    package: str
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    mid_request: bool = False  # the database fails in the middle of requests (error tests)


@pytest.fixture()
def scene(app: Flask, accounts: Accounts) -> Scene:
    database, settings = app.extensions["portal.db"], app.extensions["portal.settings"]
    owner = accounts.create(Role.SUBMITTER, country="DE")
    letter = [("letter.pdf", "request_letter", helpers.pdf("letter"))]
    draft = helpers.draft_with_attachments(database, settings, owner.id, letter)
    submitted, _reference = helpers.submitted_request(database, settings, owner.id, letter)
    with database.session() as db:
        def attachment_of(public_id: str) -> str:
            request_id = db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == public_id))
            found = db.scalar(select(Attachment.public_id).where(
                Attachment.request_id == request_id))
            assert found is not None
            return str(found)

        request_id = db.scalar(select(MlaRequest.id).where(MlaRequest.public_id == submitted))
        package = db.scalar(select(Package.public_id).where(Package.request_id == request_id))
        assert package is not None, "the package was not built after the submission"
        found = Scene(app, owner, draft, submitted, attachment_of(draft),
                      attachment_of(submitted), package)
    actors = {
        "owner": owner,
        "colleague": accounts.create(Role.SUBMITTER, country="DE"),
        "other authority": accounts.create(Role.SUBMITTER, country="FR"),
        "triage": accounts.create(Role.TRIAGE),
        "trainer": accounts.create(Role.TRAINER),
        "admin": accounts.create(Role.ADMIN),
    }
    for name, account in actors.items():
        client = app.test_client()
        login(client, account)
        found.clients[name] = client
        found.tokens[name] = csrf_token(client, "/account")
    found.clients["anonymous"] = app.test_client()
    found.tokens["anonymous"] = csrf_token(found.clients["anonymous"], "/login")
    return found


def object_urls(app: Flask, rule: Rule, scene: Scene) -> Iterator[tuple[str, str]]:
    """(which object, url) for each real object the rule can take."""
    names = set(rule.arguments)
    unknown = names - OBJECT_ARGUMENTS - set(PLAIN_ARGUMENTS)
    assert not unknown, f"{rule.rule}: add a real object for {sorted(unknown)} in this test"
    plain: dict[str, Any] = {k: v for k, v in PLAIN_ARGUMENTS.items() if k in names}
    with app.test_request_context():
        if not names & OBJECT_ARGUMENTS:
            yield "", app.url_for(rule.endpoint, **plain)
            return
        if "package_id" in names:
            yield "package", app.url_for(rule.endpoint, package_id=scene.package, **plain)
            return
        for which, public_id, attachment in (("draft", scene.draft, scene.draft_attachment),
                                             ("submitted", scene.submitted,
                                              scene.submitted_attachment)):
            values: dict[str, Any] = {"public_id": public_id, **plain}
            if "attachment_id" in names:
                values["attachment_id"] = attachment
            yield which, app.url_for(rule.endpoint, **values)


def expected(app: Flask, rule: Rule, actor: str, which: str, method: str) -> set[int]:
    """The statuses allowed for ``actor`` on the object ``which`` (the table)."""
    _public, allowed = view_rule(app, rule.endpoint)
    assert allowed, rule.endpoint
    role = {"owner": Role.SUBMITTER, "colleague": Role.SUBMITTER,
            "other authority": Role.SUBMITTER, "triage": Role.TRIAGE,
            "trainer": Role.TRAINER, "admin": Role.ADMIN}.get(actor)
    if role is None:
        return {302} if method == "GET" else {401}
    if role not in allowed:
        return {403}
    blueprint = rule.endpoint.split(".")[0]
    sees_it = (actor in ("owner", "colleague") and blueprint == "requests") or \
        (role is Role.TRIAGE and blueprint in ("triage", "packages") and which != "draft")
    if not sees_it:
        return {404}  # another authority, staff on drafts, trainers and admins: no content
    if which == "draft" and rule.endpoint in DRAFT_HAS_NONE:
        return {404}
    # reached the view: any answer but a refusal or a crash
    return {200, 302, 303, 400, 409, 413}


def _state(app: Flask, scene: Scene) -> tuple[Any, ...]:
    with app.extensions["portal.db"].session() as db:
        rows = db.execute(select(MlaRequest.public_id, MlaRequest.revision, MlaRequest.status,
                                 MlaRequest.draft_json).order_by(MlaRequest.id)).all()
        attachments = db.scalar(select(func.count()).select_from(Attachment).where(
            Attachment.removed_at.is_(None)))
        return tuple(tuple(r) for r in rows), attachments


def test_every_object_route_for_every_role_and_anonymous(scene: Scene) -> None:
    app = scene.app
    failures: list[str] = []
    checked = 0
    file_responses = 0
    rules = [r for r in app.url_map.iter_rules() if set(r.arguments) & OBJECT_ARGUMENTS
             and not r.endpoint.startswith(USER_OBJECT_BLUEPRINTS)]
    assert len(rules) >= 15, [r.rule for r in rules]
    refused_actors = ("other authority", "trainer", "admin", "anonymous")
    before = _state(app, scene)
    # first every refusal (nothing may change through them), then the allowed actors
    for actor in (*refused_actors, "triage", "colleague", "owner"):
        client = scene.clients[actor]
        for rule in rules:
            for which, url in object_urls(app, rule, scene):
                for method in CHECKED_METHODS:
                    if method not in (rule.methods or ()):
                        continue
                    if method == "POST" and actor in ("triage", "colleague", "owner"):
                        continue  # actions of allowed users change things: not this table
                    data = {"csrf_token": scene.tokens[actor]} if method == "POST" else None
                    response = client.open(url, method=method, data=data)
                    checked += 1
                    want = expected(app, rule, actor, which, method)
                    if response.status_code not in want:
                        failures.append(f"{actor} {method} {url} ({which}): "
                                        f"{response.status_code}, expected {sorted(want)}")
                    try:
                        assert_security_headers(response)
                    except AssertionError:
                        failures.append(f"{actor} {method} {url}: security headers missing")
                    # (JSON for the pages' own scripts is data, not a file to download)
                    if response.status_code == 200 and response.mimetype not in (
                            "text/html", "application/json"):
                        file_responses += 1
                        disposition = response.headers.get("Content-Disposition", "")
                        if not disposition.startswith("attachment"):
                            failures.append(f"{actor} {url}: {response.mimetype} served "
                                            f"inline ({disposition!r})")
                    if response.status_code >= 500 or b"Traceback" in response.data:
                        failures.append(f"{actor} {method} {url}: server error")
        if actor == refused_actors[-1]:
            assert _state(app, scene) == before, "a refused request changed something"
    assert failures == [], "\n".join(failures)
    assert checked > 150
    # the downloads found by the walk: export, attachment, receipt, package zip, reading copy
    assert file_responses >= 5, file_responses


def test_every_download_route_is_an_attachment_with_nosniff(scene: Scene) -> None:
    """Routes answering files (found in url_map by their answer, not by a list)."""
    app = scene.app
    found = {}
    for actor in ("owner", "triage"):
        client = scene.clients[actor]
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            if set(rule.arguments) - OBJECT_ARGUMENTS - set(PLAIN_ARGUMENTS) or \
                    rule.endpoint.startswith(USER_OBJECT_BLUEPRINTS):
                continue
            for _which, url in object_urls(app, rule, scene):
                response = client.get(url)
                is_file = response.mimetype not in ("text/html", "application/json") or \
                    "Content-Disposition" in response.headers
                if response.status_code != 200 or not is_file:
                    continue
                found[rule.endpoint] = response.mimetype
                assert response.headers["Content-Disposition"].startswith("attachment"), url
                assert response.headers["X-Content-Type-Options"] == "nosniff", url
                assert response.headers.get("Cache-Control") == "no-store" or \
                    "private" in response.headers.get("Cache-Control", ""), url
    assert {"requests.download_attachment", "requests.export", "requests.receipt",
            "packages.download", "packages.reading_copy"} <= set(found), found
