"""Packages: built at submission, valid BagIt bags that ``portal package verify`` accepts, every
kind of damage reported, atomic with the submission, repaired after a crash."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import bagit
import pytest
from click.testing import Result
from pypdf import PdfReader
from sqlalchemy import func, select, update

from portal.accounts.models import Role, User
from portal.attachments.models import Attachment
from portal.contract.load import load_request_json
from portal.jobs import worker
from portal.packages.commands import package_group
from portal.packages.models import Handoff, HandoffState, Package, PackageState
from portal.packages.payload import attachment_payload_name
from portal.packages.repair import repair
from portal.packages.status import handoff_state
from portal.packages.verify import verify_package
from portal.requests import submission
from portal.requests.models import MlaRequest, RequestVersion, Status
from tests.conftest import Accounts, login
from tests.packages.conftest import Env


def _package(env: Env, reference: str, version: int = 1) -> Package:
    with env.database.session() as db:
        package = db.scalar(select(Package).where(Package.reference == reference,
                                                  Package.version == version))
        assert package is not None
        return package


def cli(env: Env, *args: str) -> Result:
    """``portal package ...`` against the test app."""
    return env.app.test_cli_runner().invoke(package_group, list(args))


def _bag(env: Env, reference: str, version: int = 1) -> Path:
    return env.settings.packages_path / f"{reference}-v{version}"


def test_submission_builds_a_complete_valid_package(
        env: Env, attachments: list[tuple[str, str, bytes]]) -> None:
    _public_id, reference = env.submitted(attachments)
    package = _package(env, reference)
    assert package.state == PackageState.BUILT.value
    with env.database.session() as db:
        handoff = db.scalar(select(Handoff).where(Handoff.package_id == package.id))
        assert handoff is not None and handoff.state == HandoffState.QUEUED.value
    bag = _bag(env, reference)
    bagit.Bag(str(bag)).validate()  # raises on any problem
    with env.database.session() as db:
        assert verify_package(bag, db) == []
    assert (bag / "bagit.txt").read_text() == ("BagIt-Version: 1.0\n"
                                               "Tag-File-Character-Encoding: UTF-8\n")
    info = bagit.Bag(str(bag)).info
    assert info["External-Identifier"] == reference
    assert info["MLA-Request-Version"] == "1"
    assert info["MLA-Training"] == "no"
    for field in ("Source-Organization", "Contact-Name", "Contact-Email", "Bagging-Date",
                  "Payload-Oxum"):
        assert info[field]
    assert info["Payload-Oxum"] == package.payload_oxum
    assert hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest() == \
        package.tagmanifest_sha256
    # the request contract, valid against the schema
    request_json = (bag / "data/request.json").read_bytes()
    assert load_request_json(request_json, "en").ok
    assert json.loads(request_json)["reference"] == reference
    # the attachments, byte for byte
    for index, (name, _kind, data) in enumerate(attachments, 1):
        assert (bag / attachment_payload_name(index, name)).read_bytes() == data
    # the findings with their justifications
    findings = json.loads((bag / "data/findings.json").read_text())
    assert findings["reference"] == reference and findings["version"] == 1
    assert all(f["key"] == f"{f['code']}@{f['path']}" for f in findings["findings"])
    # the reading copy: request.pdf then every attachment, one bookmark per document
    request_pages = len(PdfReader(bag / "data/request.pdf").pages)
    reading = PdfReader(bag / "data/reading-copy.pdf")
    assert len(reading.outline) == 1 + len(attachments)
    assert all(not isinstance(item, list) for item in reading.outline)
    assert len(reading.pages) == request_pages + 2 + 1 + 3 + 1
    titles = [item.title for item in reading.outline]
    assert titles[0].startswith(f"Request {reference}")
    assert titles[1:] == [f"Attachment {i}: {name} ({label})" for i, (name, label) in
                          enumerate([("Request letter.pdf", "Signed request letter"),
                                     ("Постановление суда.pdf", "Court order"),
                                     ("شهادة.pdf", "Evidence"), ("证据 清单.pdf", "Evidence")], 1)]
    # each bookmark points at the first page of its document
    starts = [reading.get_destination_page_number(item) for item in reading.outline]
    assert starts == [0, request_pages, request_pages + 2, request_pages + 3,
                      request_pages + 6]
    # the names in four scripts come back out of request.pdf
    text = "".join(page.extract_text() for page in PdfReader(bag / "data/request.pdf").pages)
    for name in ("Постановление суда.pdf", "شهادة.pdf", "证据 清单.pdf"):
        assert name in text, name
    assert not list((env.settings.packages_path / ".tmp").iterdir())


def test_cli_verify_accepts_a_package_and_build_reproduces_it(env: Env, tmp_path: Path) -> None:
    _public_id, reference = env.submitted()
    bag = _bag(env, reference)
    result = cli(env, "verify", str(bag))
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    out = tmp_path / "out"
    result = cli(env, "build", reference, "--version", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    rebuilt = out / f"{reference}-v1"
    # deterministic: the same bytes, so the same tag manifest
    for name in ("manifest-sha256.txt", "tagmanifest-sha256.txt", "bag-info.txt"):
        assert (rebuilt / name).read_bytes() == (bag / name).read_bytes(), name
    assert cli(env, "verify", str(rebuilt)).exit_code == 0
    result = cli(env, "build", "MLA-1999-000001", "--out", str(out))
    assert result.exit_code != 0 and "no submitted version" in result.output


@pytest.fixture()
def built_bag(env: Env, attachments: list[tuple[str, str, bytes]]) -> Path:
    _public_id, reference = env.submitted(attachments)
    return _bag(env, reference)


def _copy(bag: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name / bag.name
    shutil.copytree(bag, target)
    return target


def _problems(env: Env, bag: Path) -> list[str]:
    with env.database.session() as db:
        return [str(p) for p in verify_package(bag, db)]


PAYLOAD = ["data/request.json", "data/findings.json", "data/request.pdf",
           "data/reading-copy.pdf", "data/attachments/02-Постановление суда.pdf"]


def test_a_changed_byte_in_any_payload_file_is_reported(env: Env, built_bag: Path,
                                                        tmp_path: Path) -> None:
    for index, relative in enumerate(PAYLOAD):
        bag = _copy(built_bag, tmp_path, f"byte{index}")
        target = bag / relative
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        problems = _problems(env, bag)
        assert any(p.startswith(relative) and "checksum mismatch" in p for p in problems), \
            (relative, problems)
        result = cli(env, "verify", str(bag))
        assert result.exit_code == 1 and relative in result.output
    # a tag file too
    bag = _copy(built_bag, tmp_path, "tag")
    (bag / "bag-info.txt").write_text((bag / "bag-info.txt").read_text()
                                      .replace("MLA-Training: no", "MLA-Training: ja"))
    assert any(p.startswith("bag-info.txt") and "checksum" in p for p in _problems(env, bag))


def test_a_missing_file_is_reported(env: Env, built_bag: Path, tmp_path: Path) -> None:
    for index, relative in enumerate(PAYLOAD):
        bag = _copy(built_bag, tmp_path, f"missing{index}")
        (bag / relative).unlink()
        problems = _problems(env, bag)
        assert any(p.startswith(relative) and "missing" in p for p in problems), \
            (relative, problems)
        assert any("Payload-Oxum" in p for p in problems)
    bag = _copy(built_bag, tmp_path, "missing-manifest")
    (bag / "manifest-sha256.txt").unlink()
    assert _problems(env, bag)


def test_an_extra_file_is_reported(env: Env, built_bag: Path, tmp_path: Path) -> None:
    for index, relative in enumerate(["data/extra.txt", "data/attachments/99-more.pdf",
                                      "notes.txt"]):
        bag = _copy(built_bag, tmp_path, f"extra{index}")
        (bag / relative).write_bytes(b"not part of the package")
        problems = _problems(env, bag)
        assert any(p.startswith(relative) and "unexpected" in p for p in problems), \
            (relative, problems)
        result = cli(env, "verify", str(bag))
        assert result.exit_code == 1


def _rehash(bag: Path) -> None:
    """Make the manifests agree with changed content (a forger's package)."""
    bagit.Bag(str(bag)).save(manifests=True)


def test_a_consistently_forged_package_is_still_caught(env: Env, built_bag: Path,
                                                       tmp_path: Path) -> None:
    # findings: a warning without its justification, wrong counts
    bag = _copy(built_bag, tmp_path, "findings")
    path = bag / "data/findings.json"
    document = json.loads(path.read_text())
    document["findings"].append({"key": "X@y", "code": "X", "severity": "warning", "path": "y",
                                 "acknowledgement": ""})
    path.write_text(json.dumps(document))
    _rehash(bag)
    problems = _problems(env, bag)
    assert bagit.Bag(str(bag)).is_valid()
    assert any("warning X@y has no justification" in p for p in problems), problems
    assert any("counts.warning" in p for p in problems), problems
    assert any("differs from the findings recorded" in p for p in problems), problems
    # request.json: not valid against the schema
    bag = _copy(built_bag, tmp_path, "request")
    path = bag / "data/request.json"
    document = json.loads(path.read_text())
    document["unexpected_field"] = 1
    document["requesting_authority"]["country"] = "Germany"
    path.write_text(json.dumps(document))
    _rehash(bag)
    problems = _problems(env, bag)
    assert any("unexpected_field" in p for p in problems), problems
    assert any("requesting_authority.country" in p for p in problems), problems
    # an attachment swapped for another file: manifest consistent, upload hash is not
    bag = _copy(built_bag, tmp_path, "swap")
    (bag / PAYLOAD[4]).write_bytes(b"%PDF-1.4 forged")
    _rehash(bag)
    problems = _problems(env, bag)
    assert any(p.startswith(PAYLOAD[4]) and "recorded at upload" in p for p in problems), \
        problems
    # without the database the JSON list still catches it
    assert any(str(p).startswith(PAYLOAD[4]) for p in verify_package(bag)), problems


def test_upload_hash_is_checked_against_the_database(env: Env, built_bag: Path) -> None:
    with env.database.session() as db:
        db.execute(update(Attachment).where(Attachment.filename == "شهادة.pdf")
                   .values(sha256="0" * 64))
    problems = _problems(env, built_bag)
    assert any("recorded at upload (" + "0" * 64 in p for p in problems), problems


def test_training_package_is_marked_and_never_queued(env: Env) -> None:
    _public_id, reference = env.submitted(training=True)
    package = _package(env, reference)
    assert package.training and package.state == PackageState.BUILT.value
    bag = _bag(env, reference)
    assert bagit.Bag(str(bag)).info["MLA-Training"] == "yes"
    assert "TRAINING" in bagit.Bag(str(bag)).info["External-Description"]
    assert "TRAINING" in PdfReader(bag / "data/request.pdf").pages[0].extract_text()
    with env.database.session() as db:
        assert db.scalar(select(func.count()).select_from(Handoff)) == 0
        request = db.scalar(select(MlaRequest).where(MlaRequest.reference == reference))
        assert request is not None
        states = handoff_state(db, request)
    assert [s.state for s in states] == ["training"]
    assert _problems(env, bag) == []


def test_a_failed_submission_leaves_no_package_and_no_queue_entry(env: Env) -> None:
    from tests.packages import helpers

    public_id = helpers.draft_with_attachments(env.database, env.settings, env.user_id,
                                               [("a.pdf", "request_letter", helpers.pdf("a"))])

    class Boom(Exception):
        pass

    with pytest.raises(Boom), env.database.session() as db:
        user = db.get(User, env.user_id)
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and request is not None
        submission.submit(db, env.settings, user, request, expected_revision=request.revision,
                          locale="en")
        assert db.scalar(select(func.count()).select_from(Package)) == 1
        raise Boom
    with env.database.session() as db:
        assert db.scalar(select(func.count()).select_from(Package)) == 0
        assert db.scalar(select(func.count()).select_from(Handoff)) == 0
        assert db.scalar(select(func.count()).select_from(RequestVersion)) == 0
    root = env.settings.packages_path
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_a_crash_after_the_commit_is_repaired_idempotently(env: Env) -> None:
    _p2, second = env.submitted()
    _p1, first = env.submitted(work=False)  # no worker ran before the crash
    assert _package(env, first).state == PackageState.PENDING.value
    # a half-built bag left by the crash, old enough to sweep, and a fresh one that stays
    temp_root = env.settings.packages_path / ".tmp"
    old = temp_root / f"{first}-v1.123.abc"
    (old / "data").mkdir(parents=True)
    (old / "data" / "request.json").write_text("{")
    stamp = time.time() - 3 * 3600
    for path in (old / "data" / "request.json", old / "data", old):
        os.utime(path, (stamp, stamp))
    fresh = temp_root / f"{second}-v1.456.def"
    fresh.mkdir()
    # a built bag that vanished
    shutil.rmtree(_bag(env, second))
    report = repair(env.database.engine, env.settings)
    assert sorted(report.built) == sorted([f"{first}-v1", f"{second}-v1"])
    assert report.missing_bags == [f"{second}-v1"]
    assert report.swept == [old] and fresh.exists()
    assert report.failed == [] and report.orphans == []
    for reference in (first, second):
        assert _package(env, reference).state == PackageState.BUILT.value
        assert _problems(env, _bag(env, reference)) == []
    again = repair(env.database.engine, env.settings, sweep_older_than_minutes=0)
    assert again.built == [] and again.created == [] and again.missing_bags == []
    assert not fresh.exists()
    # a version that has no package at all (submitted before this module existed)
    with env.database.session() as db:
        package = db.scalar(select(Package).where(Package.reference == first))
        assert package is not None
        db.execute(Handoff.__table__.delete().where(Handoff.package_id == package.id))
        db.delete(package)
    shutil.rmtree(_bag(env, first))
    report = repair(env.database.engine, env.settings)
    assert report.created == [f"{first}-v1"] and report.built == [f"{first}-v1"]
    with env.database.session() as db:
        assert db.scalar(select(func.count()).select_from(Handoff)) == 2
    result = cli(env, "repair")
    assert result.exit_code == 0 and "packages repaired" in result.output


def test_resubmission_makes_a_second_package_and_keeps_the_first(env: Env) -> None:
    from portal.attachments import service as attachment_service
    from tests.packages import helpers

    first_pdf, second_pdf = helpers.pdf("first"), helpers.pdf("second")
    public_id, reference = env.submitted([("one.pdf", "request_letter", first_pdf)])
    with env.database.session() as db:
        db.execute(update(MlaRequest).where(MlaRequest.public_id == public_id)
                   .values(status=Status.RETURNED.value))
    with env.database.session() as db:
        user = db.get(User, env.user_id)
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert user is not None and request is not None
        old = attachment_service.list_attachments(db, request)[0]
        attachment_service.remove_attachment(db, env.settings, user, request, old.public_id)
        helpers.add_stored_attachment(db, env.settings, user, request, "two.pdf", "request_letter",
                                      second_pdf)
        helpers.sync_contract(db, user, request)
    assert helpers.submit(env.database, env.settings, env.user_id, public_id) == reference
    v1, v2 = _bag(env, reference, 1), _bag(env, reference, 2)
    assert (v1 / "data/attachments/01-one.pdf").read_bytes() == first_pdf
    assert (v2 / "data/attachments/01-two.pdf").read_bytes() == second_pdf
    assert not (v2 / "data/attachments/01-one.pdf").exists()
    assert _problems(env, v1) == [] and _problems(env, v2) == []
    # the first version's package can still be rebuilt from the kept file
    shutil.rmtree(v1)
    repair(env.database.engine, env.settings)
    assert _problems(env, v1) == []
    with env.database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None
        assert [s.version for s in handoff_state(db, request)] == [1, 2]


def test_receipt_in_the_submitters_language(env: Env) -> None:
    from portal.packages.receipt import receipt_pdf

    public_id, reference = env.submitted()
    with env.database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None
        data = receipt_pdf(db, request, "es")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert reference in text
    assert "Referencia" in text or "referencia" in text


def test_triage_downloads_are_audited_and_submitters_get_none(
        env: Env, accounts: Accounts, attachments: list[tuple[str, str, bytes]]) -> None:
    from portal.audit.models import AuditEvent

    public_id, reference = env.submitted(attachments)
    client = env.app.test_client()
    submitter = accounts.create(Role.SUBMITTER, country="DE")
    login(client, submitter)
    assert client.get(f"/triage/packages/{public_id}/download.zip").status_code in (403, 404)
    client = env.app.test_client()
    login(client, accounts.create(Role.TRIAGE))
    response = client.get(f"/triage/packages/{public_id}/download.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert f"{reference}-v1.zip" in response.headers["Content-Disposition"]
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert f"{reference}-v1/bagit.txt" in names
        extracted = Path(env.settings.data_dir) / "unzipped"
        archive.extractall(extracted)
    assert _problems(env, extracted / f"{reference}-v1") == []
    response = client.get(f"/triage/packages/{public_id}/reading-copy.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert len(PdfReader(io.BytesIO(response.data)).outline) == 5
    response.close()
    assert client.get("/triage/packages/nope/download.zip").status_code == 404
    with env.database.session() as db:
        actions = list(db.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.object_type == "package")))
    assert "package.downloaded" in actions and "package.reading_copy_downloaded" in actions
    assert not list((env.settings.packages_path / ".tmp").iterdir())


def test_attachments_listed_but_never_uploaded_are_declared_not_received(env: Env) -> None:
    """A request imported with an attachment list and submitted without the files: the package
    is complete and verifiable, and says which documents never arrived."""
    from tests.packages import helpers

    listed = json.loads((helpers.EXAMPLES / helpers.GOOD_EXAMPLE).read_text())["attachments"]
    _public_id, reference = env.submitted(sync=False)
    package = _package(env, reference)
    assert package.state == PackageState.BUILT.value
    bag = _bag(env, reference)
    assert _problems(env, bag) == []
    assert bagit.Bag(str(bag)).info["MLA-Attachments-Not-Received"] == str(len(listed))
    findings = json.loads((bag / "data/findings.json").read_text())
    assert [a["sha256"] for a in findings["attachments_not_received"]] == \
        [a["sha256"] for a in listed]
    assert not (bag / "data/attachments").exists()
    assert len(PdfReader(bag / "data/reading-copy.pdf").outline) == 1
    text = "".join(p.extract_text() for p in PdfReader(bag / "data/request.pdf").pages)
    assert "never uploaded" in text
    # claiming one of them was received is caught
    forged = _copy(bag, Path(env.settings.data_dir) / "forged", "x")
    document = json.loads((forged / "data/findings.json").read_text())
    document["attachments_not_received"].pop()
    (forged / "data/findings.json").write_text(json.dumps(document))
    _rehash(forged)
    problems = _problems(env, forged)
    assert any("MLA-Attachments-Not-Received" in p for p in problems), problems
    assert any("missing (listed in request.json)" in p for p in problems), problems


def test_submitting_through_the_pages_builds_the_package_with_the_justifications(
        env: Env, accounts: Accounts) -> None:
    import re

    from tests.packages import helpers

    account = accounts.create(Role.SUBMITTER, country="TR")
    client = env.app.test_client()
    login(client, account)
    public_id = helpers.draft_with_attachments(
        env.database, env.settings, account.id, [("letter.pdf", "request_letter",
                                                  helpers.pdf("letter"))],
        example="22-subscriber-info-good-tr.json")
    page = client.get(f"/requests/{public_id}/check")
    warnings = re.findall(r'name="ack-([^"]+)"', page.text)
    assert warnings
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrf_token": token.group(1)}
    for key in warnings:
        data[f"ack-{key}"] = "y"
        data[f"why-{key}"] = "The conduct is a true threat, not protected speech."
    assert client.post(f"/requests/{public_id}/check", data=data).status_code == 302
    review = client.get(f"/requests/{public_id}/review")
    revision = re.search(r'name="revision" value="(\d+)"', review.text)
    assert revision is not None
    response = client.post(f"/requests/{public_id}/submit",
                           data={"csrf_token": token.group(1), "revision": revision.group(1)})
    assert response.status_code == 302, response.text[:1000]
    with env.database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None and request.reference is not None
        reference = request.reference
    # the confirmation did not wait for the bag: a worker builds it
    assert _package(env, reference).state == PackageState.PENDING.value
    summary = worker.drain(env.database.engine, env.settings)
    assert summary.kinds.get("package.build") == 1 and summary.failed == 0
    assert _package(env, reference).state == PackageState.BUILT.value
    bag = _bag(env, reference)
    assert _problems(env, bag) == []
    findings = json.loads((bag / "data/findings.json").read_text())["findings"]
    justified = [f for f in findings if f["severity"] == "warning"]
    assert justified and all(f["acknowledgement"] == "The conduct is a true threat, not "
                             "protected speech." for f in justified)
    assert all(f["title"] and "{" not in f["title"] for f in findings)
    text = "".join(p.extract_text() for p in PdfReader(bag / "data/request.pdf").pages)
    assert "true threat" in text


def test_a_download_of_a_bag_not_built_yet_asks_a_worker_and_says_so(
        env: Env, accounts: Accounts) -> None:
    """The download never builds in the request: the page says the package is being prepared
    (in the user's language, with Retry-After), a worker builds it, the next try gets it."""
    public_id, reference = env.submitted(work=False)  # no worker has run yet
    client = env.app.test_client()
    login(client, accounts.create(Role.TRIAGE, locale="es"))
    for path in ("download.zip", "reading-copy.pdf"):
        response = client.get(f"/triage/packages/{public_id}/{path}")
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "se está preparando" in response.text
    assert not _bag(env, reference).exists()
    summary = worker.drain(env.database.engine, env.settings)
    # the submission's job was still waiting: the two asks added none
    assert summary.kinds.get("package.build") == 1 and summary.failed == 0
    assert _package(env, reference).state == PackageState.BUILT.value  # found it built
    assert client.get(f"/triage/packages/{public_id}/download.zip").status_code == 200
    shutil.rmtree(_bag(env, reference))  # files lost: built again by a worker
    assert client.get(f"/triage/packages/{public_id}/download.zip").status_code == 503
    assert _package(env, reference).state == PackageState.PENDING.value
    worker.drain(env.database.engine, env.settings)
    assert client.get(f"/triage/packages/{public_id}/download.zip").status_code == 200
