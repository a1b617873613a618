"""The ``packages`` blueprint (OIA triage staff only): download a version's package (a zip of
the bag) or its reading copy, audited, and retry a failed hand-off; the request is loaded with
its access check (portal.requests.drafts.get_request)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.audit.log import record
from portal.packages.archive import write_zip
from portal.packages.building import built_bag
from portal.packages.disk import TEMP_DIR_NAME
from portal.packages.models import Package
from portal.packages.payload import READING_COPY
from portal.packages.recording import build_again_soon
from portal.packages.status import NotRetryable, latest_package, retry
from portal.requests import drafts
from portal.requests.models import MlaRequest
from portal.translation import gettext as _
from portal.web.access import require_user, roles
from portal.web.context import client_ip, db, fail_transaction, settings
from portal.web.query_args import int_arg

bp = Blueprint("packages", __name__, url_prefix="/triage/packages")


def _package(public_id: str) -> tuple[MlaRequest, Package]:
    try:
        req = drafts.get_request(db(), require_user(), public_id, ip=client_ip(),
                                 audit_view=False)
    except drafts.NotFound:
        abort(404)
    version, minor = int_arg("version"), int_arg("minor")
    package = latest_package(db(), req, version,
                             minor if minor is not None or version is None else 0)
    if package is None or package.training:
        abort(404)
    return req, package


class _BeingBuilt(Exception):
    """The bag is not on disk yet: a worker builds it."""


def bag_on_disk(package: Package) -> Path | None:
    """The package's bag; None when it is not on disk yet (then a worker is asked to build it:
    the caller commits that)."""
    path = built_bag(settings(), package)
    if path is None:
        build_again_soon(db(), package)
    return path


def _built(package: Package) -> Path:
    path = bag_on_disk(package)
    if path is None:
        raise _BeingBuilt
    return path


def zipped(bag: Path) -> IO[bytes]:
    """The bag as a zip in an unlinked temporary file, at its start (the sender closes it)."""
    temp_dir = settings().packages_path / TEMP_DIR_NAME
    temp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    archive = tempfile.TemporaryFile(dir=temp_dir)  # noqa: SIM115 - unlinked; send_file closes it
    write_zip(bag, archive)
    archive.seek(0)
    return archive


@bp.errorhandler(_BeingBuilt)
def _being_built(_error: _BeingBuilt) -> tuple[str, int, dict[str, str]]:
    page = render_template(
        "error.html", code=503, title=_("This package is being prepared"),
        message=_("Its files are being built by the portal's background worker. Try again in "
                  "a minute."))
    return page, 503, {"Retry-After": "60"}


def record_download(action: str, req: MlaRequest, package: Package) -> None:
    """The audit record of a download of the package (the page's and the API's)."""
    user = require_user()
    record(db(), action, actor_id=user.id, actor=user.email, ip=client_ip(),
           object_type="package", object_id=package.public_id,
           details={"request": req.public_id, "reference": package.reference,
                    "version": package.version,
                    **({"minor": package.minor} if package.minor else {}),
                    "tagmanifest_sha256": package.tagmanifest_sha256})


@bp.route("/<public_id>/download.zip")
@roles(Role.TRIAGE)
def download(public_id: str) -> Response:
    req, package = _package(public_id)
    archive = zipped(_built(package))
    record_download("package.downloaded", req, package)
    return send_file(archive, mimetype="application/zip", as_attachment=True,
                     download_name=f"{package.bag_name}.zip", max_age=0)


@bp.route("/<public_id>/reading-copy.pdf")
@roles(Role.TRIAGE)
def reading_copy(public_id: str) -> Response:
    req, package = _package(public_id)
    path = _built(package) / READING_COPY
    record_download("package.reading_copy_downloaded", req, package)
    return send_file(path.open("rb"), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{package.bag_name}-reading-copy.pdf", max_age=0)


@bp.route("/<package_id>/retry", methods=["POST"])
@roles(Role.TRIAGE)
def retry_handoff(package_id: str) -> Response:
    user = require_user()
    package = db().scalar(select(Package).where(Package.public_id == package_id))
    if package is None:
        abort(404)
    req = db().get(MlaRequest, package.request_id)
    if req is None:
        abort(404)
    try:
        drafts.get_request(db(), user, req.public_id, audit_view=False)
    except drafts.NotFound:
        abort(404)
    try:
        retry(db(), user, package_id, ip=client_ip())
    except NotRetryable:
        fail_transaction()
        flash(_("This package's hand-off has not failed: there is nothing to retry."), "warning")
    else:
        flash(_("The package is queued to be handed off again."), "success")
    return redirect(url_for("triage.package_view", public_id=req.public_id) + "#attachments",
                    code=303)
