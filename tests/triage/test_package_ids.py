"""The package view's HTML ids: every id once, every ``<label for>`` on a control of its own
form, every ``aria-describedby``/``aria-labelledby`` id present – in each state of a request
(the action forms differ per state), after a refused form, and on the other triage pages.
Closed ``<details>`` hide the action forms from axe, so the page is checked here as parsed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.config import Settings
from portal.requests.models import MlaRequest
from portal.triage import operations as ops
from tests.conftest import Account, Accounts, login
from tests.triage.conftest import content, make_submitted, session, user

FINDINGS = [
    {"code": "GEN-CONTACT", "severity": "blocker", "path": "requesting_authority.contact.email",
     "acknowledgement": ""},
    {"code": "ELEC-IP-TIME", "severity": "warning", "path": "assistance[0].identifiers[0]",
     "acknowledgement": "Provider logs are in UTC."},
]
LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    form: int | None  # index of the enclosing <form>, if any
    details: str | None  # id of the enclosing <details>, if any
    text: list[str] = field(default_factory=list)


class IdReader(HTMLParser):
    """Every element with an id, every label, every described/labelled-by reference."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.by_id: dict[str, Element] = {}
        self.labels: list[Element] = []
        self.controls: list[Element] = []
        self.references: list[tuple[str, str, str]] = []  # (attribute, id, on element)
        self._forms = 0
        self._form: int | None = None
        self._details: list[str] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = self._forms
            self._forms += 1
        if tag == "details":
            self._details.append(a.get("id", ""))
        element = Element(tag, a, self._form, self._details[-1] if self._details else None)
        if "id" in a:
            self.ids.append(a["id"])
            self.by_id.setdefault(a["id"], element)
        for attribute in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in a.get(attribute, "").split():
                self.references.append((attribute, ref, a.get("id") or tag))
        if tag == "label":
            self.labels.append(element)
        if tag in ("select", "textarea") or (
                tag == "input" and a.get("type", "text") not in ("hidden", "submit", "button")):
            self.controls.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "details" and self._details:
            self._details.pop()
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)


def read(html: str) -> IdReader:
    reader = IdReader()
    reader.feed(html)
    reader.close()
    return reader


def assert_ids_sound(html: str, where: str) -> IdReader:
    page = read(html)
    duplicates = sorted(i for i, n in Counter(page.ids).items() if n > 1)
    assert duplicates == [], f"{where}: duplicate ids {duplicates}"
    assert "" not in page.ids, f"{where}: empty id"
    for label in page.labels:
        target = label.attrs.get("for")
        if target is None:
            continue
        control = page.by_id.get(target)
        assert control is not None, f"{where}: <label for={target!r}> points at nothing"
        assert control.tag in LABELABLE, f"{where}: <label for={target!r}> on a <{control.tag}>"
        assert control.attrs.get("type") != "hidden", f"{where}: label of a hidden input"
        assert control.form == label.form, f"{where}: <label for={target!r}> in another form"
    labelled = {label.attrs["for"] for label in page.labels if "for" in label.attrs}
    for control in page.controls:
        ident = control.attrs.get("id", "")
        assert ident in labelled or "aria-label" in control.attrs, (
            f"{where}: <{control.tag} name={control.attrs.get('name')!r}> has no label")
    for attribute, ref, owner in page.references:
        assert ref in page.by_id, f"{where}: {attribute}={ref!r} on {owner} points at nothing"
    return page


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


Step = Callable[[Session, Settings, User, MlaRequest], Any]
DUE = date.today() + timedelta(days=30)


def _open(db: Session, s: Settings, a: User, r: MlaRequest) -> Any:
    return ops.open_request(db, s, a, r)


def _accept(db: Session, s: Settings, a: User, r: MlaRequest) -> Any:
    return ops.accept(db, s, a, r)


def _assign(db: Session, s: Settings, a: User, r: MlaRequest) -> Any:
    return ops.assign(db, s, a, r, a, note="mine")


def _refer(db: Session, s: Settings, a: User, r: MlaRequest) -> Any:
    return ops.refer(db, s, a, r, "CAN", DUE)


STATES: dict[str, list[Step]] = {
    "submitted": [],
    "in_triage": [_open],
    "returned": [_open, lambda db, s, a, r: ops.return_for_deficiency(
        db, s, a, r, [f"{FINDINGS[0]['code']}@{FINDINGS[0]['path']}"], "Fix it.")],
    "accepted": [_open, _accept],
    "assigned": [_open, _accept, _assign],
    "referred": [_open, _accept, _assign, _refer],
    "in_execution": [_open, _accept, _assign, _refer,
                     lambda db, s, a, r: ops.start_execution(db, s, a, r)],
    "completed": [_open, _accept, _assign, _refer, lambda db, s, a, r: ops.complete(db, s, a, r)],
}


def _request_in(app: Flask, settings: Settings, accounts: Accounts, actor: Account,
                state: str) -> str:
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    body = content("ES", types=("stored_content",), identifiers=(("ip", "198.51.100.7", ""),),
                   provider="Google")
    with session(app) as db:
        req = make_submitted(db, settings, user(db, submitter), body, findings=FINDINGS)
        for step in STATES[state]:
            step(db, settings, user(db, actor), req)
        db.commit()
        assert req.status == state
        return req.public_id


@pytest.mark.parametrize("state", list(STATES))
def test_package_view_ids_are_unique_and_labels_point_at_their_control(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings, state: str) -> None:
    public_id = _request_in(app, settings_obj, accounts, manager, state)
    login(client, manager)
    response = client.get(f"/triage/{public_id}")
    assert response.status_code == 200
    page = assert_ids_sound(response.text, state)
    allowed = ops.allowed_actions(state, manager=True)
    for action in allowed:  # each action form's fields carry ids of their own
        assert f"action-{action.value}" in page.by_id
        own = [c for c in page.controls if c.details == f"action-{action.value}"]
        assert all(c.attrs["id"].startswith(f"{action.value}-") or
                   c.attrs["id"].startswith(f"action-{action.value}-") for c in own), own
    assert page.by_id["findings"].tag == "section"
    notes = [c for c in page.controls if c.attrs.get("name") == "note"]
    assert len(notes) == sum(1 for a in allowed if a not in (ops.Action.RETURN,
                                                             ops.Action.DECLINE))
    if state == "referred":  # a NoteForm each for Start execution and Complete
        assert {"action-execute-note", "action-complete-note"} <= {c.attrs["id"] for c in notes}


def test_district_name_is_shown_with_its_code(app: Flask, client: FlaskClient,
                                              accounts: Accounts, manager: Account,
                                              settings_obj: Settings) -> None:
    public_id = _request_in(app, settings_obj, accounts, manager, "referred")
    login(client, manager)
    html = client.get(f"/triage/{public_id}").text
    name = "Northern District of California (CAN)"
    summary = html.split('class="portal-summary-list"', 1)[1].split("</dl>", 1)[0]
    assert name in summary
    referrals = html.split('id="referrals"', 1)[1].split("</section>", 1)[0]
    assert name in referrals


def _control(page: IdReader, ident: str) -> Element:
    control = page.by_id[ident]
    assert control.tag in ("textarea", "select", "input", "fieldset"), control
    return control


def test_refused_forms_show_their_errors_at_their_own_field(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    public_id = _request_in(app, settings_obj, accounts, manager, "referred")
    login(client, manager)
    token = _token(client.get(f"/triage/{public_id}").text)
    too_long = "x" * 10_001
    response = client.post(f"/triage/{public_id}/action/complete",
                           data={"csrf_token": token, "note": too_long})
    assert response.status_code == 400
    page = assert_ids_sound(response.text, "complete refused")
    note = _control(page, "action-complete-note")
    assert note.details == "action-complete" and note.attrs.get("aria-invalid") == "true"
    assert "action-complete-note-error" in note.attrs["aria-describedby"].split()
    assert page.by_id["action-complete"].attrs.get("open") is not None
    other = _control(page, "action-execute-note")
    assert "aria-invalid" not in other.attrs and "".join(other.text).strip() == ""
    assert "".join(note.text).strip() == too_long  # the answer is kept
    summary_links = re.findall(r'data-error-summary.*?</div>\s*</div>', response.text, re.S)
    assert summary_links and 'href="#action-complete-note"' in summary_links[0]

    # a form of an action not possible now is not shown: refused as such, not re-rendered
    response = client.post(f"/triage/{public_id}/action/reopen",
                           data={"csrf_token": token, "note": ""})
    assert response.status_code == 303
    assert "is not possible while the request is" in client.get(f"/triage/{public_id}").text
    response = client.post(f"/triage/{public_id}/messages",
                           data={"csrf_token": token, "body": ""})
    assert response.status_code == 400
    page = assert_ids_sound(response.text, "reply refused")
    body = _control(page, "reply-body")
    assert "reply-body-error" in body.attrs["aria-describedby"].split()


def test_refused_return_and_refer_show_errors_in_their_form(
        app: Flask, client: FlaskClient, accounts: Accounts, manager: Account,
        settings_obj: Settings) -> None:
    public_id = _request_in(app, settings_obj, accounts, manager, "in_triage")
    login(client, manager)
    token = _token(client.get(f"/triage/{public_id}").text)
    response = client.post(f"/triage/{public_id}/action/return", data={"csrf_token": token})
    assert response.status_code == 400 and "Choose at least one finding" in response.text
    page = assert_ids_sound(response.text, "return refused")
    assert page.by_id["return-findings"].details == "action-return"
    assert "return-findings-error" in page.by_id
    assert page.by_id["return-findings-error"].details == "action-return"
    assert page.by_id["action-return"].attrs.get("open") is not None
    assigned = _request_in(app, settings_obj, accounts, manager, "assigned")
    response = client.post(f"/triage/{assigned}/action/refer",
                           data={"csrf_token": token, "district": "", "due": ""})
    assert response.status_code == 400
    page = assert_ids_sound(response.text, "refer refused")
    for name in ("district", "due"):
        control = _control(page, f"refer-{name}")
        assert control.details == "action-refer" and control.attrs["aria-invalid"] == "true"
        assert f"refer-{name}-error" in control.attrs["aria-describedby"].split()
    assert page.by_id["action-refer"].attrs.get("open") is not None


@pytest.mark.parametrize("path", ["/triage", "/triage/dashboard", "/triage/portfolios"])
def test_other_triage_pages_have_unique_ids(app: Flask, client: FlaskClient,
                                            accounts: Accounts, manager: Account,
                                            settings_obj: Settings, path: str) -> None:
    _request_in(app, settings_obj, accounts, manager, "referred")
    accounts.create(Role.TRIAGE)  # a second attorney: a second portfolio form
    login(client, manager)
    response = client.get(path)
    assert response.status_code == 200
    assert_ids_sound(response.text, path)
