"""The state machine, exhaustively: every action from every status."""

from __future__ import annotations

import pytest

from portal.requests.models import Status
from portal.triage.operations import (
    MANAGER_ONLY,
    TRANSITIONS,
    Action,
    IllegalTransition,
    allowed_actions,
    next_status,
)

S = Status
EXPECTED: dict[tuple[Action, Status], Status] = {
    (Action.OPEN, S.SUBMITTED): S.IN_TRIAGE,
    (Action.ASSIGN, S.SUBMITTED): S.IN_TRIAGE,
    (Action.ASSIGN, S.IN_TRIAGE): S.IN_TRIAGE,
    (Action.ASSIGN, S.ACCEPTED): S.ASSIGNED,
    (Action.ASSIGN, S.ASSIGNED): S.ASSIGNED,
    (Action.ASSIGN, S.REFERRED): S.REFERRED,
    (Action.ASSIGN, S.IN_EXECUTION): S.IN_EXECUTION,
    (Action.RETURN, S.IN_TRIAGE): S.RETURNED,
    (Action.RETURN, S.ASSIGNED): S.RETURNED,
    (Action.ACCEPT, S.IN_TRIAGE): S.ACCEPTED,
    (Action.DECLINE, S.IN_TRIAGE): S.DECLINED,
    (Action.DECLINE, S.ASSIGNED): S.DECLINED,
    (Action.REFER, S.ASSIGNED): S.REFERRED,
    (Action.EXECUTE, S.ASSIGNED): S.IN_EXECUTION,
    (Action.EXECUTE, S.REFERRED): S.IN_EXECUTION,
    (Action.COMPLETE, S.REFERRED): S.COMPLETED,
    (Action.COMPLETE, S.IN_EXECUTION): S.COMPLETED,
    (Action.REOPEN, S.COMPLETED): S.IN_TRIAGE,
    (Action.REOPEN, S.DECLINED): S.IN_TRIAGE,
    (Action.REOPEN, S.WITHDRAWN): S.IN_TRIAGE,
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("manager", [False, True])
def test_every_action_from_every_status(action: Action, status: Status, manager: bool) -> None:
    expected = EXPECTED.get((action, status))
    if expected is None or (action in MANAGER_ONLY and not manager):
        with pytest.raises(IllegalTransition) as info:
            next_status(action, status, manager=manager)
        assert info.value.manager_only == (expected is not None)
    else:
        assert next_status(action, status, manager=manager) is expected


def test_table_is_the_expected_one() -> None:
    flat = {(a, s): t for a, m in TRANSITIONS.items() for s, t in m.items()}
    assert flat == EXPECTED


def test_drafts_and_returned_requests_allow_nothing() -> None:
    assert allowed_actions(Status.DRAFT, manager=True) == []
    assert allowed_actions(Status.RETURNED, manager=True) == []


def test_reopen_only_for_managers() -> None:
    assert Action.REOPEN not in allowed_actions(Status.COMPLETED)
    assert allowed_actions(Status.COMPLETED, manager=True) == [Action.REOPEN]


def test_unknown_values_are_refused() -> None:
    with pytest.raises(IllegalTransition):
        next_status("fly", Status.SUBMITTED)
    with pytest.raises(IllegalTransition):
        next_status(Action.OPEN, "nowhere")
