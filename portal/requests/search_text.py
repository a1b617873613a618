"""The text search of requests: what a request's search document holds, and how a typed search
becomes words to find in it. Both sides are folded alike (:func:`normalize.fold`: no accents,
no case, words of letters and digits), so "Müller" finds "MULLER" and "DP 1834/2026" is the
words ``dp 1834 2026``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from portal.contract import model as m
from portal.requests import normalize

#: Words shorter than this cannot use the trigram indexes: they match the beginning of a word.
MIN_WORD = 3
#: The longest document kept (a request with hundreds of identifiers stays searchable by
#: the first ones).
MAX_DOCUMENT = 20_000
#: Words read from a search (a pasted paragraph is cut, not refused).
MAX_WORDS = 12
_PHONE = re.compile(r"[\d\s+().-]+")
_ACCOUNT = re.compile(r"(?=.*\d)[A-Za-z0-9 ]+")


def _texts(reference: str, content: m.Request) -> Iterator[str]:
    """The searchable texts of a request, most wanted first."""
    yield reference
    yield content.reference
    yield from content.requesting_authority.case_references
    for person in content.persons:
        yield person.name
    for item in content.assistance:
        allowed = m.item_fields(item.type)
        if "identifiers" in allowed:
            for ident in item.identifiers:
                kind = ident.kind or "other"
                yield ident.value
                yield normalize.identifier(kind, ident.value)
        if "accounts" in allowed:
            for acct in item.accounts:
                yield acct.number
                yield normalize.account(acct.number)
                yield acct.holder
        if "witness_name" in allowed:
            yield item.witness_name
    for offence in content.offences:
        yield offence.name.text
        yield offence.name.english
    for record in content.preservation:
        yield record.identifier


def document(reference: str, content: m.Request) -> str:
    """The search document: each folded word once, between single spaces, with a space at
    each end (so that the beginning of a word is `` word``)."""
    words: dict[str, None] = {}
    for text in _texts(reference or "", content):
        for word in normalize.fold(text or "").split():
            words.setdefault(word, None)
    body = " ".join(words)
    if len(body) > MAX_DOCUMENT:
        body = body[:MAX_DOCUMENT].rsplit(" ", 1)[0]
    return f" {body} " if body else " "


@dataclass(frozen=True)
class Terms:
    """A search: ``alternatives``, each a list of words that must all be in the document
    (words of :data:`MIN_WORD` characters or more anywhere, shorter ones at the beginning of
    a word); the typed words, and a phone number or account typed with spaces as one word."""

    alternatives: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.alternatives

    @property
    def short_only(self) -> bool:
        """Every word is short: only whole words and beginnings of words are found."""
        return bool(self.alternatives) and all(
            len(w) < MIN_WORD for words in self.alternatives for w in words)


def terms(query: str) -> Terms:
    """The words of a typed search (see :class:`Terms`)."""
    words = tuple(dict.fromkeys(normalize.fold(query).split()))[:MAX_WORDS]
    if not words:
        return Terms()
    alternatives = [words]
    # a phone or an account number typed otherwise than stored: "+34 600 11 22 33" and
    # "0034600112233" are the number 34600112233, "ES76 2100 …" one IBAN
    compacts = []
    if _PHONE.fullmatch(query.strip()):
        compacts.append(normalize.phone(query))
    if _ACCOUNT.fullmatch(query.strip()):
        compacts.append(normalize.account(query).lower())
    for compact in compacts:
        if len(compact) >= 6 and (compact,) not in alternatives:
            alternatives.append((compact,))
    return Terms(tuple(alternatives))


def like_pattern(word: str) -> str:
    """The LIKE pattern of a word (escape character ``\\``): anywhere for a word of
    :data:`MIN_WORD` characters or more, at the beginning of a word when shorter."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%" if len(word) < MIN_WORD else f"%{escaped}%"


def fts_query(found: Terms) -> str:
    """The FTS5 (trigram) query that finds a superset of ``found``'s matches; empty when
    an alternative has only short words (FTS5 cannot find those: the caller scans)."""
    parts = []
    for words in found.alternatives:
        long = [w for w in words if len(w) >= MIN_WORD]
        if not long:
            return ""
        parts.append("(" + " AND ".join('"' + w.replace('"', '""') + '"' for w in long) + ")")
    return " OR ".join(parts)
