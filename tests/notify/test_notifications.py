"""Each notification of OIA staff is sent once, in the recipient's language, with a reference
and a link but nothing of the case; preferences are respected (off, digest)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from portal import events, wiring
from portal.accounts.models import Role
from portal.config import Settings
from portal.i18n_core import get_translations
from portal.mail import messages
from portal.notify import triggers
from portal.notify.preferences import DIGEST, OFF, Preference
from portal.requests import thread
from portal.requests.models import MlaRequest
from portal.triage import operations as ops
from tests.conftest import Accounts
from tests.notify.conftest import (
    FACTS,
    assert_no_case_content,
    mails_to,
    notes_of,
    prefer,
    staff,
    submitted,
)
from tests.triage.conftest import session, user


def _ar(msgid: str, **values: str) -> str:
    return get_translations("ar").gettext(msgid) % values


def test_the_handlers_are_connected_after_the_queue_entry() -> None:
    handlers = events.subscribers(events.RequestSubmitted)
    assert handlers.index(triggers.on_submitted) > handlers.index(wiring._queue_entry)
    assert triggers.on_message in events.subscribers(events.MessageFromRequester)
    assert triggers.on_assigned in events.subscribers(events.RequestAssigned)
    assert triggers.on_status_changed in events.subscribers(events.RequestStatusChanged)


def test_a_submission_notifies_its_portfolio_once(app: Flask, settings_obj: Settings,
                                                  accounts: Accounts) -> None:
    arabic = staff(accounts, locale="ar", countries=("ES",))
    everywhere = staff(accounts, countries=("*",))
    elsewhere = staff(accounts, countries=("FR",))
    prefer(app, everywhere, submitted=Preference(DIGEST, True))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, public_id, reference = submitted(app, settings_obj, submitter)
    for _ in range(2):  # the same version announced twice: one notification
        with session(app) as db:
            triggers.on_submitted(db, events.RequestSubmitted(rid, 1, settings_obj))
    [mail] = mails_to(app, arabic)
    subject, body = messages.STAFF_TEXTS["submitted"]
    assert mail.locale == "ar"
    assert mail.subject == _ar(subject, reference=reference)
    assert mail.body == _ar(body, reference=reference,
                            link=f"{settings_obj.base_url}/triage/{public_id}")
    assert reference in mail.subject and f"/triage/{public_id}" in mail.body
    assert_no_case_content(mail)
    assert [(n.kind, n.reference) for n in notes_of(app, arabic)] == [("submitted", reference)]
    # the digest reader sees it in the portal and gets no e-mail now; FR hears nothing
    assert mails_to(app, everywhere) == [] and len(notes_of(app, everywhere)) == 1
    assert notes_of(app, everywhere)[0].digest_pending
    assert notes_of(app, elsewhere) == [] and mails_to(app, elsewhere) == []
    # a new version is news again
    with session(app) as db:
        triggers.on_submitted(db, events.RequestSubmitted(rid, 2, settings_obj))
    assert len(mails_to(app, arabic)) == 2


def test_a_message_from_the_requester_reaches_the_attorney(app: Flask, settings_obj: Settings,
                                                           accounts: Accounts) -> None:
    manager = staff(accounts, manager=True)
    attorney = staff(accounts, locale="ar")
    portfolio = staff(accounts, countries=("ES",))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, _public_id, reference = submitted(app, settings_obj, submitter)
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        ops.assign(db, settings_obj, user(db, manager), request, user(db, attorney))
        thread.post_message(db, settings_obj, user(db, submitter), request, FACTS)
    sent = [m for m in mails_to(app, attorney) if m.kind == "notify.message"]
    assert len(sent) == 1 and sent[0].locale == "ar"
    assert_no_case_content(sent[0])
    # (this subject is in the catalogs already: Arabic, not English)
    assert sent[0].subject == _ar("New message about request %(reference)s",
                                  reference=reference)
    assert sent[0].subject != f"New message about request {reference}"
    assert [n.kind for n in notes_of(app, attorney)] == ["assigned", "message"]
    # assigned: its attorney only, not the portfolio nor the manager
    assert notes_of(app, portfolio) == [] and notes_of(app, manager) == []
    assert all(m.kind != "notify.message" for m in mails_to(app, manager))


def test_a_message_on_an_unassigned_request_uncovered_by_portfolios_reaches_all_staff(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    first, second = staff(accounts), staff(accounts, countries=("FR",))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, _public_id, _reference = submitted(app, settings_obj, submitter)
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        thread.post_message(db, settings_obj, user(db, submitter), request, FACTS)
    for account in (first, second):
        assert [m.kind for m in mails_to(app, account)] == ["notify.message"]


def test_a_withdrawal_reaches_those_responsible_as_they_chose(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    holder = staff(accounts, locale="ar", countries=("ES",))
    quiet = staff(accounts, countries=("ES",))
    elsewhere = staff(accounts, countries=("FR",))
    prefer(app, quiet, withdrawn=Preference(OFF, True))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, public_id, reference = submitted(app, settings_obj, submitter)
    for _ in range(2):  # announced twice: one notification
        with session(app) as db:
            request = db.get(MlaRequest, rid)
            assert request is not None
            if request.status != "withdrawn":
                thread.withdraw(db, settings_obj, user(db, submitter), request, FACTS)
            triggers.on_status_changed(db, events.RequestStatusChanged(rid, settings_obj))
    [mail] = [m for m in mails_to(app, holder) if m.kind == "notify.withdrawn"]
    subject, _body = messages.STAFF_TEXTS["withdrawn"]
    assert mail.locale == "ar" and mail.subject == _ar(subject, reference=reference)
    assert f"/triage/{public_id}" in mail.body
    assert_no_case_content(mail)
    assert [n.kind for n in notes_of(app, holder)] == ["withdrawn"]
    # off means nothing, not even the old e-mail to all staff; other portfolios hear nothing
    assert notes_of(app, quiet) == []
    assert all(m.kind != "notify.withdrawn" for m in mails_to(app, quiet))
    assert notes_of(app, elsewhere) == [] and mails_to(app, elsewhere) == []


def test_an_assignment_notifies_the_assignee_not_oneself(app: Flask, settings_obj: Settings,
                                                         accounts: Accounts) -> None:
    manager = staff(accounts, manager=True)
    attorney = staff(accounts, locale="ar")
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, public_id, reference = submitted(app, settings_obj, submitter)
    with session(app) as db:
        request = db.get(MlaRequest, rid)
        assert request is not None
        ops.assign(db, settings_obj, user(db, manager), request, user(db, manager))
        ops.assign(db, settings_obj, user(db, manager), request, user(db, attorney))
    assert notes_of(app, manager) == []
    [mail] = mails_to(app, attorney)
    subject, _body = messages.STAFF_TEXTS["assigned"]
    assert mail.kind == "notify.assigned" and mail.locale == "ar"
    assert mail.subject == _ar(subject, reference=reference)
    assert_no_case_content(mail)
    assert notes_of(app, attorney)[0].request_public_id == public_id


@pytest.mark.parametrize("email", [True, False])
def test_off_sends_nothing_and_email_off_stays_in_the_portal(
        app: Flask, settings_obj: Settings, accounts: Accounts, email: bool) -> None:
    manager = staff(accounts, manager=True)
    quiet = staff(accounts, countries=("ES",))
    portal_only = staff(accounts)
    prefer(app, quiet, submitted=Preference(OFF, email))
    prefer(app, portal_only, assigned=Preference("immediate", False))
    submitter = accounts.create(Role.SUBMITTER, country="ES")
    rid, _public_id, _reference = submitted(app, settings_obj, submitter)
    with session(app) as db:
        triggers.on_submitted(db, events.RequestSubmitted(rid, 1, settings_obj))
        request = db.get(MlaRequest, rid)
        assert request is not None
        ops.assign(db, settings_obj, user(db, manager), request, user(db, portal_only))
    assert notes_of(app, quiet) == [] and mails_to(app, quiet) == []
    assert [n.kind for n in notes_of(app, portal_only)] == ["assigned"]
    assert not notes_of(app, portal_only)[0].digest_pending
    assert mails_to(app, portal_only) == []


def test_preferences_are_checked_and_audited(app: Flask, accounts: Accounts) -> None:
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.notify.preferences import preferences_of, save_preferences

    account = staff(accounts)
    with session(app) as db, pytest.raises(ValueError, match="unknown"):
        save_preferences(db, user(db, account), {"submitted": Preference("weekly", True)})
    prefer(app, account, urgency=Preference(DIGEST, False))
    with session(app) as db:
        chosen = preferences_of(db, account.id)
        assert chosen["urgency"] == Preference(DIGEST, False)
        assert chosen["assigned"] == Preference()  # the default: at once, by e-mail
        audit = db.scalar(select(AuditEvent).where(
            AuditEvent.action == "notify.preferences_changed"))
        assert audit is not None and audit.object_id == user(db, account).public_id


def test_the_referral_due_date_is_a_date_in_any_language() -> None:
    mail = messages.staff_notification("ar", "referral_due", reference="MLA-1",
                                       link="http://x/triage/p", date=date(2027, 1, 5)
                                       .isoformat())
    assert "2027-01-05" in mail.body and "MLA-1" in mail.subject


def test_no_date_is_needed_by_a_kind_without_one() -> None:
    for kind in messages.STAFF_TEXTS:
        mail = messages.staff_notification("en", kind, reference="MLA-1", link="L",
                                           date=(date.today() + timedelta(days=1)).isoformat())
        assert "MLA-1" in mail.subject and "L" in mail.body


def test_a_real_submission_reaches_the_portfolio_without_its_content(
        app: Flask, settings_obj: Settings, accounts: Accounts) -> None:
    """Through the submission service and the wired events, not the handler alone."""
    from sqlalchemy import select

    from portal.requests import submission
    from tests.requests.test_wizard import _content, _import

    covering = staff(accounts, locale="ar", countries=("DE",))
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _import(app, submitter, "05-stored-content-good-de.json")
    content = _content(app, public_id)
    with session(app) as db:
        row = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert row is not None
        done = submission.submit(db, settings_obj, user(db, submitter), row,
                                 expected_revision=row.revision, locale="de")
    [mail] = mails_to(app, covering)
    assert mail.kind == "notify.submitted" and mail.locale == "ar"
    assert done.reference in mail.subject
    secrets = [content.facts.summary.text, *(p.name for p in content.persons),
               *(o.name.text for o in content.offences)]
    assert all(s.strip() for s in secrets) and len(secrets) >= 3
    for secret in secrets:
        assert secret not in mail.subject and secret not in mail.body
