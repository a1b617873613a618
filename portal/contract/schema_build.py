"""Generate ``request.schema.json`` from the model (``python -m portal.contract.schema_build``
after changing it); a test fails when the committed schema differs from the generated one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from portal.contract import model as m

SCHEMA_PATH = Path(__file__).resolve().parent / "request.schema.json"
SCHEMA_ID = "https://mla-portal.example/contract/request.schema.json"

# Named string shapes. Each allows the empty string (an unanswered field in a draft).
STRING_DEFS: dict[str, dict[str, Any]] = {
    "Date": {
        "title": "Date",
        "description": "A calendar date YYYY-MM-DD, or empty.",
        "type": "string",
        "pattern": r"^(\d{4}-\d{2}-\d{2})?$",
        "anyOf": [{"maxLength": 0}, {"format": "date"}],
    },
    "Email": {
        "title": "Email",
        "description": "An e-mail address, or empty.",
        "type": "string",
        "maxLength": 320,
        "anyOf": [{"maxLength": 0}, {"format": "email"}],
    },
    "Country": {
        "title": "Country",
        "description": "ISO 3166-1 alpha-2 code (upper case), or empty.",
        "type": "string",
        "pattern": "^([A-Z]{2})?$",
    },
    "UsState": {
        "title": "UsState",
        "description": "USPS two-letter code of a U.S. state, district or territory, or empty.",
        "type": "string",
        "pattern": "^([A-Z]{2})?$",
    },
    "Language": {
        "title": "Language",
        "description": "BCP 47 language tag such as es or pt-BR, or empty.",
        "type": "string",
        "pattern": "^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$",
    },
    "Sha256": {
        "title": "Sha256",
        "description": "SHA-256 digest in lower-case hexadecimal, or empty.",
        "type": "string",
        "pattern": "^([0-9a-f]{64})?$",
    },
    "Currency": {
        "title": "Currency",
        "description": "ISO 4217 currency code, or empty.",
        "type": "string",
        "pattern": "^([A-Z]{3})?$",
    },
}
PATTERN_DEFS = {
    "country": "Country",
    "us_state": "UsState",
    "language": "Language",
    "sha256": "Sha256",
    "currency": "Currency",
}
FORMAT_DEFS = {"date": "Date", "email": "Email"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _field_schema(cls: type, f: dataclasses.Field[Any], kind: str, sub: Any) -> dict[str, Any]:
    meta = dict(f.metadata)
    schema: dict[str, Any]
    if kind == "str":
        if "const" in meta:
            schema = {"type": "string", "const": meta["const"]}
        elif "enum" in meta:
            values = list(meta["enum"])
            schema = {"type": "string", "enum": values if meta.get("required") else [*values, ""]}
        elif "format" in meta:
            schema = _ref(FORMAT_DEFS[meta["format"]])
        elif "pattern" in meta:
            schema = _ref(PATTERN_DEFS[meta["pattern"]])
        else:
            schema = {
                "type": "string",
                "maxLength": m.LONG_MAX if meta.get("long") else m.SHORT_MAX,
            }
    elif kind == "bool":
        schema = {"type": "boolean"}
    elif kind in ("int", "num"):
        schema = {"type": ["integer" if kind == "int" else "number", "null"]}
        for key in ("minimum", "maximum"):
            if key in meta:
                schema[key] = meta[key]
    elif kind == "obj":
        schema = _ref(sub.__name__)
    elif kind == "list_str":
        items: dict[str, Any]
        if "enum" in meta:
            items = {"type": "string", "enum": list(meta["enum"])}
        else:
            items = {"type": "string", "maxLength": m.SHORT_MAX}
        schema = {"type": "array", "maxItems": m.LIST_MAX, "items": items}
    else:
        schema = {"type": "array", "maxItems": m.LIST_MAX, "items": _ref(sub.__name__)}
    if "description" in meta and "$ref" not in schema:
        schema["description"] = meta["description"]
    elif "description" in meta:
        schema = {**schema, "description": meta["description"]}
    return schema


def _object_schema(cls: type) -> dict[str, Any]:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    props: dict[str, Any] = {}
    required: list[str] = []
    for name, kind, sub, _default in m.field_specs(cls):
        f = fields[name]
        props[name] = _field_schema(cls, f, kind, sub)
        if f.metadata.get("required"):
            required.append(name)
    schema: dict[str, Any] = {"title": cls.__name__, "type": "object"}
    doc = (cls.__doc__ or "").strip()
    if doc and not doc.startswith(cls.__name__ + "("):
        schema["description"] = " ".join(doc.split())
    schema["properties"] = props
    schema["additionalProperties"] = False
    if required:
        schema["required"] = required
    return schema


def _model_classes() -> list[type]:
    seen: list[type] = []

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.append(cls)
        for _name, _kind, sub, _default in m.field_specs(cls):
            if sub is not None:
                walk(sub)

    walk(m.Request)
    return seen


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for cls in _model_classes():
        if cls is m.Request:
            continue
        defs[cls.__name__] = _object_schema(cls)
    item = defs["AssistanceItem"]
    all_fields = [name for name, *_ in m.field_specs(m.AssistanceItem)]
    rules = []
    for item_type in m.ASSISTANCE_TYPES:
        allowed = m.item_fields(item_type)
        rules.append(
            {
                "if": {"properties": {"type": {"const": item_type}}, "required": ["type"]},
                "then": {"properties": {name: False for name in all_fields if name not in allowed}},
            }
        )
    item["allOf"] = rules
    item["x-fields-by-type"] = {t: list(m.item_fields(t)) for t in m.ASSISTANCE_TYPES}
    defs.update(STRING_DEFS)
    root = _object_schema(m.Request)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "MLA request",
        "description": (
            "A request for Mutual Legal Assistance addressed to the United States, as prepared "
            "in the intake portal. Validates structure and types only: an incomplete draft is "
            "valid; what is missing is reported by the rule engine. Every narrative field is a "
            "Narrative (original text, English translation, language). An assistance item may "
            "only carry the fields of its type (x-fields-by-type). See docs/REQUEST_CONTRACT.md."
        ),
        "x-schema-version": m.SCHEMA_VERSION,
        "type": "object",
        "properties": root["properties"],
        "required": root.get("required", []),
        "additionalProperties": False,
        "$defs": defs,
    }


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
