"""The demo accounts' addresses pass the portal's own e-mail validation (issue #18: the demo
submitter's address, pre-filled in section 1, was refused)."""

from __future__ import annotations

import pytest
from email_validator import validate_email

from portal.demo import DEMO_ACCOUNTS


@pytest.mark.parametrize("email", [a.email for a in DEMO_ACCOUNTS])
def test_a_demo_address_is_valid_for_the_forms(email: str) -> None:
    # the same check as the wizard's and the account forms' Email validator
    assert validate_email(email, check_deliverability=False).normalized == email
    assert email.rsplit("@", 1)[1].endswith(("example.org", "example.com", "example.net"))
