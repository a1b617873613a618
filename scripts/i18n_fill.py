"""Fill untranslated catalog entries from a Python file of translations (a translator's tool):
``python scripts/i18n_fill.py FILE`` where FILE defines ``K`` (the msgids, in order) and ``T``
(locale -> the msgstrs in the same order). Entries already translated are left alone."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "translations"


def main(path: str) -> None:
    data = runpy.run_path(path)
    keys: list[str] = data["K"]
    for locale, strings in data["T"].items():
        if len(strings) != len(keys):
            raise SystemExit(f"{locale}: {len(strings)} strings for {len(keys)} msgids")
        po = ROOT / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for key, value in zip(keys, strings, strict=True):
            message = catalog.get(key)
            if message is None:
                raise SystemExit(f"{locale}: no msgid {key!r}")
            if not message.string:
                message.string = value
        with po.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False)


if __name__ == "__main__":
    main(sys.argv[1])
