"""The ``training`` blueprint: the public requirements guide and its handouts, the sample
library with explain mode, the practice sandbox and the outreach statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from werkzeug.wrappers import Response

from portal.accounts.models import Role, User
from portal.contract.model import ASSISTANCE_TYPES, item_fields
from portal.i18n_core import locale_codes
from portal.training import explain, fields, guide, handouts, samples, sandbox, statistics
from portal.translation import gettext as _
from portal.triage import charts
from portal.web.access import public, require_user, roles
from portal.web.accounts.forms import EmptyForm
from portal.web.context import client_ip, db, settings
from portal.web.i18n import current_locale_code
from portal.web.query_args import iso_date

bp = Blueprint("training", __name__)

LIBRARY_ROLES = (Role.SUBMITTER, Role.TRAINER)
STATISTICS_ROLES = (Role.TRAINER, Role.TRIAGE, Role.ADMIN)


def _babel(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str) -> str:
    return str(_babel(current_locale_code()).territories.get(code.upper(), code)) if code else ""


def language_name(code: str) -> str:
    babel = _babel(current_locale_code())
    key = code.replace("-", "_")
    return str(babel.languages.get(key) or babel.languages.get(key.split("_")[0]) or code)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"country_name": country_name, "language_name": language_name,
            "type_title": guide.type_title}


def _type_or_404(item_type: str) -> str:
    if item_type not in ASSISTANCE_TYPES:
        abort(404)
    return item_type


def _sample_or_404(slug: str) -> samples.Sample:
    sample = samples.get_sample(slug)
    if sample is None:
        abort(404)
    return sample


# --- the public guide ------------------------------------------------------------------------

@bp.route("/guide")
@public
def guide_index() -> str:
    return render_template("training/guide_index.html", types=guide.guide_index(),
                           required=guide.required_answers())


@bp.route("/guide/<item_type>")
@public
def guide_page(item_type: str) -> str:
    page = guide.guide_page(_type_or_404(item_type), current_locale_code())
    return render_template("training/guide.html", page=page,
                           required=guide.required_answers(page.type))


@bp.route("/guide/<item_type>/handout.pdf")
@public
def handout(item_type: str) -> FlaskResponse:
    """The guide page as a PDF, in ``?lang=`` (or the current language)."""
    locale = current_locale_code()
    if request.args.get("lang") not in (None, *locale_codes()):
        abort(404)
    page = guide.guide_page(_type_or_404(item_type), locale)
    body = handouts.handout_pdf(page, locale)
    response = FlaskResponse(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="mla-guide-{item_type}-{locale}.pdf"')
    return response


# --- the sample library ----------------------------------------------------------------------

@bp.route("/training/samples")
@roles(*LIBRARY_ROLES)
def library() -> str:
    kind = request.args.get("type", "")
    quality = request.args.get("quality", "")
    rows = [s for s in samples.load_samples()
            if (not kind or kind in s.types)
            and (quality not in ("good", "deficient") or s.good is (quality == "good"))]
    return render_template("training/library.html", rows=rows, kind=kind, quality=quality,
                           types=ASSISTANCE_TYPES, form=EmptyForm())


@bp.route("/training/samples/<slug>")
@roles(*LIBRARY_ROLES)
def sample_page(slug: str) -> str:
    sample = _sample_or_404(slug)
    walk = explain.walkthrough(sample, current_locale_code())
    item_views = [[v for v in (fields.describe(sample.request, f"assistance[{i}].{name}")
                               for name in item_fields(item.type) if name != "type")
                   if v.value or v.english]
                  for i, item in enumerate(sample.request.assistance)]
    return render_template("training/sample.html", sample=sample, walk=walk, form=EmptyForm(),
                           item_views=item_views,
                           facts=fields.describe(sample.request, "facts.summary"))


@bp.route("/training/samples/<slug>/explain")
@roles(*LIBRARY_ROLES)
def explain_page(slug: str) -> str:
    sample = _sample_or_404(slug)
    walk = explain.walkthrough(sample, current_locale_code())
    step = request.args.get("step", default=0, type=int)
    if step < 0 or step > walk.total:
        abort(404)
    present = request.args.get("present") == "1"
    return render_template("training/explain.html", sample=sample, walk=walk, step=step,
                           present=present)


# --- the practice sandbox --------------------------------------------------------------------

@bp.route("/training/practice", methods=["GET", "POST"])
@roles(*sandbox.PRACTICE_ROLES)
def practice() -> Response | tuple[str, int]:
    user = require_user()
    form = EmptyForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        slug = request.form.get("sample", "")
        sample = samples.get_sample(slug) if slug else None
        if slug and sample is None:
            status = 400
        else:
            created = sandbox.start_practice(db(), user, sample, locale=current_locale_code(),
                                             ip=client_ip())
            return redirect(url_for("requests.overview", public_id=created.public_id), code=303)
    if user.role_enum is Role.TRAINER:
        sandbox.purge_soon(db(), settings())  # besides the schedule and the CLI
    rows = sandbox.practice_requests(db(), user)
    return render_template(
        "training/practice.html", rows=rows, form=form, samples=samples.load_samples(),
        error=status == 400, retention=settings().training_retention_days,
        expires={r.id: sandbox.expires_at(r, settings()) for r in rows}), status


# --- outreach statistics ---------------------------------------------------------------------

def _may_see_statistics(user: User) -> bool:
    return user.role_enum is not Role.TRIAGE or user.is_manager


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name, "")
    try:
        return iso_date(raw) if raw else default
    except ValueError:
        return default


@bp.route("/training/statistics")
@roles(*STATISTICS_ROLES)
def statistics_page() -> Response | str:
    user = require_user()
    if not _may_see_statistics(user):  # an OIA attorney: their own dashboard has the returns
        flash(_("The outreach statistics are for OIA managers, trainers and administrators."),
              "warning")
        return redirect(url_for("triage.dashboard_page"))
    today = date.today()
    end = min(_date_arg("end", today), today + timedelta(days=1))
    start = _date_arg("start", end - timedelta(days=365))
    if start > end:
        start, end = end, start
    country = request.args.get("country", "").upper()[:2]
    figures = statistics.compute(db(), start, end, country)
    return render_template("training/statistics.html", figures=figures, country=country,
                           countries=statistics.countries(db()), threshold=statistics.THRESHOLD,
                           chart=_share_chart(figures))


def _share_chart(figures: statistics.Statistics) -> charts.Chart:
    """The share of requests returned per country, as bars."""
    bars = [charts.Bar(country_name(row.country) or row.country, round(row.share * 100))
            for row in figures.rows if row.share is not None]
    return charts.bar_chart(
        "chart-share-returned", _("Share of requests returned, by country (%)"),
        _("Percentage of the requests first submitted between %(start)s and %(end)s that OIA "
          "returned for deficiency at least once, for each country with enough requests to "
          "show. The same figures are in the table below.",
          start=figures.start.isoformat(), end=figures.end.isoformat()), bars)
