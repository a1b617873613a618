"""The PDF policy through the real upload route: a dangerous link is refused with a message that
names its page, in the user's language; a LaTeX form with a submit button and a scan of sane
size are attached."""

from __future__ import annotations

import pytest
from flask import Flask
from markupsafe import escape

from tests.attachments import policy_pdfs
from tests.conftest import run_jobs
from tests.hostile.conftest import Owner, assert_no_leak, token_of
from tests.hostile.test_pdf_uploads import assert_refused, upload
from tests.requests.test_wizard import _content


def test_a_javascript_link_is_refused_with_its_page(app: Flask, owner: Owner) -> None:
    data = policy_pdfs.link_pdf(b"(javascript:app.alert\\(1\\))")
    assert_refused(app, owner, data, "link_script",
                   app.extensions["portal.settings"].upload_time_limit_seconds)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert str(escape("The link on page 2 runs a script (a javascript: address), which is "
                      "not allowed.")) in page.text


def test_an_image_over_the_limit_setting_is_refused(app: Flask, owner: Owner) -> None:
    settings = app.extensions["portal.settings"]
    app.extensions["portal.settings"] = settings.with_overrides(max_image_mb=2)
    response = upload(owner, policy_pdfs.inflating_image_pdf(3))
    assert response.status_code == 302
    run_jobs(app)  # (the worker reads the setting too)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert 'data-check-state="refused"' in page.text
    assert "The PDF contains an image that takes more than 2 MB once decompressed." in page.text
    assert_no_leak(page.text)


@pytest.mark.parametrize("make", [policy_pdfs.latex_form_pdf, policy_pdfs.flate_image_pdf,
                                  lambda: policy_pdfs.link_pdf(b"(mailto:oia@example.org)")],
                         ids=["LaTeX form with a submit button", "a scan", "a mailto link"])
def test_benign_pdfs_are_attached(app: Flask, owner: Owner, make: object) -> None:
    response = upload(owner, make())  # type: ignore[operator]
    assert response.status_code == 302, response.text[:2000]
    run_jobs(app)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert 'data-check-state="accepted"' in page.text
    assert len(_content(app, owner.public_id).attachments) == 1


def test_the_refusal_is_in_the_users_language(app: Flask, owner: Owner) -> None:
    # (the reason is stored as a code: the page says it in the language of whoever reads it)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    switched = owner.client.post("/language", data={"lang": "es", "next": "/",
                                                    "csrf_token": token_of(page.text)})
    assert switched.status_code == 303
    response = upload(owner, policy_pdfs.link_pdf(b"(file:///C:/Windows/calc.exe)"))
    assert response.status_code == 302
    run_jobs(app)
    page = owner.client.get(f"/requests/{owner.public_id}/procedures")
    assert str(escape("El enlace de la página 2 abre un archivo del equipo o de la red de quien "
                      "lee el documento")) in page.text
