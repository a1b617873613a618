"""The rows of the triage queue page as HTML, built in Python.

A queue page shows fifty rows of ten cells. As a Jinja loop the rows were half the page's
time: some 700 calls from the template into Python per page, a hundred plural forms and fifty
status labels translated one by one. Here each distinct label, plural and date is made once
per page and the row is joined from strings. The former loop is kept in
``tests/triage/former_queue_rows.html``, and the tests check that both give the same page.

As in the templates, translated strings are markup (the catalogs are trusted; a lazy label's
``__html__`` is its translation), and every value from the database is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from flask_babel import gettext, ngettext
from markupsafe import Markup, escape

from portal.lru import LRU
from portal.requests.labels import choice_label
from portal.triage.forms import STATUS_LABELS
from portal.triage.queue import Row

DASH = "\u2013"


class _Once:
    """``make(key)`` remembered for the page: fifty rows share a few labels, counts, dates."""

    def __init__(self, make: Callable[..., str]) -> None:
        self.make = make
        self.seen: dict[object, str] = {}

    def __call__(self, key: object) -> str:
        try:
            return self.seen[key]
        except KeyError:
            value = self.seen[key] = self.make(key)
            return value


def _ltr(value: object) -> str:
    return '<bdi dir="ltr">' + str(escape(value)) + "</bdi>"


class _Labels:
    """What rows share on a page: each distinct label, plural and date made once."""

    def __init__(self, day: Callable[[date], str]) -> None:
        self.status = _Once(lambda s: '<span class="usa-tag portal-tag portal-tag--status">'
                            + str(escape(STATUS_LABELS.get(s, s))) + "</span>")
        self.type_label = _Once(lambda t: str(escape(choice_label(t, "type"))))
        self.day_html = _Once(lambda d: str(escape(day(d))))
        self.blockers = _Once(lambda n: ngettext("%(num)d blocker", "%(num)d blockers", n))
        self.warnings = _Once(lambda n: ngettext("%(num)d warning", "%(num)d warnings", n))
        self.acknowledged = _Once(
            lambda n: ngettext("%(num)d acknowledged", "%(num)d acknowledged", n))
        self.words = {"unassigned": gettext("Not assigned"),
                      "duplicate": gettext("Possible duplicate"),
                      "unchanged": gettext("Resubmitted unchanged"), "due": gettext("due"),
                      "overdue": gettext("Overdue")}
        self.dup_tag = ('<br><span class="usa-tag portal-tag portal-tag--warning">'
                        + self.words["duplicate"] + "</span>")
        self.unchanged_tag = ('<br><span class="usa-tag portal-tag portal-tag--warning">'
                              + self.words["unchanged"] + "</span>")
        self.overdue_tag = (' <strong class="usa-tag portal-tag portal-tag--blocker">'
                            + self.words["overdue"] + "</strong>")


def rows_html(rows: Iterable[Row], package_href: str, day: Callable[[date], str], *,
              kept: LRU[tuple[Row, str, str], str] | None = None, locale: str = "") -> Markup:
    """The ``<tr>`` elements of ``rows``; ``package_href`` is the package view's address
    without the public id, ``day`` formats a date in the page's language. ``kept``: rows
    already made, by (row, ``locale``, ``package_href``): a row holds every value it shows
    (its age in days too), so the same row in the same language is the same HTML."""
    made: list[_Labels] = []  # the page's labels, made at the first row not kept

    def labels() -> _Labels:
        if not made:
            made.append(_Labels(day))
        return made[0]

    href = str(escape(package_href))
    out: list[str] = []
    for r in rows:
        if kept is None:
            out.append(_row(r, href, labels()))
        else:
            out.append(kept.get_or_make((r, locale, package_href),
                                        lambda r=r: _row(r, href, labels())))  # type: ignore[misc]
    return Markup("".join(out))  # noqa: S704 - values escaped by _row, translations trusted


def _row(r: Row, href: str, labels: _Labels) -> str:
    words = labels.words
    if r.referral_district:
        referral = _ltr(r.referral_district)
        if r.referral_due:
            referral += ", " + words["due"] + " " + labels.day_html(r.referral_due)
        if r.overdue:
            referral += labels.overdue_tag
    else:
        referral = DASH
    findings = labels.blockers(r.blockers) + ", " + labels.warnings(r.warnings)
    if r.acknowledged:
        findings += " (" + labels.acknowledged(r.acknowledged) + ")"
    if r.duplicate:
        findings += labels.dup_tag
    if r.resubmit_unchanged:
        findings += labels.unchanged_tag
    return "".join((
        '<tr class="portal-overdue">' if r.overdue else "<tr>",
        '<th scope="row"><a class="usa-link" href="', href, str(escape(r.public_id)), '">',
        _ltr(r.reference), "</a></th>",
        "<td>", _ltr(r.country), "</td>",
        "<td>", ", ".join(labels.type_label(t) for t in r.types), "</td>",
        "<td>", str(r.age_days), "</td>",
        "<td>", "<strong>" + labels.day_html(r.urgency_date) + "</strong>" if r.urgency_date
        else DASH, "</td>",
        "<td>", labels.status(r.status), "</td>",
        "<td>", str(escape(r.assignee)) if r.assignee else words["unassigned"], "</td>",
        "<td>", findings, "</td>",
        "<td>", referral, "</td>",
        "<td>", str(escape(r.handoff)) if r.handoff else DASH, "</td>",
        "</tr>\n"))
