"""Benchmark of the package build: ``python -m bench.bench_packages``.

A submitted request with 10 attachments of 20 MiB each (200 MiB of PDFs whose pages carry
incompressible images), stored encrypted like real uploads. Measured in the same run, medians
of ``REPEAT`` runs, the page cache warm for both sides:

* the bag without the reading copy (``build_bag(..., reading_copy=False)``: request.json,
  findings.json, request.pdf rendered by WeasyPrint, the attachments decrypted and written,
  bagit's SHA-256 manifests, the check against the hashes recorded at upload, fsync of every
  file, rename into place) against ``sha256sum`` of the same 200 MiB of plaintext followed by
  ``cp`` of it into a new directory (no fsync): the ratio, target at most 2.0;
* the reading copy (pypdf merging request.pdf and the 10 attachments, with bookmarks) alone;
* the whole package as submission builds it (bag and reading copy), for information.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "requests" / "05-stored-content-good-de.json"
ATTACHMENTS = 10
ATTACHMENT_BYTES = 20 * 1024 * 1024
REPEAT = 3
TARGET_RATIO = 2.0


def big_pdf(size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes: the page shows a random grey image."""
    width = 4096
    height = max(1, size // width)
    image = secrets.token_bytes(width * height)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
    ]
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace "
                   b"/DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n"
                   % (width, height, len(image)) + image + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _median(runs: int, action: Callable[[], object], before: Callable[[], object] | None = None
            ) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _setup(work: Path) -> tuple[Any, Any, Any, list[bytes]]:
    """A database with one submitted request and its 10 stored attachments; the package row
    (pending) and the attachment plaintexts."""
    from sqlalchemy import select

    from portal import migrate, wiring
    from portal.accounts.models import Role, User, new_public_id
    from portal.accounts.operations import Actor, create_authority, create_user
    from portal.accounts.passwords import make_hasher
    from portal.attachments.models import Attachment
    from portal.attachments.service import attachment_store
    from portal.audit import keys as audit_keys
    from portal.config import Settings
    from portal.contract import model as m
    from portal.db import Database, utcnow
    from portal.packages.models import Package
    from portal.requests import drafts, submission

    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(env="testing", data_dir=work, database_url=f"sqlite:///{work}/b.db",
                        secret_key="bench-" + "x" * 40, attachment_keys=f"b1:{key}")
    wiring.connect()  # submission's event records the package, as in the app
    database = Database(settings.database_url)
    audit_keys.attach(database.engine, audit_keys.AuditKeys.from_settings(settings))
    migrate.upgrade(database.engine)
    blobs = [big_pdf(ATTACHMENT_BYTES) for _ in range(ATTACHMENTS)]
    store = attachment_store(settings)
    with database.session() as db:
        authority = create_authority(db, Actor(None, "bench"), name="Bench authority",
                                     country="DE")
        user = create_user(db, make_hasher(1, 1024, 1), Actor(None, "bench"),
                           email="bench@example.org", name="Bench", role=Role.SUBMITTER,
                           password="correct horse battery staple 42",  # noqa: S106
                           authority_id=authority.id)
        request, errors = drafts.import_json(db, user, EXAMPLE.read_text(encoding="utf-8"))
        assert request is not None and not errors
        listed = []
        for index, blob in enumerate(blobs, 1):
            public_id = new_public_id()
            stored = store.put(blob, request_id=request.public_id, attachment_id=public_id)
            kind = "request_letter" if index == 1 else "evidence"  # a request needs its letter
            db.add(Attachment(public_id=public_id, request_id=request.id,
                              filename=f"Evidence {index:02d}.pdf", document_kind=kind,
                              language="en", sha256=stored.sha256, size=stored.size, pages=1,
                              storage_name=stored.storage_name, key_id=stored.key_id,
                              uploaded_by_id=user.id, uploaded_at=utcnow()))
            listed.append(m.Attachment(filename=f"Evidence {index:02d}.pdf",
                                       document_kind=kind, sha256=stored.sha256,
                                       size=stored.size, pages=1, language="en"))
        db.flush()
        content = drafts.content_of(request)
        drafts.save_draft(db, user, request, replace(content, attachments=tuple(listed)),
                          request.revision)
        submission.submit(db, settings, db.get(User, user.id), request,  # type: ignore[arg-type]
                          expected_revision=request.revision, locale="en")
    with database.session() as db:
        package = db.scalar(select(Package))
        assert package is not None
    return database, settings, package, blobs


def run() -> list[dict[str, object]]:
    from portal.packages import bag as bag_module
    from portal.packages import payload
    from portal.packages.building import load_source

    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-packages-", dir=os.environ.get("TMPDIR")) \
            as temp:
        work = Path(temp)
        database, settings, package, blobs = _setup(work)
        plain = work / "plain"
        plain.mkdir()
        for index, blob in enumerate(blobs, 1):
            (plain / f"Evidence {index:02d}.pdf").write_bytes(blob)
        total_mb = sum(len(b) for b in blobs) / 1024 / 1024
        with database.session() as db:
            source = load_source(db, settings, package)
        out = work / "out"

        def clean() -> None:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()

        def bag_only() -> None:
            bag_module.build_bag(source, out, reading_copy=False)

        def whole() -> None:
            bag_module.build_bag(source, out)

        def baseline() -> None:
            files = sorted(str(p) for p in plain.iterdir())
            subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
            copy = out / "copy"
            copy.mkdir()
            subprocess.run(["cp", *files, str(copy)], check=True)

        payload.request_pdf(source, payload.findings_document(source))  # warm WeasyPrint
        clean()
        baseline()  # warm the page cache for both sides
        bag_seconds = _median(REPEAT, bag_only, clean)
        base_seconds = _median(REPEAT, baseline, clean)
        ratio = bag_seconds / base_seconds
        rows.append({
            "what": f"package bag (no reading copy): {ATTACHMENTS} attachments, "
                    f"{total_mb:.0f} MiB",
            "how": f"build_bag (request.pdf, decrypt, bagit SHA-256 manifests, fsync, rename) "
                   f"vs sha256sum + cp of the same bytes, median of {REPEAT}, same run",
            "result": f"{bag_seconds:.2f} s vs {base_seconds:.2f} s: ratio {ratio:.2f}",
            "target": f"ratio <= {TARGET_RATIO}",
            "ok": ratio <= TARGET_RATIO,
        })
        clean()
        bag_only()
        built = out / package.bag_name
        request_pdf = built / "data" / "request.pdf"
        documents = [(f"Attachment {i}", p) for i, p in
                     enumerate(sorted((built / "data" / "attachments").iterdir()), 1)]

        def reading_copy() -> None:
            with (work / "reading-copy.pdf").open("wb") as handle:
                payload.write_reading_copy(handle, request_pdf, "Request", documents,
                                           document_title="reading copy",
                                           image_max_bytes=settings.max_image_mb << 20)

        copy_seconds = _median(REPEAT, reading_copy)
        rows.append({
            "what": f"package reading copy: request.pdf + {ATTACHMENTS} attachments "
                    f"({total_mb:.0f} MiB)",
            "how": f"pypdf merge with one bookmark per document, median of {REPEAT}",
            "result": f"{copy_seconds:.2f} s ({copy_seconds / base_seconds:.2f} x sha256sum "
                      f"+ cp)",
            "target": "reported separately",
            "ok": True,
        })
        whole_seconds = _median(REPEAT, whole, clean)
        rows.append({
            "what": "whole package as built after submission (bag + reading copy)",
            "how": f"build_bag, median of {REPEAT}",
            "result": f"{whole_seconds:.2f} s ({whole_seconds / base_seconds:.2f} x "
                      "sha256sum + cp)",
            "target": "informative",
            "ok": True,
        })
        database.dispose()
    return rows


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
