"""Every rule of the PDF policy (portal/attachments/pdf_policy.py) with a real PDF built here:
refused files get the rule's reason and message (with the page of a link), accepted ones are
accepted; the table, the messages and the cases stay in step."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from portal.attachments import pdf_policy
from portal.attachments.inspect import PdfReport, Rejection, inspect_pdf
from portal.attachments.pdf_policy import MESSAGES, NO_ADDRESS, NO_SCHEME, OTHER_SCHEME, RULES
from tests.attachments import pdfs
from tests.attachments import policy_pdfs as p
from tests.attachments.pdfs import bomb_stream_data

LIMITS: dict[str, float] = {"max_pages": 2000, "time_limit": 20.0}


@dataclass(frozen=True)
class Case:
    label: str
    make: Callable[[], bytes]
    #: The reason code, or None when the file is accepted.
    code: str | None
    params: dict[str, int] = field(default_factory=dict)
    #: The rule of the table this case stands for (kind, match); None for the extra cases.
    rule: tuple[str, str] | None = None
    limits: dict[str, float] = field(default_factory=dict)


def _case(kind: str, match: str, make: Callable[[], bytes], code: str | None,
          label: str = "", **params: int) -> Case:
    return Case(label or f"{kind} {match}", make, code, params, (kind, match))


def _js_link() -> bytes:
    return p.link_pdf(b"(javascript:app.alert\\(1\\))")


RULE_CASES = [
    _case("file", "no %PDF- header", pdfs.text_named_pdf, "not_pdf"),
    _case("file", "data before %PDF- or after %%EOF, HTML in the first KiB, a ZIP end record",
          pdfs.pdf_zip_polyglot, "polyglot"),
    _case("file", "truncated, or does not parse fully even once repaired", pdfs.truncated_pdf,
          "damaged"),
    _case("file", "encrypted (/Encrypt)", lambda: pdfs.encrypted_pdf(""), "encrypted"),
    Case("structure: 30 pages over a limit of 25", lambda: pdfs.multi_page_pdf(30),
         "too_many_pages", {"max": 25}, ("structure", "more pages than PORTAL_MAX_PDF_PAGES"),
         {"max_pages": 25}),
    _case("structure", "no page", pdfs.zero_pages_pdf, "no_pages"),
    _case("structure", "a page tree or outline that loops", pdfs.recursive_kids_pdf,
          "recursive_structure"),
    _case("structure", "nesting or object graphs beyond the checker's memory",
          pdfs.deep_nesting_pdf, "too_complex"),
    Case("structure: a slow file and a limit of 1 s", pdfs.slow_recovery_pdf, "timeout",
         {"seconds": 1}, ("structure", "not checked within PORTAL_UPLOAD_TIME_LIMIT_SECONDS"),
         {"time_limit": 1.0}),
    _case("stream", "streams other than images decode to more than 1 GB together",
          lambda: pdfs.decompression_bomb_pdf(gigabytes=1), "decompression_bomb"),
    _case("image", "declares more than 400,000,000 pixels", pdfs.huge_image_pdf,
          "decompression_bomb"),
    _case("image", "decodes to more than PORTAL_MAX_IMAGE_MB",
          lambda: p.inflating_image_pdf(2048), "image_too_large",
          "image: 100 x 100 pixels whose data inflates to 2 GB", max=256),
    _case("action", "/JavaScript", pdfs.javascript_open_action_pdf, "javascript"),
    _case("action", "/Launch", lambda: p.link_action_pdf(b"<< /S /Launch /F (cmd.exe) >>"),
          "launch_action"),
    _case("action", "/GoToR",
          lambda: p.link_action_pdf(b"<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>"),
          "launch_action"),
    _case("action", "/ImportData", lambda: p.open_action_pdf(b"<< /S /ImportData /F (x.fdf) >>"),
          "launch_action"),
    _case("action", "/GoToE",
          lambda: p.open_action_pdf(b"<< /S /GoToE /T << /R /C /N (a.pdf) >> >>"),
          "embedded_file"),
    _case("action", "/RichMediaExecute",
          lambda: p.open_action_pdf(b"<< /S /RichMediaExecute /TA null /CMD << /C (play) >> >>"),
          "active_content"),
    _case("action", "/Rendition", lambda: p.open_action_pdf(b"<< /S /Rendition /OP 0 >>"),
          "active_content"),
    _case("action", "/Movie",
          lambda: p.link_action_pdf(b"<< /S /Movie /T (clip) /Operation /Play >>"),
          "active_content"),
    _case("action", "/Sound", lambda: p.link_action_pdf(b"<< /S /Sound /Volume 1 >>"),
          "active_content"),
    _case("action_file", "/Thread",
          lambda: p.open_action_pdf(b"<< /S /Thread /F (other.pdf) /D 0 >>"), "launch_action"),
    _case("action", "/URI", lambda: p.link_pdf(b"(https://www.justice.gov/criminal/oia)"),
          None),
    _case("action", "/SubmitForm", p.latex_form_pdf, None,
          "action /SubmitForm: a LaTeX (hyperref) form with Submit and Reset buttons"),
    _case("action", "/ResetForm", lambda: p.link_action_pdf(b"<< /S /ResetForm >>"), None),
    _case("action", "/GoTo", lambda: p.link_action_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>"), None),
    _case("action", "/Named", lambda: p.link_action_pdf(b"<< /S /Named /N /NextPage >>"), None),
    _case("action", "/Hide", lambda: p.link_action_pdf(b"<< /S /Hide /T (name) /H false >>"),
          None),
    _case("action", "/SetOCGState",
          lambda: p.link_action_pdf(b"<< /S /SetOCGState /State [/Toggle] >>"), None),
    _case("key", "/JS", lambda: p.open_action_pdf(b"<< /JS (app.alert\\(1\\);) >>"),
          "javascript"),
    _case("key", "/JavaScript",
          lambda: p.catalog_pdf(b"/Names << /JavaScript 6 0 R >> ", [b"<< /Names [] >>"]),
          "javascript"),
    _case("key", "/EmbeddedFiles",
          lambda: p.catalog_pdf(b"/Names << /EmbeddedFiles 6 0 R >> ", [b"<< /Names [] >>"]),
          "embedded_file"),
    _case("key", "/EF",
          lambda: p.catalog_pdf(b"/AF [6 0 R] ",
                                [b"<< /Type /Filespec /F (notes.txt) /EF << >> >>"]),
          "embedded_file"),
    _case("key", "/XFA", pdfs.xfa_form_pdf, "active_content"),
    _case("key", "/AcroForm", lambda: p.catalog_pdf(b"/AcroForm << /Fields [] >> "), None),
    _case("type", "/FileAttachment", pdfs.file_attachment_annotation_pdf, "embedded_file"),
    _case("type", "/EmbeddedFile",
          lambda: p.catalog_pdf(b"", [pdfs.stream(b"/Type /EmbeddedFile", b"MZ")]),
          "embedded_file"),
    _case("type", "/RichMedia",
          lambda: p.annotation_pdf(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"),
          "active_content"),
    _case("type", "/3D",
          lambda: p.annotation_pdf(b"<< /Type /Annot /Subtype /3D /Rect [0 0 9 9] >>"),
          "active_content"),
    _case("link", "http", lambda: p.link_pdf(b"(http://example.org/mla)"), None),
    _case("link", "https", lambda: p.link_pdf(b"(https://example.org/mla)"), None),
    _case("link", "mailto", lambda: p.link_pdf(b"(mailto:oia@example.org)"), None),
    _case("link", NO_ADDRESS, lambda: p.link_pdf(b"()"), None),
    _case("link", "javascript", _js_link, "link_script", page=2),
    _case("link", "vbscript", lambda: p.link_pdf(b"(VBScript:MsgBox\\(1\\))"), "link_script",
          page=2),
    _case("link", "file", lambda: p.link_pdf(b"(file:///C:/Windows/System32/calc.exe)"),
          "link_file", page=2),
    _case("link", NO_SCHEME, lambda: p.link_pdf(b"(\\\\\\\\attacker\\\\share\\\\x.pdf)"),
          "link_file", "link: a network path (\\\\server\\share)", page=2),
    _case("link", OTHER_SCHEME, lambda: p.link_pdf(b"(ms-msdt:/id PCWDiagnostic)"),
          "link_other", "link: ms-msdt:", page=2),
    _case("submit", "http", lambda: p.latex_form_pdf(b"(http://forms.example.org/submit)"),
          None),
    _case("submit", "https", p.latex_form_pdf, None),
    _case("submit", "mailto", lambda: p.latex_form_pdf(b"(mailto:oia@example.org)"), None),
    _case("submit", NO_ADDRESS, lambda: p.latex_form_pdf(b"()"), None,
          "submit: hyperref's Form without an action"),
    _case("submit", OTHER_SCHEME, lambda: p.latex_form_pdf(b"(file:///C:/forms/out.fdf)"),
          "submit_target", "submit: to a file"),
]

EXTRA_CASES = [
    Case("javascript: address run when the document opens",
         lambda: p.open_action_pdf(b"<< /S /URI /URI (javascript:app.alert\\(1\\)) >>"),
         "javascript"),
    Case("file: address run when the document opens",
         lambda: p.open_action_pdf(b"<< /S /URI /URI (file:///etc/passwd) >>"), "launch_action"),
    Case("javascript: with mixed case, a leading space and a tab",
         lambda: p.link_pdf(b"( JaVa\\tScRiPt:alert\\(1\\))"), "link_script", {"page": 2}),
    Case("javascript: written as a hex string",
         lambda: p.link_pdf(b"<6a6176617363726970743a616c657274283129>"), "link_script",
         {"page": 2}),
    Case("a web link chained (/Next) to a javascript: link",
         lambda: p.link_action_pdf(b"<< /S /URI /URI (https://example.org/) "
                                   b"/Next << /S /URI /URI (javascript:x\\(\\)) >> >>"),
         "link_script", {"page": 2}),
    Case("a file: link in a widget's additional action",
         lambda: p.two_pages(b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (b) "
                             b"/Rect [0 0 9 9] /AA << /U << /S /URI /URI (file:///x) >> >> >>"),
         "link_file", {"page": 2}),
    Case("a Windows drive path", lambda: p.link_pdf(b"(C:\\\\Users\\\\x.exe)"), "link_file",
         {"page": 2}),
    Case("a LaTeX form whose submit address is a plain string",
         lambda: p.latex_form_pdf(b"(https://forms.example.org/s)", file_spec=False), None),
    Case("a javascript: submit address",
         lambda: p.latex_form_pdf(b"(javascript:this.print\\(\\))"), "submit_target"),
    Case("an honest Flate image of 100 x 100 pixels", p.flate_image_pdf, None),
    Case("a real JPEG photo", p.real_jpeg_pdf, None),
    Case("a JPEG whose frame is as declared", lambda: p.jpeg_pdf(100, 100), None),
    Case("a JPEG declared 100 x 100 whose frame is 60,000 x 60,000",
         lambda: p.jpeg_pdf(60_000, 60_000), "image_too_large", {"max": 256}),
    Case("a JPEG 2000 declared 100 x 100 whose SIZ says 60,000 x 60,000",
         lambda: p.jpx_pdf(60_000, 60_000), "image_too_large", {"max": 256}),
    Case("a JPEG 2000 whose SIZ is as declared", lambda: p.jpx_pdf(100, 100), None),
    Case("a JBIG2 image declared 100 x 100 whose page is 200,000 x 200,000",
         lambda: p.jbig2_pdf(200_000, 200_000), "image_too_large", {"max": 256}),
    Case("a CCITT fax image of 30 million rows", lambda: p.ccitt_pdf(30_000_000),
         "image_too_large", {"max": 256}),
    Case("a CCITT fax image as declared", lambda: p.ccitt_pdf(100), None),
    Case("an image that inflates to 300 MB behind an ASCIIHex filter",
         lambda: p.inflating_image_pdf(300, hex_first=True), "image_too_large", {"max": 256}),
    Case("an image declared 10,000 x 10,000 (300 MB of samples)",
         lambda: p.inflating_image_pdf(1, width=10_000, height=10_000), "image_too_large",
         {"max": 256}),
    Case("an inline image that inflates to 300 MB",
         lambda: p.inline_image_pdf(bomb_stream_data(300)), "image_too_large", {"max": 256}),
    Case("an inline image that inflates to 300 MB, in an unfiltered content stream",
         lambda: p.inline_image_pdf(bomb_stream_data(300), flate_content=False),
         "image_too_large", {"max": 256}),
    Case("an honest inline image", lambda: p.inline_image_pdf(zlib.compress(b"\x80" * 30_000)),
         None),
    Case("an image inflating to 3 MB, limit 2 MB", lambda: p.inflating_image_pdf(3),
         "image_too_large", {"max": 2}, limits={"image_max_mb": 2}),
    Case("an image inflating to 3 MB, limit 4 MB", lambda: p.inflating_image_pdf(3), None,
         limits={"image_max_mb": 4}),
]

CASES = RULE_CASES + EXTRA_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_the_policy_decides_each_file(case: Case) -> None:
    result = inspect_pdf(case.make(), **{**LIMITS, **case.limits})  # type: ignore[arg-type]
    if case.code is None:
        assert isinstance(result, PdfReport), f"{case.label} was refused: {result}"
        return
    assert isinstance(result, Rejection), f"{case.label} was accepted: {result}"
    assert (result.code, dict(result.params)) == (case.code, case.params), result.detail
    assert result.message == MESSAGES[case.code]
    assert "%(" not in result.render()  # every parameter of the message was given


def test_a_link_names_its_page_in_the_message() -> None:
    result = inspect_pdf(_js_link(), **LIMITS)  # type: ignore[arg-type]
    assert isinstance(result, Rejection)
    assert result.render().startswith("The link on page 2 runs a script (a javascript: "
                                      "address), which is not allowed.")
    assert "javascript:app.alert(1)" in result.detail


@pytest.mark.parametrize(("hidden", "found_by"), [
    (b"99 0 obj\n<< /S /U#52I /U#52I (javascript:alert\\(1\\)) >>\nendobj\n", "link to"),
    (b"% << /S /URI /URI <6a6176617363726970743a616c657274283129> >>\n", "in the raw bytes"),
], ids=["an object the xref does not list", "a comment only the raw scan reads"])
def test_a_hidden_javascript_link_in_a_repaired_file_is_refused(hidden: bytes,
                                                                 found_by: str) -> None:
    # startxref is wrong, so the file is repaired; the link's names are escaped or the link
    # is where no parser looks: the walk of the repaired file or the raw scan finds it
    data = pdfs.build(pdfs.page_objects(), startxref_shift=-40)
    result = inspect_pdf(data.replace(b"xref\n", hidden + b"xref\n", 1),
                         **LIMITS)  # type: ignore[arg-type]
    assert isinstance(result, Rejection) and result.code == "javascript", result
    assert found_by in result.detail


def test_every_rule_of_the_table_has_its_case() -> None:
    cases = {case.rule: case for case in RULE_CASES}
    for rule in RULES:
        case = cases.get((rule.kind, rule.match))
        assert case is not None, f"no case for the rule {rule}"
        expected = rule.reason.code if rule.reason else None
        assert case.code == expected, (rule, case.label)
    assert len(cases) == len(RULES)


def test_every_reason_is_reached_by_a_case() -> None:
    assert {case.code for case in CASES} - {None} == set(MESSAGES)


def test_every_message_is_marked_for_translation() -> None:
    path = Path(pdf_policy.__file__)
    marked = {message for _line, message, _comments, _context in
              extract_from_file("python", str(path), keywords={"N_": None})}
    assert set(MESSAGES.values()) <= marked
    assert len(set(MESSAGES.values())) == len(MESSAGES)


def test_links_and_submits_share_one_reason_each_way() -> None:
    # a refused address has a reason on a page and one elsewhere; an allowed one has none
    for rule in RULES:
        if rule.kind == "link":
            assert (rule.reason is None) == (rule.elsewhere is None) == (rule.verdict == "allow")
            if rule.reason:
                assert "%(page)d" in rule.reason.message
                assert rule.elsewhere and "%(" not in rule.elsewhere.message


def test_docs_security_lists_the_policy() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md").read_text()
    section = text.split("## PDF policy", 1)[1].split("\n## ", 1)[0]
    missing = [code for code in MESSAGES if f"`{code}`" not in section]
    missing += [rule.match for rule in RULES
                if rule.kind in ("action", "action_file", "key", "type", "link", "submit")
                and rule.match not in (NO_ADDRESS, NO_SCHEME, OTHER_SCHEME)
                and f"`{rule.match}" not in section]
    assert missing == []
