"""How long the portal keeps what its retention schedule covers (``PORTAL_RETENTION_*``, read
by portal.retention): a number of days per kind, 0 or empty for "keep for ever".

The defaults keep every record of OIA's (submitted requests, their packages and hand-offs) for
ever, because OIA's approved records schedule, not the software, decides how long they are kept;
only drafts that were never submitted (no record of OIA's) go after a year untouched. See the
"Retention" section of docs/DEPLOYMENT.md."""

from __future__ import annotations

from dataclasses import dataclass, fields

from portal.env_values import whole_number

#: Each setting's variable, by field name.
VARIABLES = {
    "draft_days": "PORTAL_RETENTION_DRAFT_DAYS",
    "withdrawn_days": "PORTAL_RETENTION_WITHDRAWN_DAYS",
    "closed_days": "PORTAL_RETENTION_CLOSED_DAYS",
    "package_days": "PORTAL_RETENTION_PACKAGE_DAYS",
    "drop_days": "PORTAL_RETENTION_DROP_DAYS",
}


@dataclass(frozen=True)
class RetentionSettings:
    #: Drafts never submitted, this many days after their last change (practice requests have
    #: their own PORTAL_TRAINING_RETENTION_DAYS).
    draft_days: int = 365
    #: Requests withdrawn by their authority, this many days after the withdrawal.
    withdrawn_days: int = 0
    #: Requests closed by OIA (completed or declined), this many days after closing.
    closed_days: int = 0
    #: Package bags (local and shared copies) of superseded versions and of closed requests.
    package_days: int = 0
    #: Bags handed over to the drop folder, this many days after the hand-off.
    drop_days: int = 0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> RetentionSettings:
        """Raises ValueError naming a variable that is not a whole number."""
        return cls(**{name: whole_number(env, variable, getattr(cls, name),
                                         must_be="a whole number of days",
                                         when_empty=0)  # (set but empty: keep for ever)
                      for name, variable in VARIABLES.items()})

    def problems(self) -> list[str]:
        return [f"{VARIABLES[f.name]} must not be negative (0 keeps for ever)"
                for f in fields(self) if getattr(self, f.name) < 0]
