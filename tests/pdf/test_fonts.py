"""The fonts: all installed, a missing one named with its Debian package, the install script in
step with the list."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.pdf import fonts
from portal.pdf.base import html_document, render_html
from portal.pdf.fonts import FONT_FACES, FONT_PACKAGES, FontFace, MissingFontError, css_string

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-pdf-deps.sh"


def test_every_font_is_installed() -> None:
    found = fonts.check_fonts()
    assert set(found) == set(FONT_FACES)
    assert all(path.is_file() for path in found.values())


def test_a_missing_font_fails_naming_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ghost = FontFace(
        "MLA Ghost", "NoSuchFont-Regular.ttf", "/nonexistent/NoSuchFont.ttf", "fonts-x"
    )
    monkeypatch.setattr(fonts, "FONT_FACES", (*FONT_FACES, ghost))
    monkeypatch.setenv(fonts.ENV_FONT_DIRS, str(tmp_path))
    with pytest.raises(MissingFontError) as caught:
        render_html(html_document(lang="en", direction="ltr", title="t", body="<p>x</p>"))
    message = str(caught.value)
    assert "fonts-x" in message
    assert "NoSuchFont-Regular.ttf" in message
    assert "scripts/ensure-pdf-deps.sh" in message
    assert caught.value.packages == ("fonts-x",)


def test_font_dirs_from_the_environment_are_searched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Elsewhere.ttf").write_bytes(b"not really a font")
    face = FontFace("MLA Else", "Elsewhere.ttf", "/nonexistent/Elsewhere.ttf", "fonts-else")
    monkeypatch.setenv(fonts.ENV_FONT_DIRS, str(tmp_path))
    assert fonts.locate(face) == tmp_path / "sub" / "Elsewhere.ttf"


def test_the_install_script_installs_every_font() -> None:
    script = SCRIPT.read_text("utf-8")
    for face in FONT_FACES:
        assert face.debian_path in script, face.debian_path
    for package in FONT_PACKAGES:
        assert package in script, package


def test_css_string_escapes() -> None:
    assert css_string('a"b\\c') == '"a\\000022 b\\00005c c"'
    assert css_string("MLA-1 \u00b7 v2") == '"MLA-1 \\0000b7  v2"'
