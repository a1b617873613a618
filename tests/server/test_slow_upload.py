"""A 25 MB upload sent slowly (a minute, longer than gunicorn's default 30 s timeout) through
gunicorn with the production configuration is answered with a page, never a broken
connection."""

from __future__ import annotations

import re
import time

from tests.attachments import pdfs
from tests.server.conftest import ServeFactory

MEGABYTE = 1024 * 1024


def test_a_25_mb_upload_sent_over_a_minute_gets_its_answer(serve: ServeFactory) -> None:
    served = serve()
    data = pdfs.padded_pdf(25 * MEGABYTE - 4096)
    started = time.monotonic()
    response = served.upload(data, seconds=60, name="slow-letter.pdf")
    elapsed = time.monotonic() - started
    assert elapsed > 55, elapsed
    assert response.status in (302, 400, 413), (response.status, response.body[:1000])
    if response.status == 302:  # stored: the section page lists it, the worker checks it
        page = served.get(response.headers["location"].split("#")[0].removeprefix(
            f"http://127.0.0.1:{served.server.port}"))
        assert page.status == 200
        assert "slow-letter.pdf" in page.body
        [verdict] = served.wait_for_verdicts(60)
        assert verdict["state"] == "accepted", verdict
        page = served.get(f"/requests/{served.public_id}/procedures")
        assert re.search(rf'/requests/{served.public_id}/attachments/[^"/]+" download', page.body)
    else:  # refused, with the reason on the page
        assert "The file is larger than" in response.body, response.body[:1000]
    assert served.wait_without_children(5) == []
