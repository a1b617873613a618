"""The PDF upload policy as data: every rule an uploaded PDF is judged by, with what it matches,
its verdict, and the reason (code and untranslated message) a refused file is given.
:mod:`portal.attachments.inspect` takes its messages from here and hands the checking process
(:mod:`portal.attachments._sandbox`) :func:`checker_policy`, the same table as JSON; the table
is documented in docs/SECURITY.md ("PDF policy")."""

# Why these verdicts: a PDF is read by OIA staff in ordinary viewers, so whatever a viewer runs
# or opens by itself (scripts, programs, other files, local or network paths) is refused, and
# what is only data (text, images of sane size, form fields, web and e-mail links, a submit
# button that posts to a web address) is accepted. The checking process cannot import this
# module (it would pull in Babel): it gets the matchers as JSON and the reason codes back.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from portal.i18n_core import N_

Kind = Literal["file", "structure", "stream", "image", "action", "action_file", "key", "type",
               "link", "submit"]
Verdict = Literal["refuse", "allow"]

#: A declared image larger than this (pixels) is refused whatever its data: a viewer allocates
#: what the image declares.
MAX_IMAGE_PIXELS = 400_000_000
#: The decoded size of all streams that are not images, together.
MAX_TOTAL_DECODED = 1_000_000_000
#: ``match`` of the link and submit rules for an address without a scheme (a relative path,
#: resolved next to the file, or a network path such as ``\\server\share``).
NO_SCHEME = "(no scheme)"
#: ``match`` of the rule for every scheme the table does not name.
OTHER_SCHEME = "(any other scheme)"
#: ``match`` of the link and submit rules for an empty address (a button that does nothing).
NO_ADDRESS = "(empty)"


@dataclass(frozen=True)
class Reason:
    """Why a file is refused: a stable code (logs, audit) and the message the user reads."""

    code: str
    message: str


@dataclass(frozen=True)
class Rule:
    kind: Kind
    #: A PDF name (``/Launch``), a URI scheme (``javascript``), or a description.
    match: str
    verdict: Verdict
    reason: Reason | None = None
    #: For links: the reason when the address is not in a link on a page (the action the
    #: document runs when opened, a bookmark), where there is no page to name.
    elsewhere: Reason | None = None


NOT_PDF = Reason("not_pdf", N_(
    "The file is not a PDF document. Upload the document as a PDF file."))
POLYGLOT = Reason("polyglot", N_(
    "The file contains other data besides the PDF document (it is also another kind of file). "
    "Save or print the document again as a PDF and upload that file."))
DAMAGED = Reason("damaged", N_(
    "The PDF file is damaged or incomplete. Open it, save or print it again as a PDF and upload "
    "the new file."))
ENCRYPTED = Reason("encrypted", N_(
    "The PDF is encrypted or protected by a password. Remove the protection and upload it "
    "again."))
JAVASCRIPT = Reason("javascript", N_(
    "The PDF contains JavaScript, which is not allowed. Print it to a new PDF to remove the "
    "script and upload that file."))
LAUNCH_ACTION = Reason("launch_action", N_(
    "The PDF contains an action that starts a program or opens another file, which is not "
    "allowed. Print it to a new PDF and upload that file."))
EMBEDDED_FILE = Reason("embedded_file", N_(
    "The PDF contains embedded files (attachments inside the PDF), which are not allowed. "
    "Upload each document as a separate PDF."))
ACTIVE_CONTENT = Reason("active_content", N_(
    "The PDF contains interactive content (an XFA form or multimedia), which is not allowed. "
    "Print it to a new PDF and upload that file."))
LINK_SCRIPT = Reason("link_script", N_(
    "The link on page %(page)d runs a script (a javascript: address), which is not allowed. "
    "Remove the link, or print the document to a new PDF, and upload that file."))
LINK_FILE = Reason("link_file", N_(
    "The link on page %(page)d opens a file on the reader's computer or network (a file: "
    "address or a network path), which is not allowed. Remove the link, or print the document "
    "to a new PDF, and upload that file."))
LINK_OTHER = Reason("link_other", N_(
    "The link on page %(page)d is neither a web nor an e-mail address and can start another "
    "program, which is not allowed. Remove the link, or print the document to a new PDF, and "
    "upload that file."))
SUBMIT_TARGET = Reason("submit_target", N_(
    "The PDF contains a form whose button sends the data somewhere other than a web or e-mail "
    "address, which is not allowed. Remove the button, or print the document to a new PDF, and "
    "upload that file."))
TOO_MANY_PAGES = Reason("too_many_pages", N_(
    "The PDF has more than %(max)d pages. Split it into several files."))
NO_PAGES = Reason("no_pages", N_("The PDF has no pages."))
RECURSIVE_STRUCTURE = Reason("recursive_structure", N_(
    "The PDF's internal structure loops back on itself. Save or print it again as a PDF and "
    "upload the new file."))
DECOMPRESSION_BOMB = Reason("decompression_bomb", N_(
    "The PDF contains compressed data that expands to an unreasonable size. Save or print it "
    "again as a PDF and upload the new file."))
IMAGE_TOO_LARGE = Reason("image_too_large", N_(
    "The PDF contains an image that takes more than %(max)d MB once decompressed. Save or scan "
    "the document again at a lower resolution and upload the new file."))
TOO_COMPLEX = Reason("too_complex", N_(
    "The PDF is too complex to be checked safely. Save or print it again as a PDF and upload "
    "the new file."))
TIMEOUT = Reason("timeout", N_(
    "The PDF could not be checked within %(seconds)d seconds. Save or print it again as a PDF, "
    "or split it, and upload the new file."))


def _refuse(kind: Kind, match: str, reason: Reason, elsewhere: Reason | None = None) -> Rule:
    return Rule(kind, match, "refuse", reason, elsewhere)


def _allow(kind: Kind, match: str) -> Rule:
    return Rule(kind, match, "allow")


#: The policy. Rules of kinds ``file``, ``structure``, ``stream`` and ``image`` are checks made
#: in code (their thresholds are the constants above and the settings); the others are matched
#: by name: ``action`` on an action's ``/S``, ``action_file`` on an action of that type that
#: names another file (``/F``), ``key`` on a dictionary key, ``type`` on a ``/Type`` or
#: ``/Subtype`` value, ``link`` on the scheme of a ``/URI`` action's address, ``submit`` on the
#: scheme of a ``/SubmitForm`` action's address.
RULES: tuple[Rule, ...] = (
    _refuse("file", "no %PDF- header", NOT_PDF),
    _refuse("file", "data before %PDF- or after %%EOF, HTML in the first KiB, a ZIP end record",
            POLYGLOT),
    _refuse("file", "truncated, or does not parse fully even once repaired", DAMAGED),
    _refuse("file", "encrypted (/Encrypt)", ENCRYPTED),
    _refuse("structure", "more pages than PORTAL_MAX_PDF_PAGES", TOO_MANY_PAGES),
    _refuse("structure", "no page", NO_PAGES),
    _refuse("structure", "a page tree or outline that loops", RECURSIVE_STRUCTURE),
    _refuse("structure", "nesting or object graphs beyond the checker's memory",
            TOO_COMPLEX),
    _refuse("structure", "not checked within PORTAL_UPLOAD_TIME_LIMIT_SECONDS", TIMEOUT),
    _refuse("stream", "streams other than images decode to more than 1 GB together",
            DECOMPRESSION_BOMB),
    _refuse("image", "declares more than 400,000,000 pixels", DECOMPRESSION_BOMB),
    _refuse("image", "decodes to more than PORTAL_MAX_IMAGE_MB", IMAGE_TOO_LARGE),
    _refuse("action", "/JavaScript", JAVASCRIPT),
    _refuse("action", "/Launch", LAUNCH_ACTION),
    _refuse("action", "/GoToR", LAUNCH_ACTION),
    _refuse("action", "/ImportData", LAUNCH_ACTION),
    _refuse("action", "/GoToE", EMBEDDED_FILE),
    _refuse("action", "/RichMediaExecute", ACTIVE_CONTENT),
    _refuse("action", "/Rendition", ACTIVE_CONTENT),
    _refuse("action", "/Movie", ACTIVE_CONTENT),
    _refuse("action", "/Sound", ACTIVE_CONTENT),
    _refuse("action_file", "/Thread", LAUNCH_ACTION),
    _allow("action", "/URI"),
    _allow("action", "/SubmitForm"),
    _allow("action", "/ResetForm"),
    _allow("action", "/GoTo"),
    _allow("action", "/Named"),
    _allow("action", "/Hide"),
    _allow("action", "/SetOCGState"),
    _refuse("key", "/JS", JAVASCRIPT),
    _refuse("key", "/JavaScript", JAVASCRIPT),
    _refuse("key", "/EmbeddedFiles", EMBEDDED_FILE),
    _refuse("key", "/EF", EMBEDDED_FILE),
    _refuse("key", "/XFA", ACTIVE_CONTENT),
    _allow("key", "/AcroForm"),
    _refuse("type", "/FileAttachment", EMBEDDED_FILE),
    _refuse("type", "/EmbeddedFile", EMBEDDED_FILE),
    _refuse("type", "/RichMedia", ACTIVE_CONTENT),
    _refuse("type", "/3D", ACTIVE_CONTENT),
    _allow("link", "http"),
    _allow("link", "https"),
    _allow("link", "mailto"),
    _allow("link", NO_ADDRESS),
    _refuse("link", "javascript", LINK_SCRIPT, JAVASCRIPT),
    _refuse("link", "vbscript", LINK_SCRIPT, JAVASCRIPT),
    _refuse("link", "file", LINK_FILE, LAUNCH_ACTION),
    _refuse("link", NO_SCHEME, LINK_FILE, LAUNCH_ACTION),
    _refuse("link", OTHER_SCHEME, LINK_OTHER, LAUNCH_ACTION),
    _allow("submit", "http"),
    _allow("submit", "https"),
    _allow("submit", "mailto"),
    _allow("submit", NO_ADDRESS),
    _refuse("submit", OTHER_SCHEME, SUBMIT_TARGET),
)


def _reasons() -> dict[str, Reason]:
    found: dict[str, Reason] = {}
    for rule in RULES:
        for reason in (rule.reason, rule.elsewhere):
            if reason is not None:
                found.setdefault(reason.code, reason)
    return found


REASONS: Mapping[str, Reason] = MappingProxyType(_reasons())
#: Every reason a PDF can be refused for, with its user message (untranslated).
MESSAGES: Mapping[str, str] = MappingProxyType({c: r.message for c, r in REASONS.items()})


def _names(kind: Kind) -> dict[str, str | None]:
    return {rule.match: rule.reason.code if rule.reason else None
            for rule in RULES if rule.kind == kind}


def _schemes(kind: Kind) -> dict[str, list[str] | None]:
    return {rule.match: [rule.reason.code, (rule.elsewhere or rule.reason).code]
            if rule.reason else None for rule in RULES if rule.kind == kind}


def checker_policy(*, image_max_bytes: int) -> dict[str, Any]:
    """The matchers of the table as JSON for the checking process. Names map to a reason code
    (refused) or null (allowed); schemes to ``[code on a page, code elsewhere]`` or null;
    ``raw_names`` are the refused names looked for in the raw bytes of a repaired file;
    ``with_page`` the codes whose message names the page."""
    refused = {name: code for kind in ("action", "key", "type")
               for name, code in _names(kind).items() if code is not None}
    return {
        "actions": _names("action"),
        "actions_with_file": _names("action_file"),
        "keys": _names("key"),
        "types": _names("type"),
        "links": _schemes("link"),
        "submits": _schemes("submit"),
        "no_address": NO_ADDRESS,
        "no_scheme": NO_SCHEME,
        "other_scheme": OTHER_SCHEME,
        "raw_names": {name.lstrip("/"): code for name, code in refused.items()},
        "with_page": sorted(c for c, message in MESSAGES.items() if "%(page)d" in message),
        "image_max_bytes": image_max_bytes,
        "image_max_pixels": MAX_IMAGE_PIXELS,
        "max_total_decoded": MAX_TOTAL_DECODED,
    }
