"""Translator's helper: dump untranslated entries of a catalog, or apply translations to it.

    python scripts/i18n_apply.py dump LOCALE OUT.json      # untranslated / fuzzy entries
    python scripts/i18n_apply.py apply LOCALE IN.json      # {msgid: str | [plural forms]}
    python scripts/i18n_apply.py header LOCALE             # fix the header fields

For a plural entry, the key is the singular msgid; the value is the list of every msgstr[n].
For an entry with a context, the key is "context\x04msgid".
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
LANGUAGE_NAMES = {"es": "Spanish", "ar": "Arabic"}
TEAMS = {"es": "Spanish <es@li.org>", "ar": "Arabic <ar@li.org>"}
#: Plural rules written in the header (gettext's usual ones; Babel's CLDR data gives Spanish a
#: third form for millions, which the catalogs do not use).
PLURALS = {
    "es": (2, "(n != 1)"),
    "ar": (6, "(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 : "
              "n % 100 >= 11 && n % 100 <= 99 ? 4 : 5)"),
}


def _path(locale: str) -> Path:
    return ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def _read(locale: str):
    with _path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(locale: str, catalog) -> None:
    with _path(locale).open("wb") as handle:
        write_po(handle, catalog, omit_header=False, width=100, sort_output=True,
                 include_lineno=False)
    # Babel writes "<project> <version>"; the portal has no version number.
    path = _path(locale)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Project-Id-Version: MLA request portal \\n"',
                                 '"Project-Id-Version: MLA request portal\\n"'), encoding="utf-8")


def _key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not strings or not all(strings)


def dump(locale: str, out: str) -> None:
    catalog = _read(locale)
    entries = {}
    for message in catalog:
        if not message.id or not _untranslated(message):
            continue
        if isinstance(message.id, tuple):
            entries[_key(message)] = {"plural": message.id[1], "n": catalog.num_plurals}
        else:
            entries[_key(message)] = ""
    Path(out).write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{locale}: {len(entries)} untranslated entries -> {out}")


def apply(locale: str, source: str) -> None:
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    catalog = _read(locale)
    done, unknown, problems = 0, set(translations), []
    for message in catalog:
        if not message.id:
            continue
        key = _key(message)
        if key not in translations:
            continue
        unknown.discard(key)
        value = translations[key]
        if isinstance(message.id, tuple):
            if not isinstance(value, list) or len(value) != catalog.num_plurals:
                problems.append(f"plural count: {key!r}")
                continue
            message.string = tuple(value)
            texts = value
        else:
            if not isinstance(value, str) or not value:
                problems.append(f"empty: {key!r}")
                continue
            message.string = value
            texts = [value]
        source_id = message.id[0] if isinstance(message.id, tuple) else message.id
        wanted = set(PLACEHOLDER.findall(source_id))
        for text in texts:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders: {key!r} -> {text!r}")
        message.flags.discard("fuzzy")
        done += 1
    _write(locale, catalog)
    print(f"{locale}: applied {done}; unknown keys {len(unknown)}")
    for key in sorted(unknown):
        print("  unknown:", key[:90])
    for problem in problems:
        print("  PROBLEM:", problem)


def header(locale: str) -> None:
    catalog = _read(locale)
    catalog.project = "MLA request portal"
    catalog.version = ""
    catalog.language_team = TEAMS[locale]
    catalog.last_translator = "MLA portal translators"
    catalog.revision_date = datetime.now(UTC)
    catalog.fuzzy = False
    catalog.header_comment = (
        f"# {LANGUAGE_NAMES[locale]} translations for the MLA request portal.\n"
        "# Terms: translations/GLOSSARY.md.\n"
        "# MLA portal translators, 2026.\n"
        "#")
    if locale in PLURALS:
        number, expression = PLURALS[locale]
        for message in catalog:
            if isinstance(message.id, tuple) and isinstance(message.string, tuple):
                strings = list(message.string[:number])
                strings += [strings[-1] if strings else ""] * (number - len(strings))
                message.string = tuple(strings)
        catalog._num_plurals = number
        catalog._plural_expr = expression
    _write(locale, catalog)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"dump": dump, "apply": apply, "header": header}[command](*args)
