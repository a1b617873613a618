"""The checker's side of the PDF policy: how an address is read (as a browser reads it), how a
raw string is decoded, and the little the sandboxed process imports."""

from __future__ import annotations

import re
import sys

import pytest

from portal.attachments.pdf_matching import classify, raw_addresses, scheme_key
from portal.attachments.pdf_policy import NO_ADDRESS, NO_SCHEME, checker_policy
from tests.architecture.imports import ROOT, imported_modules, parse

POLICY = checker_policy(image_max_bytes=256 << 20)


@pytest.mark.parametrize(("address", "key"), [
    ("https://example.org/a?b#c", "https"),
    ("HTTP://EXAMPLE.ORG", "http"),
    ("mailto:oia@example.org", "mailto"),
    ("  javascript:alert(1)", "javascript"),
    ("\x01java\tscr\nipt:alert(1)", "javascript"),
    ("JavaScript:void(0)", "javascript"),
    ("file:///etc/passwd", "file"),
    ("\\\\server\\share\\x.exe", NO_SCHEME),
    ("//server/share", NO_SCHEME),
    ("C:\\Windows\\calc.exe", NO_SCHEME),
    ("../secret.pdf", NO_SCHEME),
    ("java%73cript:alert(1)", NO_SCHEME),
    ("", NO_ADDRESS),
    (" \t ", NO_ADDRESS),
    ("ms-msdt:/id PCWDiagnostic", "ms-msdt"),
])
def test_the_scheme_is_read_as_a_browser_reads_it(address: str, key: str) -> None:
    assert scheme_key(POLICY, address) == key


@pytest.mark.parametrize(("address", "codes"), [
    ("https://example.org", None),
    ("mailto:a@example.org", None),
    ("", None),
    ("javascript:x", ["link_script", "javascript"]),
    ("vbscript:x", ["link_script", "javascript"]),
    ("file:///x", ["link_file", "launch_action"]),
    ("\\\\server\\share", ["link_file", "launch_action"]),
    ("smb://server/share", ["link_other", "launch_action"]),
    ("tel:+15550100", ["link_other", "launch_action"]),
])
def test_links_are_classified_by_the_table(address: str, codes: list[str] | None) -> None:
    assert classify(POLICY, "links", address) == codes


def test_submit_addresses_allow_web_and_mail_only() -> None:
    assert classify(POLICY, "submits", "https://forms.example.org/") is None
    assert classify(POLICY, "submits", "") is None
    assert classify(POLICY, "submits", "file:///x.fdf") == ["submit_target", "submit_target"]
    assert classify(POLICY, "submits", "relative.cgi") == ["submit_target", "submit_target"]


def test_raw_strings_are_decoded_with_their_escapes() -> None:
    blob = (b"/URI (java\\163cript:\\(x\\)\\\nmore) /URI <6A617661 73 63726970743A> "
            b"/URI (a(b)c) /URI /Name")
    ends = [match.end() for match in re.finditer(rb"/URI", blob)]
    assert list(raw_addresses(blob, iter(ends))) == ["javascript:(x)more", "javascript:",
                                                     "a(b)c"]


def test_the_checker_imports_only_the_standard_library_pypdf_and_its_two_helpers() -> None:
    allowed = {"portal.attachments.pdf_images", "portal.attachments.pdf_matching"}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for name in ("_sandbox.py", "pdf_images.py", "pdf_matching.py"):
        for module in imported_modules(parse(ROOT / "attachments" / name), "portal.attachments"):
            top = module.split(".")[0]
            if top == "portal":
                assert module.rsplit(".", 1)[0] in allowed or module in allowed, (name, module)
                assert name == "_sandbox.py", f"{name} imports {module}"
            else:
                assert top in stdlib or top == "pypdf", (name, module)
