"""The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), made from the code and
equal to the committed docs/openapi.json (``make openapi`` writes it), the request body the
contract's own schema, and the links create -> get -> findings declared."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from portal.contract.load import request_schema
from portal.web.api.openapi import CONTRACT, contract_components, document, document_text
from tests.api.conftest import request_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises on any error


def test_the_validator_would_catch_a_broken_document() -> None:
    doc = document()
    doc["paths"]["/check"]["post"]["responses"] = {"200": {}}  # a response without description
    try:
        validate(doc)
    except OpenAPIValidationError:
        return
    raise AssertionError("a broken document was accepted")


def test_the_committed_copy_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == document_text(), \
        "docs/openapi.json is out of date: run make openapi"


def test_the_served_document_is_the_same(client: FlaskClient) -> None:
    assert client.get("/api/v1/openapi.json").get_data(as_text=True) == document_text()


def test_the_request_body_is_the_contracts_schema() -> None:
    doc = document()
    body = doc["paths"]["/drafts"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": f"#/components/schemas/{CONTRACT}"}
    contract = request_schema()
    components = doc["components"]["schemas"]
    assert components[CONTRACT]["properties"].keys() == contract["properties"].keys()
    assert {f"{CONTRACT}.{name}" for name in contract["$defs"]} <= set(components)
    # the lifted schema accepts and refuses what the contract does
    lifted = {**contract_components()[CONTRACT],
              "$defs": {}, "components": {"schemas": contract_components()}}
    validator = Draft202012Validator(lifted)
    assert validator.is_valid(request_document())
    assert not validator.is_valid({**request_document(), "language": 12})


def test_links_lead_from_create_to_get_upload_and_submit() -> None:
    doc = document()
    links = doc["paths"]["/drafts"]["post"]["responses"]["201"]["links"]
    operation_ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {link["operationId"] for link in links.values()} == \
        {"getDraft", "getDraftFindings", "updateDraft", "uploadAttachment", "submitDraft"}
    assert {link["operationId"] for link in links.values()} <= operation_ids
    assert links["GetDraft"]["parameters"] == {"draft_id": "$response.body#/id"}
    assert links["UploadAttachment"]["parameters"] == {"draft_id": "$response.body#/id"}
    upload = doc["paths"]["/drafts/{draft_id}/attachments"]["post"]
    assert upload["requestBody"]["content"]["multipart/form-data"]["encoding"] == \
        {"file": {"contentType": "application/pdf"}}
    for status in ("201", "202"):
        then = upload["responses"][status]["links"]["GetAttachment"]
        assert then["operationId"] == "getAttachment"
        assert then["parameters"] == {"draft_id": "$request.path.draft_id",
                                      "attachment_id": "$response.body#/id"}
    submit = doc["paths"]["/drafts/{draft_id}/submit"]["post"]
    assert {"$ref": "#/components/parameters/Idempotency-Key"} in submit["parameters"]
    assert {name: link["operationId"] for name, link in
            submit["responses"]["201"]["links"].items()} == {"GetRequest": "getRequest",
                                                             "GetReceipt": "getReceipt"}
    assert submit["responses"]["201"]["links"]["GetRequest"]["parameters"] == \
        {"reference": "$response.body#/reference"}


def test_links_lead_from_the_list_to_a_request_and_its_messages_and_receipt() -> None:
    doc = document()
    listed = doc["paths"]["/requests"]["get"]["responses"]["200"]["links"]
    assert listed["GetRequest"] == {"operationId": "getRequest",
                                    "parameters": {"reference": "$response.body#/items/0/id"},
                                    "description": "The first request of the page."}
    got = doc["paths"]["/requests/{reference}"]["get"]
    assert got["operationId"] == "getRequest"
    assert {link["operationId"] for link in got["responses"]["200"]["links"].values()} == \
        {"listMessages", "postMessage", "getReceipt"}
    queue = doc["paths"]["/queue"]["get"]["parameters"]
    names = {doc["components"]["parameters"][p["$ref"].split("/")[-1]]["name"]
             for p in queue if "$ref" in p}
    assert {"status", "country", "assignee", "cursor", "limit"} <= names
