"""Numbers from a page's address, kept to what the database can hold: a number too large for
an id or a version is no such object (404), never a database error."""

from __future__ import annotations

from flask import abort, request

#: The largest value of the integer columns (ids, version numbers) on PostgreSQL.
INT_MAX = 2**31 - 1


def int_arg(name: str) -> int | None:
    """The query argument ``name`` as a whole number from 0 to :data:`INT_MAX`; None when it
    is absent or not a number; 404 when it is a number out of that range."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > 10 or int(raw) > INT_MAX:
        abort(404)
    return int(raw)
