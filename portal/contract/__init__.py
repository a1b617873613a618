"""The request contract: the JSON Schema of a request, its typed model and the loader, used by
the wizard, the rule engine, the package builder and the API (no Flask, no database)."""

from portal.contract.load import ContractError, LoadResult, load_request, load_request_json
from portal.contract.model import SCHEMA_VERSION, AssistanceItem, Narrative, Request

__all__ = [
    "SCHEMA_VERSION",
    "AssistanceItem",
    "ContractError",
    "LoadResult",
    "Narrative",
    "Request",
    "load_request",
    "load_request_json",
]
