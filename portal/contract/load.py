"""Load a request from JSON: validate against the schema, return the model or errors (never
raises). An error has a path (``assistance[2].identifiers[0].value``), a message template marked
with ``N_``, its parameters, and the message rendered in the loader's locale."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from portal import cache
from portal.contract.model import AssistanceItem, Request, field_specs, item_fields
from portal.i18n_core import N_, get_translations

SCHEMA_PATH = Path(__file__).resolve().parent / "request.schema.json"
MAX_ERRORS = 200

M_NOT_JSON = N_("is not valid JSON: {reason} (line {line}, column {column})")
M_UNKNOWN_FIELD = N_("unknown field '{name}'")
M_OTHER_TYPE = N_("field '{name}' does not belong to an item of type '{type}'")
M_REQUIRED = N_("is required")
M_ENUM = N_("is not one of the allowed values: {values}")
M_CONST = N_("must be {value}")
M_DATE = N_("must be a date in the form YYYY-MM-DD")
M_EMAIL = N_("must be an e-mail address")
M_COUNTRY = N_("must be a two-letter country code such as ES")
M_US_STATE = N_("must be a two-letter U.S. state code such as NY")
M_LANGUAGE = N_("must be a language code such as es or pt-BR")
M_SHA256 = N_("must be 64 lower-case hexadecimal characters")
M_CURRENCY = N_("must be a three-letter currency code such as EUR")
M_PATTERN = N_("does not have the expected form")
M_TOO_LONG = N_("is too long (at most {limit} characters)")
M_TOO_MANY = N_("has too many entries (at most {limit})")
M_MINIMUM = N_("must be at least {limit}")
M_MAXIMUM = N_("must be at most {limit}")
M_INVALID = N_("is not valid")
M_TOO_MANY_ERRORS = N_("too many errors; only the first {limit} are shown")

M_TYPE = N_("must be {expected}")
TYPE_NAMES = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("empty (null)"),
}
M_TYPE_OR_NULL = N_("must be {expected} or null")

_ALL_ITEM_FIELDS = frozenset(name for name, *_ in field_specs(AssistanceItem))

NAMED_SHAPES = {
    "Date": M_DATE,
    "Email": M_EMAIL,
    "Country": M_COUNTRY,
    "UsState": M_US_STATE,
    "Language": M_LANGUAGE,
    "Sha256": M_SHA256,
    "Currency": M_CURRENCY,
}


@dataclass(frozen=True)
class ContractError:
    """One problem found while loading: where (path), what (message, translated), and the
    untranslated template with its parameters."""

    path: str
    message: str
    template: str = ""
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def render(self, locale: str) -> str:
        return render_message(self.template or self.message, self.params, locale)

    def as_dict(self, locale: str | None = None) -> dict[str, str]:
        message = self.message if locale is None else self.render(locale)
        return {"path": self.path, "message": message}


@dataclass(frozen=True)
class LoadResult:
    request: Request | None
    errors: tuple[ContractError, ...] = ()

    @property
    def ok(self) -> bool:
        return self.request is not None and not self.errors

    def errors_as_json(self, locale: str | None = None) -> list[dict[str, str]]:
        return [error.as_dict(locale) for error in self.errors]


def render_message(template: str, params: Mapping[str, str], locale: str) -> str:
    translated = get_translations(locale).gettext(template)
    if template in TYPE_NAMES.values() or not params:
        return translated
    localized = dict(params)
    if "expected" in localized:  # type names are themselves translatable
        localized["expected"] = get_translations(locale).gettext(localized["expected"])
    try:
        return translated.format_map(_SafeDict(localized))
    except (ValueError, IndexError, AttributeError):
        return translated


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@functools.cache  # the schema file shipped with the code, read once
def request_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@functools.cache  # built once from the shipped schema
def _validator() -> Draft202012Validator:
    checker = FormatChecker(formats=("date", "email"))
    return Draft202012Validator(request_schema(), format_checker=checker)


def format_path(parts: Iterable[object]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _lookup(document: object, parts: Sequence[object]) -> object:
    node = document
    for part in parts:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            continue
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


Triple = tuple[list[object], str, dict[str, str]]


def _errors_for(error: ValidationError, document: object) -> list[Triple]:
    """Turn one jsonschema error into (path parts, template, params) triples."""
    parts = list(error.absolute_path)
    schema = error.schema
    validator = error.validator
    if schema is False:
        # A field of another assistance type. jsonschema does not always put the property name
        # in the path of a false-schema error, so find the offending fields from the item.
        item = _lookup(document, parts)
        if not isinstance(item, Mapping):
            item, parts = _lookup(document, parts[:-1]), parts[:-1]
        if not isinstance(item, Mapping):
            return [(parts, M_INVALID, {})]
        item_type = str(item.get("type", ""))
        allowed = set(item_fields(item_type))
        return [
            ([*parts, name], M_OTHER_TYPE, {"name": _short(name), "type": _short(item_type)})
            for name in sorted(str(k) for k in item if k in _ALL_ITEM_FIELDS and k not in allowed)
        ]
    if validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        extras = sorted(str(k) for k in error.instance if k not in known)
        return [([*parts, name], M_UNKNOWN_FIELD, {"name": _short(name)}) for name in extras]
    if validator == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in error.validator_value if name not in error.instance]
        return [([*parts, name], M_REQUIRED, {}) for name in missing]
    title = schema.get("title") if isinstance(schema, Mapping) else None
    if validator in ("anyOf", "pattern", "format") and title in NAMED_SHAPES:
        return [(parts, NAMED_SHAPES[str(title)], {})]
    if validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        non_null = [n for n in names if n != "null"]
        if len(non_null) == 1 and "null" in names:
            return [(parts, M_TYPE_OR_NULL, {"expected": TYPE_NAMES.get(non_null[0], non_null[0])})]
        return [(parts, M_TYPE, {"expected": TYPE_NAMES.get(str(names[0]), str(names[0]))})]
    if validator == "enum":
        values = ", ".join(repr(v) if v == "" else str(v) for v in error.validator_value)
        return [(parts, M_ENUM, {"values": values})]
    if validator == "const":
        return [(parts, M_CONST, {"value": str(error.validator_value)})]
    if validator == "maxLength":
        return [(parts, M_TOO_LONG, {"limit": str(error.validator_value)})]
    if validator == "maxItems":
        return [(parts, M_TOO_MANY, {"limit": str(error.validator_value)})]
    if validator == "minimum":
        return [(parts, M_MINIMUM, {"limit": str(error.validator_value)})]
    if validator == "maximum":
        return [(parts, M_MAXIMUM, {"limit": str(error.validator_value)})]
    if validator == "pattern":
        return [(parts, M_PATTERN, {})]
    return [(parts, M_INVALID, {})]


def _make(parts: list[object], template: str, params: dict[str, str], locale: str) -> ContractError:
    return ContractError(
        path=format_path(parts),
        message=render_message(template, params, locale),
        template=template,
        params=params,
    )


_VALID_PARTS = cache.named("contract.valid_parts", max_bytes=1024 * 1024,
                           why="whether one part of a request is valid (key: its name and digest)")


def _part_is_valid(name: str, version: Any, value: Any) -> bool:
    """Whether a document of this part alone is valid, remembered by the part's name and the
    SHA-256 of its canonical JSON (narratives are not kept in memory)."""
    text = json.dumps([version, value], sort_keys=True, ensure_ascii=False)
    key = (name, hashlib.sha256(text.encode("utf-8")).digest())
    return _VALID_PARTS.get_or_make(  # type: ignore[no-any-return]
        key, lambda: bool(_validator().is_valid({"schema_version": version, name: value})))


_ROOT_KEYWORDS = frozenset({"$schema", "$id", "$defs", "title", "description",
                            "x-schema-version", "type", "properties", "required",
                            "additionalProperties"})


@functools.cache  # a property of the shipped schema
def _root_checks_parts_alone() -> bool:
    """Whether the root schema checks each property on its own (no root ``allOf``, ``if``,
    ``dependent*``...): the condition for answering part by part. Otherwise every document
    goes through the full validator."""
    root = request_schema()
    return (set(root) <= _ROOT_KEYWORDS and root.get("type") == "object"
            and root.get("required") == ["schema_version"]
            and root.get("additionalProperties") is False)


def _valid_by_parts(data: Mapping[str, Any]) -> bool:
    """Whether the document is valid, told part by part (the root schema checks each property
    on its own, so the document is valid when each part is valid alone); each part's answer is
    remembered by its canonical JSON."""
    if type(data) is not dict or not _root_checks_parts_alone():
        return False  # (tuples, mapping proxies: the full validator decides)
    properties = request_schema()["properties"]
    if "schema_version" not in data or any(key not in properties for key in data):
        return False
    version = data["schema_version"]
    try:
        for name, value in data.items():
            if name != "schema_version" and not _part_is_valid(str(name), version, value):
                return False
    except (TypeError, ValueError, RecursionError):
        return False
    # (the parts were checked with this schema_version; a document of it alone still needs it)
    return bool(_validator().is_valid({"schema_version": data["schema_version"]}))


def validate(data: object, locale: str = "en") -> list[ContractError]:
    """Schema errors for ``data`` (an already-parsed JSON document), sorted by path."""
    if not isinstance(data, Mapping):
        return [_make([], M_TYPE, {"expected": TYPE_NAMES["object"]}, locale)]
    if _valid_by_parts(data):
        return []
    triples: list[Triple] = []
    try:
        for error in _validator().iter_errors(data):
            triples.extend(_errors_for(error, data))
            if len(triples) > MAX_ERRORS:
                break
    except (RecursionError, ValueError, TypeError) as exc:  # pathological input
        return [_make([], M_INVALID, {"reason": type(exc).__name__}, locale)]
    seen: set[tuple[str, str]] = set()
    errors: list[ContractError] = []
    for parts, template, params in triples:
        err = _make(parts, template, params, locale)
        key = (err.path, err.message)
        if key not in seen:
            seen.add(key)
            errors.append(err)
    errors.sort(key=lambda e: (_sort_key(e.path), e.message))
    if len(errors) > MAX_ERRORS:
        errors = [
            *errors[:MAX_ERRORS],
            _make([], M_TOO_MANY_ERRORS, {"limit": str(MAX_ERRORS)}, locale),
        ]
    return errors


def _sort_key(path: str) -> tuple[tuple[int, str, int], ...]:
    out: list[tuple[int, str, int]] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("[") and chunk.endswith("]") and chunk[1:-1].isdigit():
            out.append((1, "", int(chunk[1:-1])))
        elif chunk:
            out.append((0, chunk, 0))
    return tuple(out)


def load_request(data: object, locale: str = "en") -> LoadResult:
    """Validate a parsed JSON document and build the model; never raises."""
    errors = validate(data, locale)
    if errors:
        return LoadResult(request=None, errors=tuple(errors))
    return LoadResult(request=Request.from_dict(data))


def read_json(text: str | bytes, locale: str = "en") -> tuple[Any, ContractError | None]:
    """JSON text as data, or the error that says why it is not JSON (as the import's)."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        params = {"reason": exc.msg, "line": str(exc.lineno), "column": str(exc.colno)}
    except UnicodeDecodeError as exc:
        params = {"reason": "not UTF-8", "line": "1", "column": str(exc.start + 1)}
    except RecursionError:
        params = {"reason": "nested too deeply", "line": "1", "column": "1"}
    except ValueError:  # an integer of more digits than Python converts (4,300)
        params = {"reason": "a number is too long", "line": "1", "column": "1"}
    return None, _make([], M_NOT_JSON, params, locale)


def load_request_json(text: str | bytes, locale: str = "en") -> LoadResult:
    """Parse JSON text then :func:`load_request`; invalid JSON is reported as an error."""
    data, error = read_json(text, locale)
    if error is not None:
        return LoadResult(request=None, errors=(error,))
    return load_request(data, locale)


def schema_errors(schema: Mapping[str, Any], document: object, locale: str = "en"
                  ) -> tuple[ContractError, ...]:
    """The errors of ``document`` against another JSON Schema (an API body's), with their
    paths and the contract's translated messages."""
    validator = Draft202012Validator(schema)
    found = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return tuple(_make(parts, template, params, locale) for error in found
                 for parts, template, params in _errors_for(error, document))
