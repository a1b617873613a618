"""Make the English catalog complete: English is the source language, so each msgstr is its
msgid (and the plural forms are msgid / msgid_plural). Run by ``make update-catalogs``."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    with PATH.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id[:2])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PATH.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, width=100, sort_output=True,
                 include_lineno=False)


if __name__ == "__main__":
    main()
