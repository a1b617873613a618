"""Is an uploaded file a plain, safe PDF? :func:`inspect_pdf` answers with a report or a
rejection (a reason code, an untranslated message with its parameters, and a technical detail
for the logs only)."""

# Two stages:
# 1. Byte checks here, in the calling process: the file must begin with %PDF- (anything before
#    it makes a polyglot: a file that is also HTML, a ZIP, an image...), must end with %%EOF
#    followed by at most a little whitespace (otherwise it is truncated, or something is
#    appended: a ZIP after a PDF is read by both kinds of tools), must not carry a ZIP end record
#    whose comment swallows the PDF's tail, and its first KiB must not contain HTML.
# 2. The parse, in a separate Python process (portal.attachments._sandbox) started for this file
#    with an empty environment, limited in address space (RLIMIT_AS), CPU time, file writes and
#    child processes, and killed after time_limit seconds of wall-clock time: nothing pypdf does
#    with a hostile file (recursion, decompression bombs, huge page trees, pathological object
#    graphs) can hang the web worker or take its memory. `-I` also implies `-P`: the script's
#    directory (with this module, named like the standard library's inspect) is not put on the
#    child's path. The child is given the PDF policy's matchers (pdf_policy.checker_policy) as
#    JSON; the reasons it answers with are the policy's.

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.attachments.pdf_policy import MESSAGES, checker_policy

log = logging.getLogger(__name__)

SANDBOX_SCRIPT = Path(__file__).resolve().with_name("_sandbox.py")
#: Bytes that may follow the last ``%%EOF`` (whitespace and NUL only).
TRAILING_TOLERANCE = 1024
HEAD_WINDOW = 1024
DEFAULT_MEMORY_MB = 512
DEFAULT_IMAGE_MAX_MB = 256
_VERSION = re.compile(rb"%PDF-[12]\.[0-9]")
_HTML = re.compile(rb"<\s*(?:html|script|body|head|iframe|svg|object|embed|!doctype|\?php)",
                   re.IGNORECASE)
_WHITESPACE = b" \t\r\n\f\x00"


@dataclass(frozen=True)
class Rejection:
    """Why a file was refused. ``message % params`` after translation is what the user sees."""

    code: str
    message: str
    params: Mapping[str, int] = field(default_factory=dict)
    detail: str = ""

    def render(self, gettext: Any = None) -> str:
        """The message, translated with ``gettext`` when given, with its parameters."""
        text = gettext(self.message) if gettext is not None else self.message
        return str(text % dict(self.params)) if self.params else str(text)


@dataclass(frozen=True)
class PdfReport:
    pages: int
    #: pypdf had to repair the file (wrong cross-reference offsets and the like) and the
    #: repaired document then passed every check.
    repaired: bool = False
    elapsed_ms: float = 0.0


def reject(code: str, detail: str = "", **params: int) -> Rejection:
    return Rejection(code, MESSAGES[code], params, detail)


def check_bytes(data: bytes) -> Rejection | None:
    """The checks on the raw bytes (stage 1): header, tail, polyglots."""
    head = data[:HEAD_WINDOW]
    start = head.find(b"%PDF-")
    if start < 0:
        return reject("not_pdf", "no %PDF- header in the first KiB")
    if start > 0:
        return reject("polyglot", f"{start} bytes before the %PDF- header")
    if not _VERSION.match(data):
        return reject("not_pdf", "malformed %PDF- header")
    if _HTML.search(head):
        return reject("polyglot", "HTML markup in the first KiB")
    end = data.rfind(b"%%EOF")
    if end < 0:
        return reject("damaged", "no %%EOF marker: the file is truncated")
    trailing = data[end + 5:]
    if trailing.strip(_WHITESPACE) or len(trailing) > TRAILING_TOLERANCE:
        return reject("polyglot", f"{len(trailing)} bytes after the last %%EOF")
    if _zip_end_record_reaches_end(data):
        return reject("polyglot", "a ZIP end-of-central-directory record covers the file's end")
    return None


def _zip_end_record_reaches_end(data: bytes) -> bool:
    window_start = max(0, len(data) - (65_535 + 22 + TRAILING_TOLERANCE))
    position = data.rfind(b"PK\x05\x06", window_start)
    while position >= 0:
        if position + 22 <= len(data):
            comment = int.from_bytes(data[position + 20:position + 22], "little")
            if position + 22 + comment >= len(data) - TRAILING_TOLERANCE:
                return True
        position = data.rfind(b"PK\x05\x06", window_start, position)
    return False


def inspect_pdf(data: bytes, *, max_pages: int, time_limit: float,
                memory_mb: int = DEFAULT_MEMORY_MB,
                image_max_mb: int = DEFAULT_IMAGE_MAX_MB) -> PdfReport | Rejection:
    """Check an uploaded file against the PDF policy (:mod:`.pdf_policy`). Never raises for any
    content; returns within ``time_limit`` seconds (plus the time to kill and reap the checking
    process)."""
    started = time.perf_counter()
    rejection = check_bytes(data)
    if rejection is not None:
        return rejection
    verdict = _run_sandbox(data, max_pages=max_pages, time_limit=time_limit,
                           memory_mb=memory_mb, image_max_mb=image_max_mb)
    if isinstance(verdict, Rejection):
        return verdict
    if not verdict.get("ok"):
        code = str(verdict.get("code", "damaged"))
        if code not in MESSAGES:
            code = "damaged"
        params = {str(k): int(v) for k, v in dict(verdict.get("params") or {}).items()}
        return Rejection(code, MESSAGES[code], params, str(verdict.get("detail", ""))[:300])
    return PdfReport(pages=int(verdict["pages"]), repaired=bool(verdict.get("repaired")),
                     elapsed_ms=(time.perf_counter() - started) * 1000)


def _run_sandbox(data: bytes, *, max_pages: int, time_limit: float, memory_mb: int,
                 image_max_mb: int) -> dict[str, Any] | Rejection:
    cpu_seconds = max(1, int(time_limit + 0.999))
    policy = json.dumps(checker_policy(image_max_bytes=image_max_mb << 20))
    command = [sys.executable, "-I", str(SANDBOX_SCRIPT), str(max_pages), str(memory_mb),
               str(cpu_seconds), str(os.getpid()), policy]
    timeout = reject("timeout", f"no verdict within {time_limit} s",
                     seconds=max(1, round(time_limit)))
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={"LC_ALL": "C.UTF-8"}, cwd="/",
                          close_fds=True, start_new_session=True) as process:
        try:
            out, err = process.communicate(data, timeout=time_limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            log.warning("PDF check killed after %s s", time_limit)
            return timeout
        except BaseException:
            # The request was interrupted (the worker stopping, a signal, a failed write to a
            # checker that died): the checker goes with it, before Popen's exit waits for it.
            process.kill()
            raise
    try:
        verdict = json.loads(out.decode("utf-8")) if out else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        verdict = None
    if isinstance(verdict, dict):
        return verdict
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return timeout
    log.warning("PDF check failed (exit %s): %s", process.returncode,
                err.decode("utf-8", "replace")[-500:])
    return reject("too_complex", f"checker exited with {process.returncode} and no verdict")
