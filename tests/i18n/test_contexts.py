"""English words used in two senses are told apart by a message context (msgctxt).

- *Completed*: without context the status of a request whose execution is over (ru *Исполнен*,
  pt *Concluído*, agreeing with *o pedido*); with ``section status`` a section of the task list
  the user has filled in (ru *Заполнено*, pt *Concluída*, agreeing with *a seção*).
- *Change*: with ``review link`` the link that edits an answer on the review page (a verb), with
  ``column header`` the column of a version difference that says what kind of change it was
  (a noun).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.db import Database
from portal.i18n_core import get_translations, locale_codes
from portal.requests import drafts
from portal.requests.models import MlaRequest, Status
from portal.requests.sections import SECTIONS
from tests.conftest import Accounts, login

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "requests" / "01-subscriber-info-good-es.json"
TRANSLATED = [code for code in locale_codes() if code != "en"]

#: locale: (section status "Completed", request status "Completed")
COMPLETED = {"ru": ("Заполнено", "Исполнен"), "pt": ("Concluída", "Concluído")}

TASK_STATUS = re.compile(r'<span class="portal-task-list__status"[^>]*>(.*?)</span>\s*</li>', re.S)
REQUEST_STATUS = re.compile(r'<span class="usa-tag portal-tag portal-tag--status">([^<]*)</span>')


def _db(app: Flask) -> Database:
    return app.extensions["portal.db"]  # type: ignore[no-any-return]


def _draft(app: Flask, account_id: int, *, status: Status = Status.DRAFT) -> str:
    """A draft of a good sample whose sections the user has all marked done."""
    with _db(app).session() as db:
        user = db.get(User, account_id)
        assert user is not None
        created, errors = drafts.import_json(db, user, SAMPLE.read_text(encoding="utf-8"))
        assert errors == [] and created is not None
        public_id = created.public_id
    with _db(app).session() as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        row.progress_json = json.dumps({section.slug: "done" for section in SECTIONS})
        row.status = status.value
        db.commit()
    return public_id


# -- catalogs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_context_is_translated(locale: str) -> None:
    t = get_translations(locale)
    for context, msgid in (("section status", "Completed"), ("review link", "Change"),
                           ("column header", "Change")):
        assert t.pgettext(context, msgid) != msgid, (locale, context, msgid)
    assert t.gettext("Completed") != "Completed"


@pytest.mark.parametrize("locale", sorted(COMPLETED))
def test_section_and_request_status_differ(locale: str) -> None:
    t = get_translations(locale)
    section, request = COMPLETED[locale]
    assert t.pgettext("section status", "Completed") == section
    assert t.gettext("Completed") == request


def test_change_is_a_verb_on_the_link_and_a_noun_in_the_column() -> None:
    t = get_translations("ru")
    assert t.pgettext("review link", "Change") == "Изменить"
    assert t.pgettext("column header", "Change") == "Изменение"


def test_templates_use_the_contexts() -> None:
    templates = ROOT / "templates"
    wizard = (templates / "macros" / "wizard.html").read_text(encoding="utf-8")
    status_tag = wizard.split("{% macro status_tag", 1)[1].split("{%- endmacro %}", 1)[0]
    request_status = wizard.split("{% macro request_status", 1)[1].split("{%- endmacro %}", 1)[0]
    assert 'pgettext("section status", "Completed")' in status_tag
    assert '_("Completed")' in request_status and "pgettext" not in request_status
    review = (templates / "requests" / "_answers.html").read_text(encoding="utf-8")
    assert 'pgettext("review link", "Change")' in review and '_("Change")' not in review
    package = (templates / "triage" / "package.html").read_text(encoding="utf-8")
    assert '<th scope="col">{{ pgettext("column header", "Change") }}</th>' in package
    assert '_("Change")' not in package


def test_the_template_environment_translates_with_a_context(app: Flask) -> None:
    source = ('{{ pgettext("section status", "Completed") }}|{{ _("Completed") }}|'
              '{{ pgettext("review link", "Change") }}|{{ pgettext("column header", "Change") }}')
    with app.test_request_context("/?lang=ru"):
        assert render_template_string(source) == "Заполнено|Исполнен|Изменить|Изменение"
    with app.test_request_context("/?lang=en"):
        assert render_template_string(source) == "Completed|Completed|Change|Change"


# -- pages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", sorted(COMPLETED))
def test_task_list_and_request_status_use_their_own_words(
        app: Flask, client: FlaskClient, accounts: Accounts, locale: str) -> None:
    section_word, request_word = COMPLETED[locale]
    account = accounts.create(Role.SUBMITTER, locale=locale)
    login(client, account)
    draft = _draft(app, account.id)
    done = _draft(app, account.id, status=Status.COMPLETED)

    page = client.get(f"/requests/{draft}")
    assert page.status_code == 200
    statuses = TASK_STATUS.findall(page.text)
    assert len(statuses) == len(SECTIONS) + 1  # the sections, then "Check and submit"
    completed = [s for s in statuses if "portal-tag--done" in s and section_word in s]
    assert completed, statuses  # a good sample with every section marked done
    assert all(request_word not in s for s in statuses)
    assert REQUEST_STATUS.findall(page.text) != [request_word]  # the draft's own status

    page = client.get(f"/requests/{done}")
    assert page.status_code == 200
    assert REQUEST_STATUS.findall(page.text) == [request_word]
    assert section_word not in page.text

    listing = client.get("/requests")
    assert listing.status_code == 200
    assert f'<span class="usa-tag portal-tag portal-tag--status">{request_word}</span>' in \
        listing.text


def test_review_link_says_change_as_a_verb(app: Flask, client: FlaskClient,
                                           accounts: Accounts) -> None:
    account = accounts.create(Role.SUBMITTER, locale="ru")
    login(client, account)
    draft = _draft(app, account.id)
    page = client.get(f"/requests/{draft}/review")
    assert page.status_code == 200
    assert re.search(r'<a class="usa-link" href="[^"]*next=review[^"]*">Изменить<span', page.text)
    assert "Изменение" not in page.text
