"""The words that triggered a finding, with their position, and a little context for OIA."""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 50


@dataclass(frozen=True, slots=True)
class Excerpt:
    """``text`` is ``value[start:end]`` of the string field at ``path``; ``context`` shows it
    with up to :data:`CONTEXT_CHARS` characters on each side (cut at a space, marked with …)."""

    path: str
    start: int
    end: int
    text: str
    context: str

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "start": self.start, "end": self.end, "text": self.text,
                "context": self.context}

    @property
    def parts(self) -> tuple[str, str, str]:
        """The context split around the words (before, words, after), for a <mark>."""
        at = self.context.find(self.text) if self.text else -1
        if at == -1:
            return "", self.text, ""
        return self.context[:at], self.text, self.context[at + len(self.text):]

    @classmethod
    def from_dict(cls, raw: object) -> Excerpt | None:
        if not isinstance(raw, dict):
            return None
        try:
            return cls(str(raw["path"]), int(raw["start"]), int(raw["end"]), str(raw["text"]),
                       str(raw.get("context", raw["text"])))
        except (KeyError, TypeError, ValueError):
            return None


def excerpt_of(path: str, value: str, start: int, end: int, limit: int = 120) -> Excerpt:
    """The excerpt of ``value[start:end]`` (the words clipped to ``limit`` characters)."""
    start = max(0, min(start, len(value)))
    end = max(start, min(end, len(value), start + limit))
    lo = max(0, start - CONTEXT_CHARS)
    hi = min(len(value), end + CONTEXT_CHARS)
    if lo > 0:
        space = value.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(value):
        space = value.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    context = " ".join(value[lo:hi].split())
    context = ("…" if lo > 0 else "") + context + ("…" if hi < len(value) else "")
    return Excerpt(path, start, end, value[start:end], context)
