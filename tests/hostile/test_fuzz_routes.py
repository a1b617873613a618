"""Property-based fuzz (hypothesis) of every route of ``app.url_map``: for each rule and method,
as an anonymous visitor, a triage officer, an administrator and a submitter (the owner of the
scene's requests), hostile values (huge and negative numbers, unicode, empty and long strings,
impossible dates, repeated keys, wrong types) in the query names the views read and in the
fields of the forms the pages show. Whatever is sent: never a 5xx, never a stack trace or a
database error in the page.

For each route the actor may use, each query name its view's module reads, and each field of
the forms posted to it, is first tried with each value of ``routes.BOUNDARY`` (the sweep); then
hypothesis draws a few mixed examples. Bounded (no shrinking, few examples, the PDF handout
rarely) and run once, on the SQLite pass: what it finds are the views' own failures, whatever
the database (the regression tests of what it found run on both)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from portal.accounts import tokens
from portal.accounts.models import Role, User
from portal.accounts.operations import Actor, invite
from portal.config import Settings
from portal.contract.vocabulary import ASSISTANCE_TYPES
from portal.jobs.models import Job
from portal.limit_settings import RateLimitSettings
from portal.requests.sections import SECTIONS
from portal.training.samples import load_samples
from portal.triage.dashboard import TABLES
from portal.triage.operations import Action
from portal.web.access import view_rule
from tests.conftest import PG_URL, Accounts
from tests.hostile.conftest import LEAKS
from tests.hostile.routes import (
    BOUNDARY,
    form_names,
    path_values,
    post_forms,
    query_names,
    values,
    view_query_names,
)
from tests.security.test_object_routes import Scene, scene  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(
    bool(PG_URL), reason="runs once, on the SQLite pass: the views' handling of what is sent "
                         "does not depend on the database")

#: In this order: the owner last (withdrawing the request would leave triage less to do).
ACTORS = {"anonymous": None, "triage": Role.TRIAGE, "admin": Role.ADMIN, "owner": Role.SUBMITTER}
#: Not fuzzed: static files, and signing out (the actor would fuzz the rest signed out).
SKIPPED = {"static", "accounts.logout"}
#: Slow pages (a PDF drawn each time): tried with one example, no sweep.
SLOW = {"training.handout", "requests.receipt", "requests.submitted_version_pdf",
        "packages.reading_copy"}
#: Fuzzed in depth by test_fuzz_forms.py: only the query names here.
DEEP_ELSEWHERE = {"requests.section"}
FUZZ = settings(deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))
TEXT_TYPES = ("text/", "application/json")


@pytest.fixture(name="settings")
def high_limits(settings: Settings) -> Settings:
    """Limits far above the fuzz's pace (tests/web/test_rate_limits.py tries them)."""
    return settings.with_overrides(
        login_rate_limit=10**6, limits=RateLimitSettings(account_posts=10**6,
                                                         address_posts=10**6))


@pytest.fixture()
def objects(scene: Scene, accounts: Accounts) -> dict[str, list[Any]]:  # noqa: F811
    """Real values for every path argument (and numbers too large for the database)."""
    app = scene.app
    database, config = app.extensions["portal.db"], app.extensions["portal.settings"]
    target = accounts.create(Role.SUBMITTER, country="FR")  # what the admin's actions change
    with database.session() as db:
        token = invite(db, config, Actor(None, "test"), email="invited@example.org",
                       name="Invited Person", role=Role.SUBMITTER,
                       authority_id=accounts.authority("FR"))
        job_id = db.scalar(select(Job.id).order_by(Job.id))
        user = db.get(User, target.id)
        assert user is not None
        api_token, _raw = tokens.create(db, Actor(None, "test"), user, name="CMS")
        token_id = api_token.public_id
    assert job_id is not None
    too_large = [2**31, 10**20]
    return {
        "public_id": [scene.draft, scene.submitted],
        "admin.user_detail:public_id": [target.public_id],
        "admin.user_action:public_id": [target.public_id],
        "attachment_id": [scene.draft_attachment, scene.submitted_attachment],
        "package_id": [scene.package],
        "number": [1, *too_large],
        "minor": [1, *too_large],
        "job_id": [job_id, *too_large],
        "requests.section:slug": [SECTIONS[0].slug],
        "slug": [load_samples()[0].slug],
        "name": [action.value for action in Action],
        "table": list(TABLES[:2]),
        "action": ["deactivate", "reactivate", "reinvite"],
        "item_type": [ASSISTANCE_TYPES[0]],
        "token": [token, "x" * 43],
        "admin.revoke_token:public_id": [target.public_id],
        "token_id": [token_id, "x" * 20],
        "kind": ["legal_bases", "countries", "no_such_kind"],
        "key": ["mlat-es", "no-such-key"],
        "draft_id": [scene.draft, "NoSuchDraft0000"],
        "reference": [scene.submitted, "MLA-1999-000001"],
    }


def rules(app: Flask) -> list[Rule]:
    found = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]
    assert len(found) > 50, len(found)
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def _methods(rule: Rule) -> Iterator[str]:
    yield from (m for m in ("GET", "POST") if m in (rule.methods or ()))


def reaches(app: Flask, endpoint: str, role: Role | None) -> bool:
    """Whether the actor gets past the gate (refusals are tried briefly)."""
    public, allowed = view_rule(app, endpoint)
    return public or (role is not None and allowed is not None and role in allowed)


def check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype.startswith(TEXT_TYPES):
        body = response.get_data(as_text=True)
        found = [marker for marker in LEAKS if marker in body]
        assert found == [], (what, found, body[:1500])


@dataclass
class Target:
    """One route and method at one address, for one actor."""

    client: FlaskClient
    token: str
    url: str
    method: str
    queries: list[str]  # the names its view's module reads
    form: list[tuple[str, str]]  # a form its pages post to it, as a browser would
    failures: list[str] = field(default_factory=list)

    def send(self, query: MultiDict[str, str], form: MultiDict[str, str] | None) -> None:
        if form is not None:
            form.setlist("csrf_token", [v if v != "<token>" else self.token
                                        for v in form.getlist("csrf_token")])
        response = self.client.open(self.url, method=self.method, query_string=query,
                                    data=form)
        check(response, f"{self.method} {self.url}?{query.to_dict(flat=False)} form="
                        f"{form.to_dict(flat=False) if form is not None else None}")

    def base_form(self) -> MultiDict[str, str] | None:
        if self.method != "POST":
            return None
        form = MultiDict([(k, v) for k, v in self.form if k != "csrf_token"])
        form.add("csrf_token", "<token>")
        return form

    def sweep(self) -> int:
        """Each own query name, then each field, with each boundary value alone."""
        sent = 0
        fields = sorted({k for k, _v in self.form if k != "csrf_token"})[:12]
        for name in [*self.queries, *(f"form:{f}" for f in fields)]:
            for value in BOUNDARY:
                query: MultiDict[str, str] = MultiDict()
                form = self.base_form()
                if name.startswith("form:") and form is not None:
                    form.setlist(name.removeprefix("form:"), [value])
                else:
                    query.add(name, value)
                self.attempt(query, form)
                sent += 1
        return sent

    def attempt(self, query: MultiDict[str, str], form: MultiDict[str, str] | None) -> None:
        try:
            self.send(query, form)
        except AssertionError as error:
            self.failures.append(str(error)[:3000])

    def fuzz(self, examples: int, every_query: list[str], every_field: list[str]) -> None:
        own_fields = sorted({k for k, _v in self.form if k != "csrf_token"})
        queries = _names(self.queries, every_query)
        fields = _names(own_fields, every_field)

        @settings(FUZZ, max_examples=examples)
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            query: MultiDict[str, str] = MultiDict()
            for name in data.draw(queries, label="query names"):
                query.setlist(name, data.draw(values, label=name))
            form = self.base_form()
            if form is not None:
                csrf = data.draw(st.sampled_from(["valid", "valid", "none", "wrong"]),
                                 label="csrf")
                form.setlist("csrf_token", {"valid": ["<token>"], "none": [],
                                            "wrong": ["x" * 91]}[csrf])
                for name in data.draw(fields, label="field names"):
                    form.setlist(name, data.draw(values, label=name))
            self.send(query, form)

        try:
            fuzz()
        except AssertionError as error:
            self.failures.append(str(error)[:3000])


def _names(own: list[str], every: list[str]) -> st.SearchStrategy[list[str]]:
    """A few names, mostly the route's own (when it has any)."""
    name = st.sampled_from(every)
    if own:
        name = st.one_of(st.sampled_from(own), st.sampled_from(own), name)
    return st.lists(name, max_size=5, unique=True)


def urls(app: Flask, rule: Rule, objects: dict[str, list[Any]]) -> list[str]:
    with app.test_request_context():
        return [app.url_for(rule.endpoint, **values)
                for values in path_values(rule, objects)]


def plain_pages(app: Flask, client: FlaskClient, objects: dict[str, list[Any]],
                failures: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Every page once, without a query; the POST forms they show, by target path."""
    forms: dict[str, list[tuple[str, str]]] = {}
    for rule in rules(app):
        if "GET" not in (rule.methods or ()) or rule.endpoint in SLOW:
            continue
        for url in urls(app, rule, objects)[:2]:
            response = client.get(url)
            try:
                check(response, f"GET {url}")
            except AssertionError as error:
                failures.append(str(error)[:3000])
            if response.mimetype == "text/html":
                for path, pairs in post_forms(response.get_data(as_text=True), url).items():
                    forms.setdefault(path, pairs)
    return forms


def fuzz_actor(scene: Scene, objects: dict[str, list[Any]], actor: str,  # noqa: F811
               failures: list[str]) -> int:
    app = scene.app
    role = ACTORS[actor]
    client, token = scene.clients[actor], scene.tokens[actor]
    every_query, every_field = query_names(), form_names()
    forms = plain_pages(app, client, objects, failures)
    sent = 0
    for rule in rules(app):
        own_queries = view_query_names(app, rule.endpoint)
        paths = urls(app, rule, objects)
        allowed = reaches(app, rule.endpoint, role)
        public = view_rule(app, rule.endpoint)[0]
        if rule.endpoint in SLOW and public and role is not None:
            continue  # a public PDF: drawn for the anonymous visitor only
        for url in paths:
            for method in _methods(rule):
                form = forms.get(url, []) if method == "POST" and \
                    rule.endpoint not in DEEP_ELSEWHERE else []
                target = Target(client, token, url, method, own_queries, form)
                # the sweep: once per route (a public one: for the anonymous visitor)
                if allowed and rule.endpoint not in SLOW and url == paths[0] and \
                        (role is None or not public):
                    sent += target.sweep()
                examples = 1 if rule.endpoint in SLOW or not allowed else \
                    (6 if len(paths) <= 2 else 2)
                target.fuzz(examples, every_query, every_field)
                sent += examples
                failures.extend(f"{actor}: {failure}" for failure in target.failures)
    plain_pages(app, client, objects, failures)  # nothing that was saved breaks a page
    return sent


def test_no_input_to_any_route_fails_the_server(scene: Scene,  # noqa: F811
                                                objects: dict[str, list[Any]]) -> None:
    assert {"after", "version", "status", "q", "lang", "next", "step", "to"} <= \
        set(query_names())
    failures: list[str] = []
    sent = {actor: fuzz_actor(scene, objects, actor, failures) for actor in ACTORS}
    if failures:
        pytest.fail(f"{len(failures)} failures:\n\n" + "\n\n".join(failures), pytrace=False)
    assert all(count > 100 for count in sent.values()), sent
