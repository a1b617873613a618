"""OIA's service targets (``PORTAL_TARGET_*``): how many working days OIA gives itself for the
first action on a submitted request and for its decision (portal.triage.target_clock counts
the working days; portal.triage.targets keeps the due dates on the queue entries)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.env_values import whole_number

DAYS = "a whole number of working days"


@dataclass(frozen=True)
class TargetSettings:
    #: Working days from a submission to OIA's first action on it.
    first_action_days: int = 5
    #: Working days from a submission to OIA's decision (accept, return or decline).
    decision_days: int = 20

    @classmethod
    def from_env(cls, env: dict[str, str]) -> TargetSettings:
        """Raises ValueError naming a variable that is not a number."""
        return cls(
            first_action_days=whole_number(env, "PORTAL_TARGET_FIRST_ACTION_DAYS",
                                           cls.first_action_days, must_be=DAYS),
            decision_days=whole_number(env, "PORTAL_TARGET_DECISION_DAYS", cls.decision_days,
                                       must_be=DAYS))

    def problems(self) -> list[str]:
        out = []
        if not 1 <= self.first_action_days <= 250:
            out.append("PORTAL_TARGET_FIRST_ACTION_DAYS must be between 1 and 250")
        if not 1 <= self.decision_days <= 250:
            out.append("PORTAL_TARGET_DECISION_DAYS must be between 1 and 250")
        if self.first_action_days > self.decision_days:
            out.append("PORTAL_TARGET_FIRST_ACTION_DAYS must not exceed "
                       "PORTAL_TARGET_DECISION_DAYS")
        return out
