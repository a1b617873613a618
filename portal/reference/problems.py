"""A problem of the reference data, told twice: in English as one line for the CLI and the logs
(``str()``), and as a msgid with named values for a page to translate (no Flask here)."""

from __future__ import annotations

import json
from collections.abc import Mapping

#: Longest value shown in a problem (a pasted document must not fill the page).
MAX_SHOWN = 80


def shown(value: object) -> str:
    """``value`` as an administrator typed it: a string as it is, anything else as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "\u2026"


class ReferenceProblem(ValueError):
    """What is wrong and where: ``file`` (a reference file's name, or None for the whole set),
    ``entry`` (0-based position in the file, or None), ``text`` (English, after the place) and
    ``msgid`` (marked with ``N_``) with its ``params``: strings are values, keys, codes or
    file names to show as code; ints are numbers, already 1-based when they count entries."""

    def __init__(self, text: str, msgid: str, *, file: str | None = None,
                 entry: int | None = None, **params: str | int) -> None:
        self.text = text
        self.msgid = msgid
        self.file = file
        self.entry = entry
        self.params: Mapping[str, str | int] = params
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.file is None:
            return f"reference data: {self.text}"
        if self.entry is None:
            return f"{self.file}: {self.text}"
        return f"{self.file}: entry {self.entry}: {self.text}"
