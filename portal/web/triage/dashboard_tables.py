"""The dashboard's tables (what the page shows and each CSV holds) and charts, with their
headers, titles and descriptions in the page's language."""

from __future__ import annotations

import csv
import io
from typing import Any

from portal.translation import gettext as _
from portal.translation import ngettext
from portal.triage import charts as svg
from portal.triage import targets
from portal.triage.dashboard import Figures
from portal.web.triage.labels import target_label


def tables(figures: Figures) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table's translated headers and rows (what the page shows and the CSV holds)."""
    return {
        "pending": ([_("Week starting"), _("Pending requests")],
                    [[w.isoformat(), n] for w, n in figures.pending]),
        "ages": ([_("Age (days)"), _("Open requests")], [[a, n] for a, n in figures.ages]),
        "time_to_triage": ([_("Median days to first triage action"), _("Requests triaged"),
                            _("Requests not yet triaged")],
                           [[figures.median_days if figures.median_days is not None else "",
                             figures.triaged, figures.untriaged]]),
        "returns_by_rule": ([_("Rule"), _("Returns")],
                            [[c, n] for c, n in figures.returns_by_rule]),
        "returns_by_country": ([_("Country"), _("Returns")],
                               [[c, n] for c, n in figures.returns_by_country]),
        "attorneys": ([_("Attorney"), _("Open requests"), _("Weighted load")],
                      [[name, n, f"{w:g}"] for name, n, w in figures.attorneys]),
        "referrals": ([_("District"), _("Referrals"), _("Still open"), _("Overdue")],
                      [[d, t, o, v] for d, t, o, v in figures.referrals]),
        "targets": ([_("Service target"), _("Open requests owing it"), _("Overdue"),
                     _soon_header()],
                    [[str(target_label(c.kind)), c.owed, c.overdue, c.soon]
                     for c in figures.targets]),
    }


def _soon_header() -> str:
    return ngettext("Due within %(num)d working day", "Due within %(num)d working days",
                    targets.SOON_DAYS)


def table_csv(figures: Figures, name: str) -> str:
    headers, rows = tables(figures)[name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c
                         for c in row])
    return out.getvalue()


def charts(figures: Figures) -> dict[str, svg.Chart]:
    """Each chart's geometry, with its translated title and description."""
    period = _("from %(start)s to %(end)s", start=figures.start.isoformat(),
               end=figures.end.isoformat())
    pending = figures.pending
    return {
        "pending": svg.line_chart(
            "chart-pending", _("Pending caseload per week"),
            _("Open requests at the end of each week, %(period)s: %(first)s at the start, "
              "%(last)s at the end.", period=period,
              first=pending[0][1] if pending else 0, last=pending[-1][1] if pending else 0),
            [(w.isoformat(), float(n)) for w, n in pending]),
        "ages": svg.bar_chart(
            "chart-ages", _("Open requests by age"),
            _("Number of open requests in each age bracket, in days since submission."),
            [svg.Bar(label, n) for label, n in figures.ages]),
        "returns_by_rule": svg.bar_chart(
            "chart-returns-rule", _("Returns by rule"),
            _("How often each rule was named in a return for deficiency, %(period)s.",
              period=period),
            [svg.Bar(code, n) for code, n in figures.returns_by_rule[:20]]),
        "returns_by_country": svg.bar_chart(
            "chart-returns-country", _("Returns by country"),
            _("Returns for deficiency per requesting country, %(period)s.", period=period),
            [svg.Bar(c or "?", n) for c, n in figures.returns_by_country[:20]]),
        "attorneys": svg.bar_chart(
            "chart-attorneys", _("Weighted caseload per attorney"),
            _("Open requests assigned to each attorney, weighted by type of assistance."),
            [svg.Bar(name, w) for name, _n, w in figures.attorneys]),
        "referrals": svg.bar_chart(
            "chart-referrals", _("USAO referrals by district"),
            _("Referrals per district %(period)s; the red part of each bar is overdue.",
              period=period),
            [svg.Bar(d, t, v) for d, t, _o, v in figures.referrals]),
        "targets": svg.bar_chart(
            "chart-targets", _("Service targets owed now"),
            _("Open requests owing each service target today; the red part of each bar is "
              "overdue."),
            [svg.Bar(str(target_label(c.kind)), c.owed, c.overdue) for c in figures.targets]),
    }
