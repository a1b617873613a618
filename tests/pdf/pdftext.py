"""Reading a rendered PDF back for the tests: text per page (pypdf), and which glyphs of which
embedded font stand for which characters (the fonts' ToUnicode maps)."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from pypdf import PdfReader

#: Bidi controls and marks that extraction may or may not keep.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e"), None
)


def normalise(text: str) -> str:
    """NFKC (Arabic presentation forms become letters), no bidi controls, no whitespace."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return re.sub(r"\s+", "", folded)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


@dataclass(frozen=True)
class GlyphMap:
    """For each embedded font (by BaseFont without the subset prefix): glyph id -> text."""

    fonts: dict[str, dict[int, str]]

    def glyphs_for(self, char: str) -> dict[str, set[int]]:
        """Font -> the glyph ids whose text contains ``char``."""
        out: dict[str, set[int]] = defaultdict(set)
        for font, table in self.fonts.items():
            for gid, text in table.items():
                if char in text:
                    out[font].add(gid)
        return dict(out)


_HEX = r"<([0-9A-Fa-f]+)>"


def _utf16(hexstr: str) -> str:
    return bytes.fromhex(hexstr).decode("utf-16-be", errors="replace")


def parse_to_unicode(cmap: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(_HEX + r"\s*" + _HEX, block):
            table[int(src, 16)] = _utf16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, rest in re.findall(
            _HEX + r"\s*" + _HEX + r"\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        ):
            start, end = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for offset, dst in enumerate(re.findall(_HEX, rest)):
                    table[start + offset] = _utf16(dst)
            else:
                base = bytes.fromhex(rest[1:-1])
                for offset in range(end - start + 1):
                    value = int.from_bytes(base, "big") + offset
                    table[start + offset] = _utf16(value.to_bytes(len(base), "big").hex())
    return table


def glyph_map(pdf: bytes) -> GlyphMap:
    fonts: dict[str, dict[int, str]] = defaultdict(dict)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        font_dict = resources.get_object().get("/Font")
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "")).lstrip("/")
            name = name.split("+", 1)[-1]
            to_unicode = font.get("/ToUnicode")
            if to_unicode is None:
                continue
            data = to_unicode.get_object().get_data().decode("latin-1")
            fonts[name].update(parse_to_unicode(data))
    return GlyphMap(dict(fonts))


def tofu(pdf: bytes, glyph_counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """Characters drawn with no real glyph: (font, text, glyph id) for glyph 0 (.notdef) or a
    glyph id past the end of the font file (what a missing glyph becomes). ``glyph_counts``
    gives the number of glyphs of each embedded font's file; fonts not in it are not checked."""
    bad = []
    for font, table in glyph_map(pdf).fonts.items():
        count = glyph_counts.get(font)
        for gid, text in table.items():
            if gid == 0 or (count is not None and gid >= count) or "\ufffd" in text:
                bad.append((font, text, gid))
    return bad
