"""A request looked up by its public id: each user sees exactly what visible_requests lets
them see, whoever asked first."""

from __future__ import annotations

from flask import Flask

from portal.accounts.models import Role
from portal.requests import drafts
from portal.training.sandbox import start_practice
from tests.conftest import Accounts
from tests.triage.conftest import session, user


def test_each_user_sees_what_the_rules_allow_after_others_asked(app: Flask,
                                                                accounts: Accounts) -> None:
    spain, spain_too = accounts.create(Role.SUBMITTER), accounts.create(Role.SUBMITTER)
    france = accounts.create(Role.SUBMITTER, country="FR")
    trainer, other_trainer = accounts.create(Role.TRAINER), accounts.create(Role.TRAINER)
    staff = accounts.create(Role.TRIAGE)
    with session(app) as db:
        spanish = drafts.create_draft(db, user(db, spain)).public_id
        french = drafts.create_draft(db, user(db, france)).public_id
        practice = start_practice(db, user(db, trainer), None, locale="en").public_id
        others_practice = start_practice(db, user(db, other_trainer), None,
                                         locale="en").public_id
    allowed = [
        (spain, {spanish}), (spain_too, {spanish}), (france, {french}), (trainer, {practice}),
        (other_trainer, {others_practice}), (staff, set()),  # drafts are not OIA's
    ]
    everything = {spanish, french, practice, others_practice}
    for _round in range(2):  # whoever asked before
        for account, visible in allowed:
            with session(app) as db:
                who = user(db, account)
                for public_id in everything:
                    try:
                        found = drafts.get_request(db, who, public_id, audit_view=False)
                    except drafts.NotFound:
                        assert public_id not in visible, (account.email, public_id)
                    else:
                        assert public_id in visible and found.public_id == public_id
