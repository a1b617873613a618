"""Language detection for GEN-ENGLISH with lingua (built once, for the languages likely in MLA
requests); results are remembered by the sample examined and the declared language."""

from __future__ import annotations

import re
import threading
from typing import Any, Protocol

from portal import cache

LANGUAGE_NAMES = (
    "ENGLISH",
    "SPANISH",
    "FRENCH",
    "PORTUGUESE",
    "GERMAN",
    "ITALIAN",
    "DUTCH",
    "ARABIC",
    "CHINESE",
    "RUSSIAN",
    "UKRAINIAN",
    "TURKISH",
    "POLISH",
    "ROMANIAN",
    "GREEK",
    "HEBREW",
    "PERSIAN",
    "HINDI",
    "INDONESIAN",
    "VIETNAMESE",
    "THAI",
    "JAPANESE",
    "KOREAN",
)

_lock = threading.Lock()
_detector: Any = None
_UNKNOWN = object()

_ENGLISH_MARKERS = frozenset(
    (
        "the", "of", "and", "to", "in", "is", "was", "were", "that", "with", "for", "on", "by",
        "from", "this", "which", "have", "has", "had", "been", "be", "are", "not", "his", "her",
        "their", "they", "he", "she", "it", "its", "at", "an", "as", "or", "who",
    )
)  # fmt: skip
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def detector() -> Any:
    """The shared lingua detector (built on first use, thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, name) for name in LANGUAGE_NAMES]
                _detector = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_low_accuracy_mode()
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def warm_up() -> None:
    detector()


def _mostly_english(sample: str) -> bool:
    tokens = _TOKEN.findall(sample.casefold())
    if len(tokens) < 8:
        return False
    markers = sum(1 for token in tokens if token in _ENGLISH_MARKERS)
    return markers / len(tokens) >= 0.2


_DETECTIONS = cache.named("rules.language", max_bytes=8 * 1024 * 1024,
                          why="language of a text sample (key: the sample, the declared language)")


def _detect(sample: str, hint: str = "") -> str | None:
    """The language of ``sample``; ``hint`` (a declared language) settles a near tie."""
    key = (sample, hint)
    found = _DETECTIONS.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = _detect_with_hint(sample, hint) if hint else _detect_alone(sample)
        _DETECTIONS.put(key, found)
    return found  # type: ignore[no-any-return]


def _detect_alone(sample: str) -> str | None:
    if _mostly_english(sample):
        return "en"
    try:
        language = detector().detect_language_of(sample)
    except Exception:  # the detector must never break the engine
        return None
    if language is None:
        return None
    code = language.iso_code_639_1
    return str(getattr(code, "name", code)).lower()


def detect(text: str, min_chars: int, sample_chars: int) -> str | None:
    """ISO 639-1 code of the language of ``text``, or None when the text is too short or the
    detector cannot tell. Only the first ``sample_chars`` characters are examined."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if len(stripped) < min_chars:
        return None
    return _detect(stripped[: max(sample_chars, min_chars)])


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


class _Thresholds(Protocol):
    @property
    def english_min_chars(self) -> int: ...
    @property
    def english_min_cjk_chars(self) -> int: ...
    @property
    def english_sample_chars(self) -> int: ...


def judge(text: str, settings: _Thresholds, hint: str = "") -> str | None:
    """The language of ``text`` when long enough to judge (GEN-ENGLISH): by its script for
    Chinese, Japanese or Korean, else by the detector; ``hint`` (the declared language) settles
    a near tie within one family (Spanish, Portuguese)."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    sample = stripped[: settings.english_sample_chars]
    if _CJK.search(sample):
        cjk = len(_CJK.findall(sample))
        letters = sum(len(word) for word in _TOKEN.findall(sample))
        if cjk >= settings.english_min_cjk_chars and cjk * 2 >= letters:
            if _KANA.search(sample):
                return "ja"
            return "ko" if _HANGUL.search(sample) else "zh"
    if len(stripped) < settings.english_min_chars:
        return None
    found = _detect(sample, hint[:2].lower())
    if found is not None and found != "en":  # an English text full of foreign names?
        plain = without_names(sample)
        if len(plain) >= settings.english_min_chars and _detect(plain) == "en":
            return "en"
    return found


_QUOTED = re.compile(r"\([^)]{0,300}\)|“[^”]{0,300}”|«[^»]{0,300}»|\"[^\"]{0,300}\"")
_NAME = re.compile(r"(?<=[\w,;:–-] )[A-ZÀ-ÖØ-ÞА-ЯЁ][\w.’'-]*")


def without_names(sample: str) -> str:
    """``sample`` without what is in parentheses or quotation marks and without capitalised
    words inside a sentence (names of courts, banks, places): an English text full of Spanish
    names and titles is still English."""
    return " ".join(_NAME.sub(" ", _QUOTED.sub(" ", sample)).split())


def _detect_with_hint(sample: str, hint: str) -> str | None:
    found = _detect(sample)
    if found is None or found == "en" or hint == found:
        return found
    try:
        values = detector().compute_language_confidence_values(sample)
    except Exception:  # the detector must never break the engine
        return found
    scores = {str(getattr(v.language.iso_code_639_1, "name", "")).lower(): v.value for v in values}
    top = scores.get(found, 0.0)
    return hint if top and scores.get(hint, 0.0) >= 0.5 * top else found


def clear_cache() -> None:
    """Forget the languages detected."""
    _DETECTIONS.clear()


def language_name(code: str) -> str:
    """English name of a language code (for the finding's parameters)."""
    for name in LANGUAGE_NAMES:
        if _ISO.get(name) == code:
            return name.capitalize()
    return code


_ISO = {
    "ENGLISH": "en",
    "SPANISH": "es",
    "FRENCH": "fr",
    "PORTUGUESE": "pt",
    "GERMAN": "de",
    "ITALIAN": "it",
    "DUTCH": "nl",
    "ARABIC": "ar",
    "CHINESE": "zh",
    "RUSSIAN": "ru",
    "UKRAINIAN": "uk",
    "TURKISH": "tr",
    "POLISH": "pl",
    "ROMANIAN": "ro",
    "GREEK": "el",
    "HEBREW": "he",
    "PERSIAN": "fa",
    "HINDI": "hi",
    "INDONESIAN": "id",
    "VIETNAMESE": "vi",
    "THAI": "th",
    "JAPANESE": "ja",
    "KOREAN": "ko",
}
