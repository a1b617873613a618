"""Administration of webhooks: the endpoints by authority, registering one (its secret shown
once), disabling it, rotating its secret, sending a test event, and its recent deliveries with
every attempt. Admins only; registering, disabling and rotating need a recent sign-in; every
view and change is audited."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.accounts.models import Authority, Role
from portal.accounts.operations import Actor
from portal.audit.log import record
from portal.db import utcnow
from portal.training.sandbox import not_sandbox
from portal.translation import gettext as _
from portal.translation import lazy_gettext as _l
from portal.web.access import require_user, roles
from portal.web.accounts.admin import bp
from portal.web.accounts.forms import EmptyForm
from portal.web.accounts.views import reauth_required
from portal.web.context import client_ip, keyring, settings
from portal.web.webhooks.forms import EndpointForm
from portal.webhooks import endpoints, fanout
from portal.webhooks.addresses import UrlRefused
from portal.webhooks.models import WebhookEndpoint

#: Why a URL is refused, for the form (portal.webhooks.addresses' codes).
URL_MESSAGES: dict[str, Any] = {
    "format": _l("Enter a whole URL, such as https://cases.example.org/mla/webhooks, without "
                 "a user name, password or #fragment."),
    "scheme": _l("The URL must start with https://."),
    "host": _l("The URL must name a host with a full domain name, or a public IP address."),
    "resolve": _l("The host name could not be found (DNS). Check the URL."),
    "address": _l("The URL leads to a private, local or reserved network address. Webhooks "
                  "are sent only to public addresses."),
}
STATE_LABELS: dict[str, Any] = {
    "pending": _l("Waiting for its next attempt"), "sending": _l("Being sent"),
    "delivered": _l("Delivered"), "failed": _l("Failed"), "cancelled": _l("Cancelled"),
}


def _actor() -> Actor:
    user = require_user()
    return Actor(user.id, user.email, client_ip())


def _endpoint_or_404(public_id: str) -> WebhookEndpoint:
    endpoint = endpoints.find(g.db, public_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/webhooks")
@roles(Role.ADMIN)
def webhooks() -> str:
    actor = _actor()
    record(g.db, "webhooks.viewed", actor_id=actor.id, actor=actor.email, ip=actor.ip)
    rows = endpoints.all_endpoints(g.db)
    by_authority: dict[str, list[WebhookEndpoint]] = {}
    for endpoint in rows:
        by_authority.setdefault(endpoint.authority.public_id, []).append(endpoint)
    return render_template("admin/webhooks.html", by_authority=by_authority)


@bp.route("/webhooks/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reauth_required
def new_webhook() -> Response | str | tuple[str, int]:
    form = EndpointForm()
    authorities = g.db.scalars(select(Authority).where(Authority.active.is_(True),
                                                       not_sandbox())
                               .order_by(Authority.name)).all()
    form.authority.choices = [("", _("Choose an authority"))] + [
        (a.public_id, f"{a.name} ({a.country})") for a in authorities]
    if form.validate_on_submit():
        try:
            created = endpoints.register(g.db, settings(), keyring(), _actor(),
                                         authority_public_id=form.authority.data,
                                         url=form.url.data, description=form.description.data
                                         or "")
        except UrlRefused as refused:
            form.url.errors.append(URL_MESSAGES[refused.code])
        except endpoints.EndpointRefused as refused:
            form.authority.errors.append(
                _("This authority already has as many endpoints as it may have: disable one "
                  "first.") if refused.code == "count" else
                _("Choose the authority whose events the endpoint receives."))
        else:
            return render_template("admin/webhook_secret.html", endpoint=created.endpoint,
                                   secret=created.secret, rotated=False), 201
    status = 200 if not form.errors else 400
    return render_template("admin/webhook_new.html", form=form), status


@bp.route("/webhooks/<public_id>")
@roles(Role.ADMIN)
def webhook(public_id: str) -> str:
    endpoint = _endpoint_or_404(public_id)
    actor = _actor()
    record(g.db, "webhook.viewed", actor_id=actor.id, actor=actor.email, ip=actor.ip,
           object_type="webhook", object_id=endpoint.public_id)
    return render_template("admin/webhook.html", endpoint=endpoint, form=EmptyForm(),
                           deliveries=endpoints.recent_deliveries(g.db, endpoint),
                           state_labels=STATE_LABELS, now=utcnow())


@bp.route("/webhooks/<public_id>/disable", methods=["POST"])
@roles(Role.ADMIN)
@reauth_required
def disable_webhook(public_id: str) -> Response:
    endpoint = _endpoint_or_404(public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if endpoints.disable(g.db, _actor(), endpoint):
        flash(_("The endpoint is disabled: it receives no more events."), "info")
    return redirect(url_for("admin.webhook", public_id=public_id))


@bp.route("/webhooks/<public_id>/rotate", methods=["POST"])
@roles(Role.ADMIN)
@reauth_required
def rotate_webhook(public_id: str) -> Response | tuple[str, int]:
    endpoint = _endpoint_or_404(public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not endpoint.enabled:
        flash(_("This endpoint is disabled."), "error")
        return redirect(url_for("admin.webhook", public_id=public_id))
    secret = endpoints.rotate(g.db, keyring(), _actor(), endpoint)
    return render_template("admin/webhook_secret.html", endpoint=endpoint, secret=secret,
                           rotated=True), 200


@bp.route("/webhooks/<public_id>/test", methods=["POST"])
@roles(Role.ADMIN)
def test_webhook(public_id: str) -> Response:
    endpoint = _endpoint_or_404(public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not endpoint.enabled:
        flash(_("This endpoint is disabled."), "error")
    else:
        fanout.send_test(g.db, _actor(), endpoint)
        flash(_("A test event will be sent in a moment: its delivery is listed below."),
              "success")
    return redirect(url_for("admin.webhook", public_id=public_id) + "#deliveries")
