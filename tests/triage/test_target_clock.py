"""The service-target clock: working days across weekends, U.S. federal holidays (observed
ones included), the year's end and Washington's time zone; the clock of a timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.config import ConfigError, Settings
from portal.target_settings import TargetSettings
from portal.triage import target_clock as tc


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("start", "days", "due"), [
    (date(2025, 1, 10), 1, date(2025, 1, 13)),  # Friday + 1: Monday
    (date(2025, 1, 11), 5, date(2025, 1, 17)),  # Saturday + 5: the Friday after
    (date(2025, 1, 6), 5, date(2025, 1, 13)),  # Monday + 5: next Monday
    (date(2025, 1, 13), 5, date(2025, 1, 21)),  # Martin Luther King Jr. Day, 20 January
    (date(2025, 11, 25), 2, date(2025, 11, 28)),  # Thanksgiving, 27 November
    (date(2026, 6, 18), 1, date(2026, 6, 22)),  # Juneteenth, Friday 19 June 2026
    # Juneteenth 2027 is a Saturday: observed Friday 18 June
    (date(2027, 6, 17), 1, date(2027, 6, 21)),
    # Christmas 2027 and New Year's Day 2028 fall on Saturdays: observed 24 and 31 December
    (date(2027, 12, 23), 1, date(2027, 12, 27)),
    (date(2027, 12, 23), 5, date(2028, 1, 3)),
    # New Year's Day 2023 is a Sunday: observed Monday 2 January
    (date(2022, 12, 30), 1, date(2023, 1, 3)),
    (date(2025, 1, 11), 0, date(2025, 1, 13)),  # 0 days: the next working day
    (date(2025, 1, 6), 20, date(2025, 2, 4)),  # 20 days over MLK day
])
def test_add_working_days(start: date, days: int, due: date) -> None:
    assert tc.add_working_days(start, days) == due
    assert tc.is_working_day(due)


def test_working_days() -> None:
    assert not tc.is_working_day(date(2025, 11, 27))  # Thanksgiving
    assert tc.is_working_day(date(2025, 11, 28))  # the day after is not a federal holiday
    assert not tc.is_working_day(date(2027, 6, 18))  # Juneteenth observed
    assert not tc.is_working_day(date(2027, 12, 31))  # New Year's Day 2028 observed
    assert not tc.is_working_day(date(2025, 1, 11))  # a Saturday
    assert tc.working_days_between(date(2025, 11, 24), date(2025, 12, 1)) == 4
    assert tc.working_days_between(date(2025, 12, 1), date(2025, 11, 24)) == -4
    assert tc.working_days_between(date(2027, 12, 24), date(2028, 1, 3)) == 5
    assert tc.working_days_between(date(2025, 1, 10), date(2025, 1, 12)) == 0
    with pytest.raises(ValueError, match="working days"):
        tc.add_working_days(date(2025, 1, 1), -1)


def test_the_office_day_is_washingtons() -> None:
    # 03:30 UTC on 10 March 2025 is 23:30 on the 9th in Washington (daylight time began)
    assert tc.office_date(datetime(2025, 3, 10, 3, 30, tzinfo=UTC)) == date(2025, 3, 9)
    assert tc.office_date(datetime(2025, 3, 10, 4, 30, tzinfo=UTC)) == date(2025, 3, 10)
    # in winter, five hours behind
    assert tc.office_date(datetime(2025, 1, 7, 4, 59, tzinfo=UTC)) == date(2025, 1, 6)
    # a request sent on Friday evening in Washington (Saturday in UTC) counts from Friday
    clock = tc.start(datetime(2025, 1, 11, 2, 0, tzinfo=UTC), 1, 20)
    assert clock.action_due == date(2025, 1, 13)


@pytest.mark.parametrize(("today", "days", "overdue"), [
    (date(2025, 11, 24), 3, False),  # Monday: 25, 26, 28 (Thanksgiving skipped)
    (date(2025, 11, 26), 1, False),
    (date(2025, 11, 28), 0, False),  # due today
    (date(2025, 11, 29), 1, True),  # Saturday after: overdue, at least one day
    (date(2025, 12, 1), 1, True),
    (date(2025, 12, 2), 2, True),
])
def test_standing(today: date, days: int, overdue: bool) -> None:
    assert tc.standing(date(2025, 11, 28), today) == tc.Standing(days, overdue)


def test_late_by() -> None:
    due = date(2025, 11, 26)
    assert tc.late_by(due, at(date(2025, 11, 26), 22)) == 0  # 17:00 in Washington: on time
    assert tc.late_by(due, at(date(2025, 11, 28))) == 1
    assert tc.late_by(due, at(date(2025, 11, 20))) == 0


def test_clock_of_a_timeline() -> None:
    submitted = at(date(2025, 11, 24))
    events = [(submitted, "submitted", "submitted")]
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None
    assert (clock.action_due, clock.decision_due) == (date(2025, 12, 2), date(2025, 12, 23))
    assert clock.pending_due("submitted", True) == date(2025, 12, 2)
    opened = at(date(2025, 11, 25))
    events.append((opened, "opened", "in_triage"))
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None and clock.acted_at == opened and clock.decided_at is None
    assert clock.pending_due("in_triage", True) == date(2025, 12, 23)
    returned = at(date(2025, 12, 1))
    events.append((returned, "returned", "returned"))
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None and clock.decided_at == returned
    assert clock.pending_due("returned", True) is None
    # resubmitted: both targets start again
    again = at(date(2026, 1, 2))
    events.append((again, "resubmitted", "submitted"))
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None and clock.started_at == again
    assert clock.acted_at is None and clock.decided_at is None
    assert clock.action_due == date(2026, 1, 9)
    # withdrawn: nothing owed
    events.append((at(date(2026, 1, 3)), "withdrawn", "withdrawn"))
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None and clock.pending_due("withdrawn", False) is None
    # reopened by OIA: the first action is the reopening, the decision is owed again
    reopened = at(date(2026, 1, 5))
    events.append((reopened, "reopened", "in_triage"))
    clock = tc.from_timeline(events, 5, 20)
    assert clock is not None and clock.acted_at == reopened and clock.decided_at is None
    assert clock.pending_due("in_triage", True) == tc.add_working_days(date(2026, 1, 5), 20)
    assert tc.from_timeline([(submitted, "created", "draft")], 5, 20) is None


def test_settings(tmp_path: Path) -> None:
    assert TargetSettings.from_env({}) == TargetSettings(5, 20)
    assert TargetSettings.from_env({"PORTAL_TARGET_FIRST_ACTION_DAYS": "3",
                                    "PORTAL_TARGET_DECISION_DAYS": " 10 "}) \
        == TargetSettings(3, 10)
    with pytest.raises(ConfigError, match="PORTAL_TARGET_DECISION_DAYS"):
        Settings.from_env({"PORTAL_ENV": "testing", "PORTAL_DATA_DIR": str(tmp_path),
                           "PORTAL_TARGET_DECISION_DAYS": "twenty"})
    for bad in (TargetSettings(0, 20), TargetSettings(5, 251), TargetSettings(21, 20)):
        with pytest.raises(ConfigError, match="PORTAL_TARGET"):
            Settings(secret_key="k", targets=bad).validate()
