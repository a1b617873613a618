"""Administrators edit the reference data (issue #25): each save makes a new version with who,
why and source, audited; bad edits are refused with their problems and what was typed is
kept; export and import round-trip; other roles are refused; a change through one app is used
by another app on the same database at its next request (issue #23, in one process)."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.accounts.models import Role
from portal.app import create_app
from portal.audit.models import AuditEvent
from portal.config import Settings
from portal.i18n_core import get_translations
from portal.reference import store
from portal.reference.models import ReferenceVersion
from tests.conftest import Account, Accounts, login
from tests.web.conftest import post

EDIT_ES = "/admin/reference/legal_bases/mlat-es/edit"


@pytest.fixture()
def admin(client: FlaskClient, accounts: Accounts, app: Flask) -> Account:
    with app.extensions["portal.db"].session() as db:
        store.ensure_seeded(db)  # the PostgreSQL pass empties the tables after each test
    account = accounts.create(Role.ADMIN)
    login(client, account)
    return account


def _entry(client: FlaskClient, path: str = EDIT_ES) -> dict[str, object]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", page.text, re.S)
    assert found
    text = found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&#39;", "'")
    value: dict[str, object] = json.loads(text.replace("&amp;", "&"))
    return value


def _save(client: FlaskClient, entry: object, path: str = EDIT_ES, based_on: str = "1",
          reason: str = "Checked against Treaties in Force 2026",
          source: str = "https://www.state.gov/treaties-in-force/") -> object:
    text = entry if isinstance(entry, str) else json.dumps(entry)
    return post(client, path, {"entry": text, "reason": reason, "source": source,
                               "based_on": based_on})


def _versions(app: Flask) -> list[ReferenceVersion]:
    with app.extensions["portal.db"].session() as db:
        return list(db.scalars(select(ReferenceVersion).order_by(ReferenceVersion.number)))


def test_an_edit_makes_version_2_with_who_why_and_source(app: Flask, client: FlaskClient,
                                                         admin: Account) -> None:
    entry = _entry(client)
    assert entry["id"] == "mlat-es" and entry["verified"] is False
    entry["verified"] = True
    response = _save(client, entry)
    assert response.status_code == 302, response.text[:800]

    first, second = _versions(app)
    assert (first.number, second.number) == (1, 2)
    assert second.created_by_id == admin.id
    assert second.reason == "Checked against Treaties in Force 2026"
    assert second.source == "https://www.state.gov/treaties-in-force/"
    data = json.loads(second.data_json)
    basis = next(e for e in data["legal_bases"]["entries"] if e["id"] == "mlat-es")
    assert basis["verified"] is True
    assert data["legal_bases"]["version"] != json.loads(first.data_json)["legal_bases"]["version"]
    assert data["countries"] == json.loads(first.data_json)["countries"]

    with app.extensions["portal.db"].session() as db:
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "reference.changed"))
        assert event is not None and event.actor_id == admin.id and event.object_id == "2"
        assert json.loads(event.details)["key"] == "mlat-es"
    history = client.get("/admin/reference/history").text
    assert "Checked against Treaties in Force 2026" in history
    assert "mlat-es" in history and "verified" in history
    assert store.label(2, second.sha256) in client.get("/admin/reference").text


def test_bad_edits_are_refused_with_their_problems_and_the_text_is_kept(
        app: Flask, client: FlaskClient, admin: Account) -> None:
    response = _save(client, '{"id": "mlat-es", "kind": ')
    assert response.status_code == 400
    assert "This is not valid JSON" in response.text
    assert "{&#34;id&#34;: &#34;mlat-es&#34;, &#34;kind&#34;: " in response.text \
        or '{"id": "mlat-es", "kind": ' in response.text

    entry = _entry(client)
    entry["countries"] = ["QQ"]
    entry["in_force"] = "not a date"
    response = _save(client, entry)
    assert response.status_code == 400
    assert "The reference data was not saved" in response.text
    assert ('In <bdi dir="ltr"><code>legal_bases.json</code></bdi>, entry 18: The legal basis '
            '<bdi dir="ltr"><code>mlat-es</code></bdi> names the country code '
            '<bdi dir="ltr"><code>QQ</code></bdi>, which is not in') in response.text

    response = _save(client, _entry(client), reason="")
    assert response.status_code == 400 and "Say why you make this change." in response.text
    response = _save(client, _entry(client))  # nothing changed
    assert response.status_code == 400 and "Nothing was saved" in response.text
    assert [v.number for v in _versions(app)] == [1]


def _code(value: str) -> Markup:
    return Markup('<bdi dir="ltr"><code>{}</code></bdi>').format(value)


def _said(locale: str, msgid: str, **params: object) -> Markup:
    """``msgid`` as the page says it in ``locale`` (English until the catalogs have it)."""
    return escape(get_translations(locale).gettext(msgid)) % params


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_a_refused_edit_is_explained_in_the_page_language(
        app: Flask, client: FlaskClient, accounts: Accounts, locale: str) -> None:
    with app.extensions["portal.db"].session() as db:
        store.ensure_seeded(db)
    login(client, accounts.create(Role.ADMIN, locale=locale))
    entry = _entry(client)
    entry["countries"] = ["QQ"]
    response = _save(client, entry)
    assert response.status_code == 400
    problem = _said(locale, "The legal basis %(id)s names the country code %(code)s, which is "
                    "not in %(codes_file)s.", id=_code("mlat-es"), code=_code("QQ"),
                    codes_file=_code("countries.json"))
    place = _said(locale, "In %(file)s, entry %(number)d: %(problem)s",
                  file=_code("legal_bases.json"), number=18, problem=problem)
    frame = _said(locale, "The reference data was not saved: %(problem)s", problem=place)
    assert str(frame) in response.text
    assert get_translations(locale).gettext(
        "The reference data was not saved: %(problem)s") != \
        "The reference data was not saved: %(problem)s"  # the frame is translated already
    assert "unknown country code" not in response.text  # not the English line of the logs
    assert f'dir="{"rtl" if locale == "ar" else "ltr"}"' in response.text


def test_what_was_typed_is_shown_as_text_in_a_problem(app: Flask, client: FlaskClient,
                                                      admin: Account) -> None:
    entry = _entry(client)
    entry["countries"] = ["<script>alert(1)</script>"]
    response = _save(client, entry)
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.text
    assert str(_code("<script>alert(1)</script>")) in response.text


def test_a_save_based_on_an_older_version_is_refused(app: Flask, client: FlaskClient,
                                                     admin: Account) -> None:
    entry = _entry(client)
    entry["verified"] = True
    assert _save(client, entry).status_code == 302  # version 2
    entry["name"] = "Spain MLAT"
    response = _save(client, entry, based_on="1")
    assert response.status_code == 400
    assert "Someone saved another version" in response.text and "Spain MLAT" in response.text
    assert [v.number for v in _versions(app)] == [1, 2]


def test_add_and_remove_an_entry(app: Flask, client: FlaskClient, admin: Account) -> None:
    new = {"id": "mlat-xx", "kind": "bilateral_treaty", "name": "Test treaty",
           "countries": ["FR"], "in_force": "2001-01-01", "source": "A test",
           "verified": False}
    response = _save(client, new, path="/admin/reference/legal_bases/new")
    assert response.status_code == 302, response.text[:800]
    assert "Test treaty" in client.get("/admin/reference/legal_bases").text
    response = post(client, "/admin/reference/legal_bases/mlat-xx/remove",
                    {"reason": "Added by mistake", "source": "The test", "based_on": "2"})
    assert response.status_code == 302
    assert "Test treaty" not in client.get("/admin/reference/legal_bases").text
    assert [v.number for v in _versions(app)] == [1, 2, 3]
    assert "removed" in client.get("/admin/reference/history").text


def test_export_and_import_round_trip(app: Flask, client: FlaskClient, admin: Account) -> None:
    exported = client.get("/admin/reference/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.data)
    assert document["number"] == 1 and document["version"].startswith("db-1-")
    district = document["data"]["districts"]["entries"][0]
    district["name"] = district["name"] + " (renamed)"

    data = {"reason": "Yearly review", "source": "USAO list 2026", "based_on": "1",
            "file": (io.BytesIO(json.dumps(document).encode()), "reference.json")}
    page = post(client, "/admin/reference/import", data, content_type="multipart/form-data")
    assert page.status_code == 200, page.text[:800]
    assert district["code"] in page.text and "renamed" in page.text
    assert [v.number for v in _versions(app)] == [1]  # nothing saved before the confirmation

    hidden = re.search(r'name="payload" type="hidden" value="([^"]*)"', page.text)
    assert hidden
    confirm = post(client, "/admin/reference/import/confirm",
                   {"payload": html.unescape(hidden.group(1)), "reason": "Yearly review",
                    "source": "USAO list 2026", "based_on": "1"},
                   token_from="/admin/reference/import")
    assert confirm.status_code == 302, confirm.text[:800]
    latest = _versions(app)[-1]
    assert latest.number == 2 and latest.reason == "Yearly review"
    again = json.loads(client.get("/admin/reference/export").data)
    assert again["data"]["districts"]["entries"][0]["name"] == district["name"]
    for kind in ("countries", "legal_bases", "providers", "offence_categories"):
        assert again["data"][kind] == document["data"][kind]


def test_an_import_with_problems_shows_them_and_offers_no_save(
        app: Flask, client: FlaskClient, admin: Account) -> None:
    document = json.loads(client.get("/admin/reference/export").data)
    document["data"]["providers"]["entries"][0]["hq_district"] = "ZZZ"
    document["data"]["countries"]["entries"][0]["source"] = ""
    data = {"reason": "Review", "source": "List", "based_on": "1",
            "file": (io.BytesIO(json.dumps(document).encode()), "reference.json")}
    page = post(client, "/admin/reference/import", data, content_type="multipart/form-data")
    assert "This file cannot be saved" in page.text
    assert ('In <bdi dir="ltr"><code>countries.json</code></bdi>, entry 1: '
            '<bdi dir="ltr"><code>source</code></bdi> (where the fact comes from) is missing '
            'or empty.') in page.text  # entries counted from 1 on the page
    assert "<li>The reference data was not saved: In <bdi" in page.text  # only codes are LTR
    assert "<bdi dir=\"ltr\"><code>ZZZ</code></bdi>" in page.text
    assert "Save as a new version" not in page.text
    not_json = {"reason": "Review", "source": "List", "based_on": "1",
                "file": (io.BytesIO(b"\xff not json"), "reference.json")}
    page = post(client, "/admin/reference/import", not_json, content_type="multipart/form-data")
    assert page.status_code == 400 and "This is not valid JSON" in page.text


@pytest.mark.parametrize("role", [Role.SUBMITTER, Role.TRIAGE, Role.TRAINER])
def test_other_roles_are_refused(client: FlaskClient, accounts: Accounts, role: Role) -> None:
    login(client, accounts.create(role))
    for path in ("/admin/reference", "/admin/reference/legal_bases", EDIT_ES,
                 "/admin/reference/export", "/admin/reference/history"):
        assert client.get(path).status_code == 403, path
    response = client.post(EDIT_ES, data={"entry": "{}", "reason": "x", "source": "y"})
    assert response.status_code in (400, 403)


@pytest.fixture()
def second_app(settings: Settings) -> Iterator[Flask]:
    other = create_app(settings)
    other.config["TESTING"] = True
    yield other
    other.extensions["portal.db"].dispose()


def test_a_change_through_one_app_is_used_by_the_other_at_its_next_request(
        app: Flask, second_app: Flask, client: FlaskClient, admin: Account,
        accounts: Accounts) -> None:
    other = second_app.test_client()
    login(other, accounts.create(Role.ADMIN))
    assert "db-1-" in other.get("/admin/reference/legal_bases").text
    entry = _entry(client)
    entry["name"] = "Spain MLA treaty (renamed on node A)"
    assert _save(client, entry).status_code == 302
    page = other.get("/admin/reference/legal_bases").text
    assert "Spain MLA treaty (renamed on node A)" in page and "db-2-" in page
