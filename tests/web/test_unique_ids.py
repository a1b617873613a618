"""Every page of a draft names each element once: an id given twice sends a finding's link, a
label's ``for`` and a screen reader's description to the wrong element."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role
from portal.requests.sections import SECTIONS
from tests.conftest import Accounts, login
from tests.requests.test_wizard import _import

EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "examples" /
                                   "requests").glob("*.json"))
ID = re.compile(r'\sid="([^"]+)"')


def repeated_ids(html: str) -> dict[str, int]:
    return {name: n for name, n in Counter(ID.findall(html)).items() if n > 1}


def test_the_id_check_sees_a_repeated_id() -> None:
    assert repeated_ids('<div id="a"></div><p id="b"></p><span id="a"></span>') == {"a": 2}


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_page_of_a_draft_gives_each_id_once(app: Flask, client: FlaskClient,
                                                 accounts: Accounts, example: str) -> None:
    account = accounts.create(Role.SUBMITTER, country="DE")
    public_id = _import(app, account, example, documents=False)
    login(client, account)
    pages = ["", *(f"/{section.slug}" for section in SECTIONS), "/check", "/review"]
    found = {}
    for suffix in pages:
        page = client.get(f"/requests/{public_id}{suffix}?check=1")
        assert page.status_code == 200, suffix
        if repeated_ids(page.text):
            found[suffix] = repeated_ids(page.text)
    assert found == {}
