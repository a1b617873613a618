"""What a request's free text says: dates, statements of belief or fact, requests for
interception, location or pen registers, the legal standard invoked, durations (no Flask, no
database; word lists per language in ``lexicon/``)."""

from portal.rules.reading.dates import DateMention, find_dates, read_dates, write_date
from portal.rules.reading.excerpts import Excerpt, excerpt_of
from portal.rules.reading.phrases import Hit, find, negated

__all__ = [
    "DateMention",
    "Excerpt",
    "Hit",
    "excerpt_of",
    "find",
    "find_dates",
    "negated",
    "read_dates",
    "write_date",
]
