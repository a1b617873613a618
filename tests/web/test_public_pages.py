"""The accessibility statement and the privacy notice: public, in every page's footer, naming
the contacts of the settings and the retention periods the portal really applies."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.housekeeping import LOGIN_ATTEMPT_DAYS
from portal.accounts.models import Role
from portal.config import ConfigError, Settings
from portal.notice_settings import NoticeSettings
from portal.retention_settings import RetentionSettings
from portal.web.notices import periods
from tests.conftest import Accounts, login
from tests.web.conftest import AppFactory
from tests.web.test_security import assert_security_headers

PAGES = ("/accessibility", "/privacy")


def _footer_links(page: str) -> list[str]:
    footer = re.search(r"<footer.*?</footer>", page, re.S)
    assert footer, "no footer"
    return re.findall(r'<a class="usa-link" href="([^"]+)"', footer.group(0))


def _kept(page: str) -> dict[str, str]:
    """The retention tables: record -> how long."""
    rows = re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td></tr>', page, re.S)
    return {html.unescape(what): html.unescape(how) for what, how in rows}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_opens_without_signing_in_with_the_usual_headers(client: FlaskClient,
                                                                   path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.text.count("<h1>") == 1
    assert _footer_links(response.text) == ["/accessibility", "/privacy"]


def test_the_footer_links_both_pages_from_the_sign_in_page_and_the_home_page(
        client: FlaskClient, accounts: Accounts) -> None:
    first = client.get("/")
    assert first.status_code == 302 and first.headers["Location"].startswith("/login")
    assert _footer_links(client.get(first.headers["Location"]).text) == list(PAGES)
    login(client, accounts.create(Role.SUBMITTER))
    home = client.get("/")
    assert home.status_code == 200 and "Sign out" in home.text
    assert _footer_links(home.text) == list(PAGES)


def test_arabic_pages_run_right_to_left(client: FlaskClient) -> None:
    page = client.get("/privacy?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in page
    assert _footer_links(page) == list(PAGES)


def test_the_contacts_and_the_system_of_records_notice_come_from_the_settings(
        make_app: AppFactory) -> None:
    app = make_app(notices=NoticeSettings(accessibility_contact="a11y@oia.example.gov",
                                          privacy_contact="privacy@oia.example.gov",
                                          privacy_sorn="DOJ-TEST-000 <b>"))
    client = app.test_client()
    statement = client.get("/accessibility").text
    assert 'href="mailto:a11y@oia.example.gov"' in statement
    assert "privacy@oia.example.gov" not in statement
    notice = client.get("/privacy").text
    assert 'href="mailto:privacy@oia.example.gov"' in notice
    assert '<bdi dir="ltr">DOJ-TEST-000 &lt;b&gt;</bdi>' in notice  # escaped
    assert "is available from the contact below" not in notice


def test_without_a_system_of_records_notice_the_page_says_whom_to_ask(client: FlaskClient,
                                                                      app: Flask) -> None:
    notice = client.get("/privacy").text
    assert "The system of records notice that covers these records is available from the " \
        "contact below." in notice
    default = app.extensions["portal.settings"].notices.privacy_contact
    assert f'href="mailto:{default}"' in notice


def test_the_contact_settings_are_read_from_the_environment_and_checked() -> None:
    read = NoticeSettings.from_env({"PORTAL_ACCESSIBILITY_CONTACT": " a11y@oia.example.gov ",
                                    "PORTAL_PRIVACY_CONTACT": "",
                                    "PORTAL_PRIVACY_SORN": "  DOJ-TEST-000,\n 1 FR 2 "})
    assert read == NoticeSettings(accessibility_contact="a11y@oia.example.gov",
                                  privacy_sorn="DOJ-TEST-000, 1 FR 2")
    assert read.problems() == []
    bad = Settings(secret_key="k" * 40,
                   notices=NoticeSettings(privacy_contact="https://example.gov/contact"))
    with pytest.raises(ConfigError, match="PORTAL_PRIVACY_CONTACT must be an e-mail address"):
        bad.validate()


def test_the_fixed_periods_are_those_the_code_applies(make_app: AppFactory) -> None:
    app = make_app(training_retention_days=45, session_idle_minutes=20,
                   session_absolute_hours=8)
    page = app.test_client().get("/privacy").text
    kept = _kept(page)
    assert kept["Practice requests"] == "Deleted 45 days after they were started."
    assert kept["Sign-in attempts (the e-mail address typed, IP address, time, outcome)"] \
        .startswith(f"{LOGIN_ATTEMPT_DAYS} days, then deleted")
    assert "(20 minutes without activity, 8 hours at most)" in \
        kept["Sessions (with the IP address they were opened from)"]
    assert kept["The audit log (who did what, when, and from which IP address)"] == \
        "Permanently: the log is append-only and is never purged."
    assert "for 365 days" in page  # the device cookie
    statement = app.test_client().get("/accessibility").text
    assert "A session ends after 20 minutes without activity" in statement


def test_the_page_reads_the_retention_settings(settings: Settings,
                                               client: FlaskClient) -> None:
    kept = _kept(client.get("/privacy").text)
    rows = ("Unsubmitted drafts and their documents", "Withdrawn requests",
            "Closed requests (completed or declined) and their documents",
            "Packages (the files handed to OIA's case management system)",
            "Copies delivered to OIA's drop folder")
    for kind, row in zip(periods.RETENTION_KINDS, rows, strict=True):
        days = periods.retention_days(settings, kind)
        if days == 0:
            assert kept[row].startswith("Kept without a time limit")
        else:
            assert f"{days} days" in kept[row]


@pytest.fixture()
def scheduled_app(make_app: AppFactory) -> Flask:
    return make_app(retention=RetentionSettings(draft_days=365, withdrawn_days=1, closed_days=0,
                                                package_days=730, drop_days=14))


def test_a_retention_schedule_in_the_settings_is_shown_as_it_is(scheduled_app: Flask) -> None:
    page = scheduled_app.test_client().get("/privacy").text
    kept = _kept(page)
    assert kept["Unsubmitted drafts and their documents"] == \
        "Deleted 365 days after its last change."
    assert kept["Withdrawn requests"] == "Deleted 1 day after it was withdrawn."
    assert kept["Closed requests (completed or declined) and their documents"] == \
        "Kept without a time limit, as OIA's records schedule provides."
    assert kept["Packages (the files handed to OIA's case management system)"] == \
        "Deleted 730 days after the request was closed or the version replaced."
    assert kept["Copies delivered to OIA's drop folder"] == "Deleted 14 days after delivery."
    assert "A request under a legal hold is kept whatever its period." in page


