"""The API's routes, each declared once with what the OpenAPI document says of it (its
parameters, body, answers and links): the blueprint's URL rules and the document are both
made from this list, so they cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint

#: The problem answers every authenticated operation may give.
COMMON_PROBLEMS = (401, 429)


@dataclass(frozen=True)
class Answer:
    description: str
    schema: str | None = None  # a component of #/components/schemas
    media_type: str = "application/json"
    headers: tuple[str, ...] = ()  # components of #/components/headers
    links: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask's rule under the blueprint's prefix: /drafts/<draft_id>
    operation_id: str
    summary: str
    description: str
    view: Callable[..., Any]
    answers: dict[int, Answer]
    body: str | None = None  # the schema component of the body
    headers: tuple[str, ...] = ()  # components of #/components/parameters
    public: bool = False
    tags: tuple[str, ...] = ()
    query: tuple[str, ...] = ()  # query parameters: components of #/components/parameters
    body_media_type: str = "application/json"
    #: OpenAPI's ``encoding`` of a multipart body's fields.
    body_encoding: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path: /drafts/{draft_id}."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)


OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, operation_id: str, *, summary: str, description: str,
              answers: dict[int, Answer], body: str | None = None,
              headers: tuple[str, ...] = (), public: bool = False, tags: tuple[str, ...] = (),
              query: tuple[str, ...] = (), body_media_type: str = "application/json",
              body_encoding: dict[str, dict[str, Any]] | None = None,
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def declare(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(Operation(method, rule, operation_id, summary, description, view,
                                    answers, body, headers, public, tags, query,
                                    body_media_type, dict(body_encoding or {})))
        return view

    return declare


def register(bp: Blueprint) -> None:
    for op in OPERATIONS:
        bp.add_url_rule(op.rule, op.operation_id, op.view, methods=[op.method])
