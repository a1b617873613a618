"""The texts of the queue's rows in the page's language (labels, dates, counts), made once per
row so that the template only places them; a label or date shared by rows is made once."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from babel import Locale
from babel.lists import format_list

from portal.i18n_core import day_name
from portal.translation import ngettext
from portal.triage.queue import Row
from portal.triage.target_clock import Standing
from portal.web.triage.labels import standing_text, status_label, target_label, type_label

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ShownRow:
    row: Row
    types: str  # joined as the language lists things ("a, b and c"; Arabic "a وb")
    status: str
    findings: str  # "2 blockers, 1 warning (1 acknowledged)"
    urgency: str  # the urgency date, or ""
    referral_due: str  # the referral's due date, or ""
    target: str  # the service target owed first ("First action"), or ""
    target_standing: str  # "due in 3 working days", "overdue by 2 working days", or ""


class _Once(dict[K, str]):
    """Texts made once per key for one page."""

    def __init__(self, make: Callable[[K], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: K) -> str:
        text = self[key] = self.make(key)
        return text


def shown_rows(rows: list[Row], locale: str) -> list[ShownRow]:
    language = Locale.parse(locale)
    types = _Once[tuple[str, ...]](lambda kinds: format_list(
        [str(type_label(t)) for t in kinds], locale=language))
    statuses = _Once[str](lambda status: str(status_label(status)))
    days = _Once[date](lambda day: day_name(day, locale))
    findings = _Once[tuple[int, int, int]](_findings)
    kinds = _Once[str](lambda kind: str(target_label(kind)) if kind else "")
    standings = _Once[Standing | None](lambda s: standing_text(s) if s else "")
    return [ShownRow(
        row=row, types=types[row.types], status=statuses[row.status],
        findings=findings[row.blockers, row.warnings, row.acknowledged],
        urgency=days[row.urgency_date] if row.urgency_date else "",
        referral_due=days[row.referral_due] if row.referral_due else "",
        target=kinds[row.target], target_standing=standings[row.target_standing])
        for row in rows]


def _findings(counts: tuple[int, int, int]) -> str:
    blockers, warnings, acknowledged = counts
    text = ", ".join((ngettext("%(num)d blocker", "%(num)d blockers", blockers),
                      ngettext("%(num)d warning", "%(num)d warnings", warnings)))
    if acknowledged:
        text += " (" + ngettext("%(num)d acknowledged", "%(num)d acknowledged",
                                acknowledged) + ")"
    return text
