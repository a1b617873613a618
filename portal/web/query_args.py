"""Numbers and dates from a page's address, kept to what the database and the calendar can
hold: a number too large for an id or a version is no such object (404), a date near the ends
of the calendar is not a valid date; never a database error or an overflow."""

from __future__ import annotations

from datetime import date

from flask import abort, request

#: The largest value of the integer columns (ids, version numbers) on PostgreSQL; also the
#: ``max`` of the ``int`` converters of routes whose number is looked up in the database.
INT_MAX = 2**31 - 1
#: The dates an address may name: any period of the portal's data, and far enough from year 1
#: and year 9999 that a period's arithmetic (a default start 26 weeks before) cannot overflow.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


def iso_date(raw: str) -> date:
    """``YYYY-MM-DD`` as a date from :data:`MIN_DATE` to :data:`MAX_DATE`; ValueError otherwise
    (as for a date that does not exist)."""
    value = date.fromisoformat(raw)
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"{raw!r} is outside {MIN_DATE} to {MAX_DATE}")
    return value


def int_arg(name: str) -> int | None:
    """The query argument ``name`` as a whole number from 0 to :data:`INT_MAX`; None when it
    is absent or not a number; 404 when it is a number out of that range."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > 10 or int(raw) > INT_MAX:
        abort(404)
    return int(raw)
