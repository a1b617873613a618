"""The PDF policy's matchers applied to one dictionary, address or action: which reason code,
if any, refuses it. The policy is the JSON of :func:`portal.attachments.pdf_policy.
checker_policy`.

Uses only the standard library and pypdf: the sandboxed checker imports it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

Policy = dict[str, Any]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: Characters a URL parser drops: leading and trailing controls and spaces; tabs and newlines
#: anywhere (``java\tscript:`` is ``javascript:`` to a browser).
_STRIPPED = "".join(chr(c) for c in range(0x21))
_DROPPED = re.compile(r"[\t\r\n]")
#: At most this many actions are followed from one annotation (``/Next`` chains).
MAX_CHAIN = 1000


def _get(dictionary: Any, key: str) -> Any:
    value = dict.get(dictionary, key) if isinstance(dictionary, dict) else None
    return value.get_object() if isinstance(value, IndirectObject) else value


def text_of(value: Any) -> str:
    """A PDF string (or anything else) as text; bytes are read as Latin-1."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def scheme_key(policy: Policy, address: str) -> str:
    """The key of an address in the policy's link and submit tables: its scheme in lower case,
    or the markers for an empty address and for one without a scheme (a relative or network
    path, or a Windows drive letter such as ``C:``)."""
    cleaned = _DROPPED.sub("", address).strip(_STRIPPED)
    if not cleaned:
        return str(policy["no_address"])
    match = _SCHEME.match(cleaned)
    if match is None or len(match.group(1)) == 1:
        return str(policy["no_scheme"])
    return match.group(1).lower()


def classify(policy: Policy, table: str, address: str) -> list[str] | None:
    """``[code on a page, code elsewhere]`` when ``table`` (``links`` or ``submits``) refuses
    the address, else None."""
    rules: dict[str, list[str] | None] = policy[table]
    key = scheme_key(policy, address)
    return rules[key] if key in rules else rules[str(policy["other_scheme"])]


def submit_address(action: Any) -> str:
    """Where a ``/SubmitForm`` action sends the form: its ``/F``, a string or a file
    specification (``<< /FS /URL /F (address) >>``, as LaTeX's hyperref writes it)."""
    target = _get(action, "/F")
    if isinstance(target, dict):
        target = _get(target, "/UF") or _get(target, "/F")
    return text_of(target)


def action_verdict(policy: Policy, action: Any) -> tuple[list[str], str] | None:
    """The codes and detail for an action the policy refuses by its address (a link or a
    submit button), else None."""
    kind = _get(action, "/S")
    if kind == "/URI":
        address = text_of(_get(action, "/URI"))
        codes = classify(policy, "links", address)
        return (codes, f"link to {address[:80]!r}") if codes else None
    if kind == "/SubmitForm":
        address = submit_address(action)
        codes = classify(policy, "submits", address)
        return (codes, f"form submitted to {address[:80]!r}") if codes else None
    return None


def dictionary_verdict(policy: Policy, dictionary: DictionaryObject) -> tuple[str, str] | None:
    """The code and detail for a dictionary the policy refuses wherever it is found (by key,
    action type, address, ``/Type`` or ``/Subtype``), else None."""
    for key, code in policy["keys"].items():
        if code is not None and key in dictionary:
            return code, f"key {key}"
    kind = _get(dictionary, "/S")
    if isinstance(kind, str):
        code = policy["actions"].get(kind)
        if code is not None:
            return code, f"action {kind}"
        code = policy["actions_with_file"].get(kind)
        if code is not None and "/F" in dictionary:
            return code, f"action {kind} to another file"
        found = action_verdict(policy, dictionary)
        if found is not None:
            return found[0][1], found[1]
    for key in ("/Subtype", "/Type"):
        value = dict.get(dictionary, key)
        if isinstance(value, str):
            code = policy["types"].get(value)
            if code is not None:
                return code, f"{key} {value}"
    return None


def annotation_actions(annotation: Any) -> Iterator[Any]:
    """The actions of an annotation: ``/A`` and the additional actions ``/AA``, each with the
    actions chained after it by ``/Next``."""
    roots = [_get(annotation, "/A")]
    additional = _get(annotation, "/AA")
    if isinstance(additional, dict):
        roots.extend(_get(additional, key) for key in additional)
    seen: set[int] = set()
    stack = [root for root in roots if root is not None]
    while stack and len(seen) < MAX_CHAIN:
        action = stack.pop()
        if isinstance(action, IndirectObject):
            action = action.get_object()
        if not isinstance(action, dict) or id(action) in seen:
            continue
        seen.add(id(action))
        yield action
        after = _get(action, "/Next")
        stack.extend(list.__iter__(after) if isinstance(after, ArrayObject) else [after])


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f"}


def _literal_string(blob: bytes, at: int, limit: int = 4096) -> bytes:
    """The PDF literal string whose ``(`` is at ``at`` (escapes undone, at most ``limit``)."""
    out = bytearray()
    depth = 0
    index = at
    while index < len(blob) and len(out) < limit:
        char = blob[index]
        if char == ord("\\") and index + 1 < len(blob):
            following = blob[index + 1]
            octal = re.match(rb"[0-7]{1,3}", blob[index + 1:index + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                index += 1 + len(octal.group())
                continue
            if following not in b"\r\n":
                out += _ESCAPES.get(following, bytes([following]))
            index += 2
            continue
        if char == ord("("):
            depth += 1
            if depth > 1:
                out.append(char)
        elif char == ord(")"):
            depth -= 1
            if depth == 0:
                break
            out.append(char)
        else:
            out.append(char)
        index += 1
    return bytes(out)


_URI_VALUE = re.compile(rb"\s*(\(|<([0-9A-Fa-f\s]{0,8192})>)")


def raw_addresses(blob: bytes, name_ends: Iterator[int]) -> Iterator[str]:
    """The strings that follow the names ending at ``name_ends`` in raw PDF bytes."""
    for end in name_ends:
        match = _URI_VALUE.match(blob, end)
        if match is None:
            continue
        if match.group(1) == b"(":
            yield _literal_string(blob, match.start(1)).decode("latin-1")
        else:
            digits = re.sub(rb"\s", b"", match.group(2) or b"")
            yield bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()).decode("latin-1")
