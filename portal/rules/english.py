"""GEN-ENGLISH: the texts OIA must read are in English, or come with an English translation
that is itself in English (RULES.md, version 2)."""

from __future__ import annotations

from collections.abc import Iterator

from portal.rules import language
from portal.rules.base import Finding, Subject, check
from portal.rules.reading import excerpt_of

#: How much of a text not in English its finding quotes (characters, to a word's end).
QUOTED = 60


@check("GEN-ENGLISH")
def english(s: Subject) -> Iterator[Finding]:
    for path, narrative in s.request.narratives():
        translation = narrative.english.strip()
        part = "english" if translation else "text"
        value = narrative.english if translation else narrative.text
        if not value.strip():
            continue
        # the declared language describes the original; a translation must be English itself
        hint = "" if translation else (narrative.language or s.request.language)
        code = language.judge(value, s.settings, hint=hint)
        if code is None or code == "en":
            continue
        head = len(value) - len(value.lstrip())
        end = value.find(" ", head + QUOTED, head + QUOTED + 30)  # a whole last word
        quote = excerpt_of(f"{path}.{part}", value, head, end if end != -1 else head + QUOTED)
        yield s.finding("GEN-ENGLISH", f"{path}.english", quote,
                        language=language.language_name(code),
                        problem="translation" if translation else "untranslated")
