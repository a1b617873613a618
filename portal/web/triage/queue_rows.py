"""The texts of the queue's rows in the page's language (labels, dates, counts), made once per
row so that the template only places them."""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list

from portal.i18n_core import day_name
from portal.translation import ngettext
from portal.triage.queue import Row
from portal.web.triage.labels import status_label, type_label


@dataclass(frozen=True)
class ShownRow:
    row: Row
    types: str  # joined as the language lists things ("a, b and c"; Arabic "a وb")
    status: str
    findings: str  # "2 blockers, 1 warning (1 acknowledged)"
    urgency: str  # the urgency date, or ""
    referral_due: str  # the referral's due date, or ""


def shown_rows(rows: list[Row], locale: str) -> list[ShownRow]:
    return [_shown(row, locale) for row in rows]


def _shown(row: Row, locale: str) -> ShownRow:
    findings = ", ".join((ngettext("%(num)d blocker", "%(num)d blockers", row.blockers),
                          ngettext("%(num)d warning", "%(num)d warnings", row.warnings)))
    if row.acknowledged:
        findings += " (" + ngettext("%(num)d acknowledged", "%(num)d acknowledged",
                                    row.acknowledged) + ")"
    return ShownRow(
        row=row, types=format_list([str(type_label(t)) for t in row.types], locale=locale),
        status=str(status_label(row.status)), findings=findings,
        urgency=day_name(row.urgency_date, locale) if row.urgency_date else "",
        referral_due=day_name(row.referral_due, locale) if row.referral_due else "")
