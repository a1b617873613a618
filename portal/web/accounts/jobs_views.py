"""Administration: the background jobs (waiting, running, failed with their error, done) and
the retry of a failed one."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.audit.log import record
from portal.jobs import queue
from portal.jobs.listing import listing
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.web.access import require_user, roles
from portal.web.accounts.admin import bp
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip
from portal.web.query_args import INT_MAX

#: What each kind of job does, for the admins (the kind itself is shown beside it).
KIND_LABELS: dict[str, Any] = {
    "package.build": _l("Build a package"),
    "package.repair": _l("Repair packages"),
    "package.forward": _l("Hand packages over to OIA's case system"),
    "mail.deliver": _l("Deliver the e-mail waiting in the outbox"),
    "training.purge": _l("Purge old practice requests"),
    "jobs.prune": _l("Delete old finished jobs"),
    "notify.remind": _l("Send OIA staff their reminders and daily digests"),
    "webhooks.deliver": _l("Send an event to an authority's webhook endpoint"),
    "webhooks.sweep": _l("Give stranded webhook deliveries a job again"),
}
STATE_LABELS: dict[str, Any] = {
    "waiting": _l("Waiting"), "running": _l("Running"), "failed": _l("Failed"),
    "done": _l("Done"),
}


@bp.route("/jobs")
@roles(Role.ADMIN)
def jobs() -> str:
    user = require_user()
    record(g.db, "jobs.viewed", actor_id=user.id, actor=user.email, ip=client_ip())
    return render_template("admin/jobs.html", listing=listing(g.db), form=EmptyForm(),
                           kind_labels=KIND_LABELS, state_labels=STATE_LABELS)


@bp.route(f"/jobs/<int(max={INT_MAX}):job_id>/retry", methods=["POST"])
@roles(Role.ADMIN)
def retry_job(job_id: int) -> Response:
    form = EmptyForm()
    if form.validate_on_submit() and queue.retry(g.db, job_id):
        user = require_user()
        record(g.db, "job.retried", actor_id=user.id, actor=user.email, ip=client_ip(),
               object_type="job", object_id=str(job_id))
        flash(_("The job will run again."), "success")
    else:
        flash(_("This job cannot run again: it has not failed, or the form expired."), "error")
    return redirect(url_for("admin.jobs"))
