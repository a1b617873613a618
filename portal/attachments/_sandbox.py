"""The PDF check that runs in a separate, resource-limited Python process: reads the file from
stdin, writes ``{"ok": true, "pages": N, "repaired": BOOL}`` or ``{"ok": false, "code": CODE,
"params": {...}, "detail": TEXT}`` to stdout. What it refuses is the PDF policy
(portal.attachments.pdf_policy), handed over as JSON."""

# Run by portal.attachments.inspect as
# `python -I <this file> MAX_PAGES MEMORY_MB CPU_S PARENT POLICY_JSON` with an empty environment
# (no settings, no keys reach the process that parses hostile input). It imports only the
# standard library, pypdf and two modules of its own folder written with those alone
# (pdf_matching, pdf_images), and limits itself before reading the file: address space
# (RLIMIT_AS), CPU seconds, no files written, no core dumps, no child processes.
# The parent adds a wall-clock timeout and kills the process when it is exceeded. It also dies
# with the thread of PARENT that started it (Linux's parent-death signal): a gunicorn worker
# killed past its timeout, or any other way, leaves no checker running on as an orphan.
#
# What "parses fully" means (also for a file whose cross-reference table pypdf had to repair):
# every object listed in the cross-reference data resolves, the page tree is a tree (no cycles,
# no page twice) with at least one page and at most MAX_PAGES, the outline has no cycles, and every
# stream that is not an image decodes within pypdf's output limits, and every image within the
# image limit (portal.attachments.pdf_images: by what it decodes to, not only what it declares).
# A file that pypdf parses only with repairs (wrong offsets, broken startxref) is accepted when
# all of this holds, and its raw bytes and decoded streams are then also scanned for the names of
# forbidden features (with #xx escapes undone) and for link addresses, so that an object pypdf's
# repair did not see cannot hide them.

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import logging
import os
import re
import resource
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    # Encrypted files are refused, never decrypted: keep the crypto back ends out of the
    # sandbox process (less code reachable from hostile input).
    sys.modules.setdefault("cryptography", None)  # type: ignore[arg-type]
    sys.modules.setdefault("Crypto", None)  # type: ignore[arg-type]
    # `-I` leaves this checkout off the path: put its root first, for the two modules below.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pypdf import PdfReader
from pypdf.errors import DependencyError, LimitReachedError
from pypdf.filters import decode_stream_data
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    StreamObject,
)

from portal.attachments.pdf_images import (
    CODECS,
    image_size,
    inline_images,
    may_hold_inline_images,
)
from portal.attachments.pdf_matching import (
    Policy,
    action_verdict,
    annotation_actions,
    classify,
    dictionary_verdict,
    raw_addresses,
)

_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class Reject(Exception):
    def __init__(self, code: str, detail: str = "", **params: int) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.params = params


class Damaged(Reject):
    def __init__(self, detail: str) -> None:
        super().__init__("damaged", detail)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 50:
            self.messages.append(record.getMessage()[:200])


def _key(value: Any) -> tuple[int, int] | int:
    if isinstance(value, IndirectObject):
        return (value.idnum, value.generation)
    return id(value)


def _resolve(value: Any) -> Any:
    try:
        return value.get_object() if isinstance(value, IndirectObject) else value
    except (MemoryError, RecursionError, LimitReachedError):
        raise
    except Exception as exc:
        raise Damaged(f"object {value!r} does not resolve: {exc}") from exc


def _raw_get(dictionary: DictionaryObject, key: str) -> Any:
    return dict.get(dictionary, key)


def check_pages(root: DictionaryObject, max_pages: int) -> list[Any]:
    """Walk the page tree without recursion; refuse cycles and repeats. The pages in order."""
    pages_ref = _raw_get(root, "/Pages")
    pages = _resolve(pages_ref)
    if not isinstance(pages, DictionaryObject):
        raise Damaged("the catalog has no page tree")
    declared = _resolve(_raw_get(pages, "/Count"))
    if isinstance(declared, int) and declared > max_pages:
        raise Reject("too_many_pages", f"declared {declared}", max=max_pages)
    seen: set[tuple[int, int] | int] = set()
    stack: list[Any] = [pages_ref]
    leaves: list[Any] = []
    nodes = 0
    while stack:
        ref = stack.pop()
        key = _key(ref)
        if key in seen:
            raise Reject("recursive_structure", f"page tree node {ref!r} reached twice")
        seen.add(key)
        node = _resolve(ref)
        if not isinstance(node, DictionaryObject):
            raise Damaged(f"page tree node {ref!r} is not a dictionary")
        nodes += 1
        if nodes > 2 * max_pages + 1000:
            raise Reject("too_many_pages", "too many page tree nodes", max=max_pages)
        kids = _resolve(_raw_get(node, "/Kids"))
        if _raw_get(node, "/Type") == "/Pages" or (kids is not None and
                                                   _raw_get(node, "/Type") != "/Page"):
            if not isinstance(kids, ArrayObject):
                raise Damaged("a page tree node has no /Kids array")
            stack.extend(reversed(list(list.__iter__(kids))))
        else:
            leaves.append(node)
            if len(leaves) > max_pages:
                raise Reject("too_many_pages", f"more than {max_pages} pages", max=max_pages)
    if not leaves:
        raise Reject("no_pages", "the page tree has no page")
    return leaves


def check_links(pages: list[Any], policy: Policy) -> None:
    """The links and submit buttons of each page's annotations, so that a refused address is
    reported with its page number (the walk of every object finds those elsewhere)."""
    for number, page in enumerate(pages, start=1):
        annotations = _resolve(_raw_get(page, "/Annots"))
        if not isinstance(annotations, ArrayObject):
            continue
        for ref in list.__iter__(annotations):
            annotation = _resolve(ref)
            for action in annotation_actions(annotation):
                found = action_verdict(policy, action)
                if found is None:
                    continue
                code, detail = found[0][0], f"{found[1]} on page {number}"
                if code in policy["with_page"]:
                    raise Reject(code, detail, page=number)
                raise Reject(code, detail)


def check_outline(root: DictionaryObject) -> None:
    """The outline (bookmarks) is a tree linked by /First and /Next: refuse cycles."""
    outlines = _resolve(_raw_get(root, "/Outlines"))
    if not isinstance(outlines, DictionaryObject):
        return
    seen: set[tuple[int, int] | int] = set()
    stack: list[Any] = [_raw_get(outlines, "/First")]
    while stack:
        ref = stack.pop()
        if ref is None:
            continue
        key = _key(ref)
        if key in seen:
            raise Reject("recursive_structure", "the outline loops")
        seen.add(key)
        item = _resolve(ref)
        if not isinstance(item, DictionaryObject):
            continue
        stack.append(_raw_get(item, "/Next"))
        stack.append(_raw_get(item, "/First"))


class _Decoder:
    def __init__(self, keep: bool, policy: Policy) -> None:
        self.total = 0
        self.keep = keep
        self.policy = policy
        self.decoded: list[bytes] = []

    def check_image(self, image: StreamObject) -> None:
        width = _resolve(_raw_get(image, "/Width"))
        height = _resolve(_raw_get(image, "/Height"))
        if isinstance(width, int) and isinstance(height, int) and \
                width * height > self.policy["image_max_pixels"]:
            raise Reject("decompression_bomb", f"image of {width}x{height} pixels")
        limit = int(self.policy["image_max_bytes"])
        size = image_size(image, limit)
        if size > limit:
            raise Reject("image_too_large", f"an image of {width}x{height} pixels decodes to "
                         f"more than {size} bytes", max=limit >> 20)

    def check_inline_images(self, stream: StreamObject, data: bytes) -> None:
        if may_hold_inline_images(stream, data):
            for image in inline_images(data):
                self.check_image(image)

    def check(self, stream: StreamObject) -> None:
        if _raw_get(stream, "/Subtype") == "/Image":
            self.check_image(stream)
            return
        if not isinstance(stream, EncodedStreamObject):
            self.check_inline_images(stream, stream.get_data())
            return
        filters = _resolve(_raw_get(stream, "/Filter"))
        names = list(filters) if isinstance(filters, ArrayObject) else [filters]
        if any(name in CODECS for name in names):  # image data, even if not marked as an image
            return
        try:
            data = decode_stream_data(stream)
        except LimitReachedError as exc:
            if "Recovery" in str(exc):  # pypdf gave up repairing invalid compressed data
                raise Damaged(f"a stream does not decode: {exc}") from exc
            raise Reject("decompression_bomb", str(exc)[:200]) from exc
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:
            raise Damaged(f"a stream does not decode: {exc}") from exc
        size = len(data) if isinstance(data, bytes | bytearray) else 0
        self.total += size
        if self.total > self.policy["max_total_decoded"]:
            raise Reject("decompression_bomb", f"streams decode to more than {self.total} bytes")
        if isinstance(data, bytes | bytearray):
            self.check_inline_images(stream, bytes(data))
        if self.keep and isinstance(data, bytes | bytearray):
            self.decoded.append(bytes(data))


def check_objects(reader: PdfReader, decoder: _Decoder, policy: Policy) -> int:
    """Visit every object: those in the cross-reference data and all they refer to."""
    refs: list[Any] = [reader.trailer]
    for generation, table in reader.xref.items():
        refs.extend(IndirectObject(idnum, generation, reader) for idnum in table)
    refs.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    seen: set[tuple[int, int] | int] = set()
    stack = refs
    count = 0
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            key = _key(value)
            if key in seen:
                continue
            seen.add(key)
            stack.append(_resolve(value))
            continue
        if isinstance(value, DictionaryObject):
            count += 1
            refused = dictionary_verdict(policy, value)
            if refused is not None:
                raise Reject(*refused)
            if isinstance(value, StreamObject):
                decoder.check(value)
            stack.extend(dict.values(value))
        elif isinstance(value, ArrayObject):
            stack.extend(list.__iter__(value))
    return count


def _names(blob: bytes) -> Iterator[tuple[str, int]]:
    """The names in raw PDF bytes (#xx escapes undone) and where each ends."""
    for match in _NAME.finditer(blob):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        yield name.decode("latin-1"), match.end()


def scan_names(blobs: list[bytes], policy: Policy) -> None:
    """Look for forbidden feature names and link addresses in raw bytes (a repaired file's
    safety net)."""
    raw_names: dict[str, str] = policy["raw_names"]
    for blob in blobs:
        uri_ends = []
        for name, end in _names(blob):
            code = raw_names.get(name)
            if code is not None:
                raise Reject(code, f"name /{name} in the raw bytes")
            if name == "URI":
                uri_ends.append(end)
        for address in raw_addresses(blob, iter(uri_ends)):
            codes = classify(policy, "links", address)
            if codes is not None:
                raise Reject(codes[1], f"link to {address[:80]!r} in the raw bytes")


def _analyse(data: bytes, max_pages: int, policy: Policy, *, strict: bool) -> dict[str, Any]:
    collector = _Collector()
    logger = logging.getLogger("pypdf")
    logger.addHandler(collector)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                reader = PdfReader(io.BytesIO(data), strict=strict)
            except (MemoryError, RecursionError, LimitReachedError):
                raise
            except DependencyError as exc:
                # The only dependency missing here is the AES back end, which pypdf wants as
                # soon as it meets an AES-encrypted file.
                raise Reject("encrypted", str(exc)) from exc
            except Exception as exc:
                raise Damaged(f"pypdf cannot read it: {exc}") from exc
            if reader.is_encrypted or "/Encrypt" in reader.trailer:
                raise Reject("encrypted", "the trailer has /Encrypt")
            root = _resolve(_raw_get(reader.trailer, "/Root"))
            if not isinstance(root, DictionaryObject):
                raise Damaged("no document catalog")
            pages = check_pages(root, max_pages)
            check_links(pages, policy)
            repaired = not strict or bool(collector.messages) or bool(caught)
            decoder = _Decoder(keep=repaired, policy=policy)
            count = check_objects(reader, decoder, policy)
            check_outline(root)
            repaired = repaired or bool(collector.messages) or bool(caught)
            if repaired:
                scan_names([data, *decoder.decoded], policy)
        return {"ok": True, "pages": len(pages), "repaired": repaired, "objects": count,
                "warnings": collector.messages[:10]}
    finally:
        logger.removeHandler(collector)


def analyse(data: bytes, max_pages: int, policy: Policy) -> dict[str, Any]:
    """Check ``data`` against ``policy``; the verdict as the JSON-ready dictionary described
    above."""
    try:
        try:
            return _analyse(data, max_pages, policy, strict=True)
        except Damaged:
            return _analyse(data, max_pages, policy, strict=False)
    except Reject as reject:
        return {"ok": False, "code": reject.code, "params": reject.params,
                "detail": reject.detail[:300]}
    except (MemoryError, RecursionError) as exc:
        return {"ok": False, "code": "too_complex", "params": {}, "detail": type(exc).__name__}
    except LimitReachedError as exc:
        return {"ok": False, "code": "too_complex", "params": {}, "detail": str(exc)[:300]}
    except Exception as exc:
        return {"ok": False, "code": "damaged", "params": {},
                "detail": f"{type(exc).__name__}: {exc}"[:300]}


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    # A check yields the CPU to the web servers on the same machine: SCHED_IDLE, so that a
    # waking web worker preempts it at once and a core running only checks counts as free;
    # nice 19 where that policy is refused. The checker runs in a session of its own, which
    # Linux's autogroup scheduling makes a group of its own, as large as the whole web
    # server's, so the group's nice is lowered too.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError):
        with contextlib.suppress(OSError):
            os.nice(19)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write("19")
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(ValueError, OSError):  # not lowerable on some systems
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


#: prctl(2) option: the signal this process gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Be killed when the starting thread of process ``parent`` ends; exit at once if it
    already has (this process was then given to another parent)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the wall-clock limit stays
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        sys.exit(3)


def main(argv: list[str]) -> int:
    max_pages, memory_mb, cpu_seconds, parent = (int(arg) for arg in argv[1:5])
    policy = json.loads(argv[5])
    die_with_parent(parent)
    limit_resources(memory_mb, cpu_seconds)
    data = sys.stdin.buffer.read()
    verdict = analyse(data, max_pages, policy)
    sys.stdout.write(json.dumps(verdict))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
