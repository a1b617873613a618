"""Each staff user's choice per kind of notification: at once, in a daily digest, or off; and
whether it also comes by e-mail (in the portal it always comes, unless off)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.log import record
from portal.i18n_core import N_
from portal.notify.models import NotificationPreference

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
DELIVERIES = (IMMEDIATE, DIGEST, OFF)

#: Each kind with its label (the preferences form, the list, the digest).
KINDS: dict[str, str] = {
    "submitted": N_("New requests in my portfolio"),
    "message": N_("Messages from requesting authorities"),
    "assigned": N_("Requests assigned to me"),
    "referral_due": N_("Referrals due soon"),
    "referral_overdue": N_("Overdue referrals"),
    "urgency": N_("Urgency dates approaching"),
    "withdrawn": N_("Requests withdrawn by their authority"),
}


@dataclass(frozen=True)
class Preference:
    delivery: str = IMMEDIATE
    email: bool = True


DEFAULT = Preference()


def preferences_of(db: Session, user_id: int) -> dict[str, Preference]:
    """The user's preference for every kind (the default where none was chosen)."""
    rows = db.scalars(select(NotificationPreference)
                      .where(NotificationPreference.user_id == user_id))
    chosen = {row.kind: Preference(row.delivery, row.email) for row in rows
              if row.kind in KINDS and row.delivery in DELIVERIES}
    return {kind: chosen.get(kind, DEFAULT) for kind in KINDS}


def save_preferences(db: Session, user: User, wanted: Mapping[str, Preference], *,
                     ip: str = "") -> None:
    """Replace the user's preferences (unknown kinds or deliveries refused) and audit it."""
    for kind, preference in wanted.items():
        if kind not in KINDS or preference.delivery not in DELIVERIES:
            raise ValueError(f"unknown notification preference {kind}={preference.delivery}")
    db.execute(delete(NotificationPreference)
               .where(NotificationPreference.user_id == user.id))
    for kind, preference in sorted(wanted.items()):
        db.add(NotificationPreference(user_id=user.id, kind=kind, delivery=preference.delivery,
                                      email=preference.email))
    db.flush()
    record(db, "notify.preferences_changed", actor_id=user.id, actor=user.email, ip=ip,
           object_type="user", object_id=user.public_id,
           details={kind: f"{p.delivery}{'+email' if p.email else ''}"
                    for kind, p in sorted(wanted.items())})
