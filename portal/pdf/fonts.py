"""The font files of every PDF, by Debian package, as ``@font-face`` rules naming the files
(not fontconfig families: the same rendering on every machine). A missing file fails loudly
(:class:`MissingFontError`, naming the package), never as boxes ("tofu")."""

# family        covers                                        Debian package
# MLA Sans      Latin, Cyrillic, Greek, Vietnamese (Noto)     fonts-noto-core
# MLA Arabic    Arabic, Persian, Urdu (Noto Sans Arabic)      fonts-noto-core
# MLA Hebrew    Hebrew (Noto Sans Hebrew)                     fonts-noto-core
# MLA CJK       Chinese, Japanese kana, Korean (WenQuanYi)    fonts-wqy-microhei
# MLA Mono      hashes, identifiers (DejaVu Sans Mono)        fonts-dejavu-core
# Other scripts (Thai, Devanagari...) fall back glyph by glyph to fontconfig's fonts through
# the generic sans-serif at the end of the stack.

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portal import cache

#: Where Debian's font packages put their files; ``PORTAL_FONT_DIRS`` (os.pathsep-separated)
#: adds directories searched first (for a machine whose fonts live elsewhere).
DEFAULT_FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts")
ENV_FONT_DIRS = "PORTAL_FONT_DIRS"
INSTALL_HINT = "run `bash scripts/ensure-pdf-deps.sh` (as root) or `apt-get install {packages}`"


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file of the stack, as a CSS ``@font-face``."""

    family: str  # the family name used in the CSS
    filename: str  # the file's name (searched for under the font directories)
    debian_path: str  # where the Debian package installs it
    package: str  # the Debian package that ships it
    weight: int = 400
    style: str = "normal"


_NOTO = "/usr/share/fonts/truetype/noto/"
FONT_FACES: tuple[FontFace, ...] = (
    FontFace("MLA Sans", "NotoSans-Regular.ttf", _NOTO + "NotoSans-Regular.ttf", "fonts-noto-core"),
    FontFace("MLA Sans", "NotoSans-Bold.ttf", _NOTO + "NotoSans-Bold.ttf", "fonts-noto-core", 700),
    FontFace(
        "MLA Sans",
        "NotoSans-Italic.ttf",
        _NOTO + "NotoSans-Italic.ttf",
        "fonts-noto-core",
        400,
        "italic",
    ),
    FontFace(
        "MLA Arabic",
        "NotoSansArabic-Regular.ttf",
        _NOTO + "NotoSansArabic-Regular.ttf",
        "fonts-noto-core",
    ),
    FontFace(
        "MLA Arabic",
        "NotoSansArabic-Bold.ttf",
        _NOTO + "NotoSansArabic-Bold.ttf",
        "fonts-noto-core",
        700,
    ),
    FontFace(
        "MLA Hebrew",
        "NotoSansHebrew-Regular.ttf",
        _NOTO + "NotoSansHebrew-Regular.ttf",
        "fonts-noto-core",
    ),
    FontFace(
        "MLA Hebrew",
        "NotoSansHebrew-Bold.ttf",
        _NOTO + "NotoSansHebrew-Bold.ttf",
        "fonts-noto-core",
        700,
    ),
    FontFace(
        "MLA CJK",
        "wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "fonts-wqy-microhei",
    ),
    FontFace(
        "MLA Mono",
        "DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "fonts-dejavu-core",
    ),
    FontFace(
        "MLA Mono",
        "DejaVuSansMono-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
        "fonts-dejavu-core",
        700,
    ),
)

#: The CSS ``font-family`` of body text: Latin/Cyrillic first, then Arabic, Hebrew, CJK, then
#: fontconfig's fallback for any other script.
TEXT_STACK = '"MLA Sans", "MLA Arabic", "MLA Hebrew", "MLA CJK", sans-serif'
#: The CSS ``font-family`` of hashes and identifiers.
MONO_STACK = '"MLA Mono", "MLA Sans", "MLA Arabic", "MLA Hebrew", "MLA CJK", monospace'

#: The Debian packages the fonts come from (what scripts/ensure-pdf-deps.sh installs).
FONT_PACKAGES: tuple[str, ...] = tuple(dict.fromkeys(face.package for face in FONT_FACES))


class MissingFontError(RuntimeError):
    """A font file of the stack is not installed; the message names the Debian package."""

    def __init__(self, missing: Sequence[FontFace]) -> None:
        self.missing = tuple(missing)
        self.packages = tuple(dict.fromkeys(face.package for face in self.missing))
        files = ", ".join(face.filename for face in self.missing)
        packages = " ".join(self.packages)
        super().__init__(
            f"PDF fonts missing: {files} (Debian package {packages}); "
            + INSTALL_HINT.format(packages=packages)
        )


def font_dirs() -> tuple[Path, ...]:
    extra = [d for d in os.environ.get(ENV_FONT_DIRS, "").split(os.pathsep) if d]
    return tuple(Path(d) for d in (*extra, *DEFAULT_FONT_DIRS))


@cache.memoize("pdf.font_files", max_bytes=64 * 1024,
               why="where a font file was found (key: file name, Debian path, font directories)")
def _locate(filename: str, debian_path: str, dirs: tuple[Path, ...]) -> Path | None:
    for directory in dirs:
        if directory == Path(DEFAULT_FONT_DIRS[0]) and Path(debian_path).is_file():
            return Path(debian_path)
        if not directory.is_dir():
            continue
        direct = directory / filename
        if direct.is_file():
            return direct
        for found in sorted(directory.rglob(filename)):
            if found.is_file():
                return found
    return None


def locate(face: FontFace) -> Path | None:
    """The installed file of ``face``, or None."""
    return _locate(face.filename, face.debian_path, font_dirs())


def check_fonts() -> dict[FontFace, Path]:
    """Every face of the stack with its file; :class:`MissingFontError` if any is missing."""
    found: dict[FontFace, Path] = {}
    missing: list[FontFace] = []
    for face in FONT_FACES:
        path = locate(face)
        if path is None:
            missing.append(face)
        else:
            found[face] = path
    if missing:
        raise MissingFontError(missing)
    return found


def _css_url(path: Path) -> str:
    return "url(" + css_string(path.resolve().as_uri()) + ")"


def font_face_css() -> str:
    """The ``@font-face`` rules of the stack (raises :class:`MissingFontError`)."""
    rules = []
    for face, path in check_fonts().items():
        rules.append(
            "@font-face { font-family: "
            + css_string(face.family)
            + f"; src: {_css_url(path)}; font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (every non-ASCII or special character escaped)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\' or code < 0x20 or code > 0x7E:
            out.append(f"\\{code:06x} ")  # the space ends the escape (and is consumed)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
