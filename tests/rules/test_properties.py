"""Property-based tests: the engine never raises, whatever it is given."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.contract import model
from portal.contract.model import ASSISTANCE_TYPES, Request
from portal.rules.catalog import RULES_BY_CODE
from portal.rules.engine import evaluate
from tests.rules.conftest import load_base, make_context, merge

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e\u200f",
            "💥" * 50,
            "𝕏" * 3,
            "9999-99-99",
            "0001-01-01",
            "9999-12-31",
            "2024-02-30",
            "+",
            "@",
            "a@b",
            "::1",
            "255.255.255.255",
            "http://",
            "xn--",
            "\ud7ff",
            "ﷺ" * 100,
            "x" * 60_000,
            "the " * 3_000,
            "el " * 3_000,
        ]
    ),
)
DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    ODD_TEXT,
)
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT,
    DATES,
)
JSONISH: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=20,
)

ITEM = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(ASSISTANCE_TYPES), ODD_TEXT)},
    optional={
        name: st.one_of(
            JSONISH,
            st.fixed_dictionaries({"text": ODD_TEXT, "english": ODD_TEXT}),
            st.fixed_dictionaries({"start": DATES, "end": DATES}),
            st.lists(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from([*model.IDENTIFIER_KINDS, "zzz"]), "value": ODD_TEXT},
                    optional={"datetime": ODD_TEXT, "port": SCALARS, "platform": ODD_TEXT},
                ),
                max_size=3,
            ),
            DATES,
        )
        for name, *_ in model.field_specs(model.AssistanceItem)
        if name != "type"
    },
)

FRAGMENT = st.fixed_dictionaries(
    {},
    optional={
        "assistance": st.one_of(st.lists(ITEM, max_size=4), JSONISH),
        "facts": st.one_of(
            JSONISH, st.fixed_dictionaries({"summary": st.fixed_dictionaries({"text": ODD_TEXT})})
        ),
        "offences": st.one_of(
            JSONISH,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "max_penalty_months": SCALARS,
                        "category": ODD_TEXT,
                        "name": st.fixed_dictionaries({"text": ODD_TEXT}),
                    },
                ),
                max_size=3,
            ),
        ),
        "urgency": st.one_of(
            JSONISH,
            st.fixed_dictionaries({"urgent": st.booleans(), "reason": ODD_TEXT, "date": DATES}),
        ),
        "preservation": st.one_of(
            JSONISH,
            st.lists(
                st.fixed_dictionaries(
                    {"date": DATES, "extension_date": DATES, "identifier": ODD_TEXT}
                ),
                max_size=3,
            ),
        ),
        "requesting_authority": JSONISH,
        "legal_basis": JSONISH,
        "persons": JSONISH,
        "attachments": JSONISH,
        "confidentiality": JSONISH,
        "special_procedures": JSONISH,
    },
)

TODAY = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


def _check(findings: list[Any]) -> None:
    for finding in findings:
        assert finding.code in RULES_BY_CODE
        assert finding.severity == RULES_BY_CODE[finding.code].severity
        assert isinstance(finding.path, str)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(fragment=FRAGMENT, today=TODAY)
def test_merged_hostile_requests_never_raise(fragment: dict[str, Any], today: date) -> None:
    document = merge(load_base(), fragment)
    _check(evaluate(document, make_context(today), strict=True))
    _check(evaluate(Request.from_dict(document), make_context(today), strict=True))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(document=JSONISH, today=TODAY)
def test_arbitrary_json_never_raises(document: Any, today: date) -> None:
    _check(
        evaluate(document if isinstance(document, dict) else {}, make_context(today), strict=True)
    )
    _check(evaluate(Request.from_dict(document), make_context(today), strict=True))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(JSONISH, min_size=1, max_size=8), today=TODAY)
def test_models_built_with_wrong_types_never_raise(values: list[Any], today: date) -> None:
    """Bypass both the schema and from_dict: put wrong-typed values straight into the model."""
    request = Request.from_dict(load_base())
    names = [f.name for f in dataclasses.fields(Request)]
    for index, value in enumerate(values):
        object.__setattr__(request, names[index % len(names)], value)
    item = model.AssistanceItem(type="stored_content")
    object.__setattr__(item, "identifiers", values[0])
    object.__setattr__(item, "period", values[-1])
    object.__setattr__(request, "assistance", (item, values[0]))
    _check(evaluate(request, make_context(today), strict=True))
