"""Two web nodes: two gunicorn servers on different ports and data folders, sharing PostgreSQL and
the S3 storage (moto's server) and nothing else, with a worker on a third folder. A submitter
uploads on node A and submits on node B; OIA downloads the package on node A; a change of the
reference data made through node A's editor is used by node B's next check."""

from __future__ import annotations

import html
import http.client
import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bench import http_harness as h
from bench.worker_process import WorkerProcess
from portal.accounts.models import Role
from portal.app import create_app
from portal.config import Settings
from portal.db import Database
from portal.reference import store
from portal.reference.models import ReferenceVersion
from portal.requests.models import RequestVersion
from tests.attachments import pdfs
from tests.attachments.conftest import key_entry
from tests.conftest import PG_URL, Accounts
from tests.requests.test_wizard import _import
from tests.server.conftest import Response, Served, sign_in
from tests.storage.conftest import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, Bucket

pytestmark = pytest.mark.skipif(not PG_URL, reason="nodes share a PostgreSQL server")

KEYS = key_entry("k1")


def _post(port: int, path: str, cookie: str, fields: list[tuple[str, str]]) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=urllib.parse.urlencode(fields),
                     headers={"Cookie": cookie,
                              "Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                        answer.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def _token(body: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert match, body[:500]
    return match[1]


def _treaty_not_yet_in_force(port: int, cookie: str) -> None:
    """Through the reference-data editor of the node on ``port``: the U.S.-Turkey treaty
    enters into force in 2999."""
    path = "/admin/reference/legal_bases/mlat-tr/edit"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        body = conn.getresponse().read().decode("utf-8")
    finally:
        conn.close()
    text = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", body, re.S)
    based_on = re.search(r'name="based_on"[^>]*value="(\d+)"', body) or \
        re.search(r'value="(\d+)"[^>]*name="based_on"', body)
    assert text and based_on, body[:500]
    entry = json.loads(html.unescape(text[1]))
    entry["in_force"] = "2999-01-01"
    saved = _post(port, path, cookie, [
        ("csrf_token", _token(body)), ("entry", json.dumps(entry)), ("based_on", based_on[1]),
        ("reason", "Checked against Treaties in Force"), ("source", "https://www.state.gov/")])
    assert saved.status == 302, saved.body[:500]


@pytest.fixture()
def nodes(database_url: str, bucket: Bucket, tmp_path: Path
          ) -> Iterator[list[h.Gunicorn | WorkerProcess]]:
    started: list[h.Gunicorn | WorkerProcess] = []
    yield started
    for process in started:
        process.stop()


def test_upload_on_a_submit_on_b_download_on_a(
        database_url: str, bucket: Bucket, tmp_path: Path,
        nodes: list[h.Gunicorn | WorkerProcess]) -> None:
    shared = {"PORTAL_STORAGE": "s3", "PORTAL_S3_BUCKET": bucket.name,
              "PORTAL_S3_PREFIX": bucket.prefix,
              "PORTAL_S3_ENDPOINT_URL": bucket.server.endpoint_url, "PORTAL_S3_REGION": REGION,
              "PORTAL_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
              "PORTAL_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY, "PORTAL_ATTACHMENT_KEYS": KEYS,
              "PORTAL_JOBS_POLL_SECONDS": "0.2"}
    settings = Settings(env="testing", data_dir=tmp_path / "setup", database_url=database_url,
                        secret_key=h.SECRET_KEY, audit_keys=h.AUDIT_KEYS, argon2_time_cost=1,
                        argon2_memory_kib=1024, argon2_parallelism=1)
    app = create_app(bucket.settings(settings, attachment_keys=KEYS))
    accounts = Accounts(app)
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    officer = accounts.create(Role.TRIAGE)
    admin = accounts.create(Role.ADMIN)
    public_id = _import(app, submitter, "22-subscriber-info-good-tr.json", documents=False)
    app.extensions["portal.db"].dispose()

    servers = {}
    for name in ("a", "b"):
        server = h.Gunicorn(h.server_env(database_url, tmp_path / name, **shared), workers=1,
                            threads=4, log=tmp_path / f"{name}.log", production_config=True)
        nodes.append(server)
        server.start()
        servers[name] = server
    worker = WorkerProcess(h.server_env(database_url, tmp_path / "worker", **shared),
                           log=tmp_path / "worker.log")
    nodes.append(worker)
    worker.start()
    a, b = servers["a"], servers["b"]

    # the submitter signs in on A; the session works on B (it is in the database)
    cookie = sign_in(a.port, submitter.email, submitter.password)
    on_a = Served(a, worker, public_id, cookie)
    on_b = Served(b, worker, public_id, cookie)
    assert on_a.upload(pdfs.valid_pdf("Signed letter"), name="letter.pdf").status == 302
    assert [v["state"] for v in on_b.wait_for_verdicts(30)] == ["accepted"]
    assert not (tmp_path / "a" / "attachments").exists()  # A kept no file of its own

    # OIA's administrator changes the reference data on A: B's next check uses it
    assert "GEN-BASIS-COUNTRY" not in on_b.get(f"/requests/{public_id}/check").body
    _treaty_not_yet_in_force(a.port, sign_in(a.port, admin.email, admin.password,
                                             admin.totp_secret))
    check = on_b.get(f"/requests/{public_id}/check")
    assert "GEN-BASIS-COUNTRY" in check.body  # a warning: acknowledged below
    fields = [("csrf_token", _token(check.body))]
    for key in re.findall(r'name="ack-([^"]+)"', check.body):
        fields += [(f"ack-{key}", "y"), (f"why-{key}", "The account is the suspect's.")]
    assert _post(b.port, f"/requests/{public_id}/check", cookie, fields).status == 302
    review = on_b.get(f"/requests/{public_id}/review")
    revision = re.search(r'name="revision" value="(\d+)"', review.body)
    assert revision, "the request can be submitted on B"
    submitted = _post(b.port, f"/requests/{public_id}/submit", cookie,
                      [("csrf_token", _token(review.body)), ("revision", revision[1])])
    assert submitted.status == 302 and submitted.headers["location"].endswith("/submitted")

    # OIA on A: the package the worker built in its own folder, from the shared storage
    triage = Served(a, worker, public_id,
                    sign_in(a.port, officer.email, officer.password, officer.totp_secret))
    pattern = r'href="(/triage/packages/[^"]+/download\.zip[^"]*)"'
    deadline = time.monotonic() + 60
    page = triage.get(f"/triage/{public_id}")
    while not re.search(pattern, page.body) and time.monotonic() < deadline:  # being built
        time.sleep(0.5)
        page = triage.get(f"/triage/{public_id}")
    link = re.search(pattern, page.body)
    assert link, "the package was built"
    download = triage.get(link[1].replace("&amp;", "&"))
    assert download.status == 200 and download.headers["content-type"] == "application/zip"
    assert download.body.startswith("PK")
    assert any((tmp_path / "worker" / "packages").iterdir())  # built by the worker
    assert any(p.name.startswith("MLA-") for p in (tmp_path / "a" / "packages").iterdir())
    with Database(database_url).session() as db:  # judged with the version made on A
        versions = list(db.scalars(select(RequestVersion.reference_version)))
        newest = db.scalar(select(ReferenceVersion).order_by(ReferenceVersion.number.desc()))
        assert newest is not None and newest.created_by_id == admin.id
        assert versions == [store.label(newest.number, newest.sha256)]
