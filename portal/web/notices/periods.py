"""How long the portal keeps each kind of record, in the reader's language, from the settings
and the constants that really govern it (the privacy notice's table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from flask_babel import format_timedelta

from portal.accounts.housekeeping import LOGIN_ATTEMPT_DAYS
from portal.config import Settings
from portal.limits.counters import longest_window
from portal.translation import gettext as _
from portal.web.accounts.devices import MAX_AGE_DAYS as DEVICE_COOKIE_DAYS
from portal.web.pending import KEEP_FOR as PENDING_INPUT_KEPT

Unit = Literal["minute", "hour", "day"]
#: The kinds of ``PORTAL_RETENTION_<KIND>_DAYS``: requests' retention follows OIA's records
#: schedule through these settings.
RETENTION_KINDS = ("draft", "withdrawn", "closed", "package", "drop")


@dataclass(frozen=True)
class Kept:
    """One row of the table: what is kept, and for how long."""

    what: str
    how_long: str


def duration(value: timedelta, unit: Unit) -> str:
    """``value`` counted in ``unit`` with the language's plural ("90 days", "90 يومًا")."""
    return str(format_timedelta(value, granularity=unit, threshold=10**9))


def duration_minutes(count: int) -> str:
    return duration(timedelta(minutes=count), "minute")


def days(count: int) -> str:
    return duration(timedelta(days=count), "day")


def retention_days(settings: Settings, kind: str) -> int:
    """``PORTAL_RETENTION_<KIND>_DAYS`` (0: no time limit)."""
    return max(int(getattr(settings.retention, f"{kind}_days")), 0)


def _scheduled(settings: Settings, kind: str) -> str:
    count = retention_days(settings, kind)
    if count == 0:
        return _("Kept without a time limit, as OIA's records schedule provides.")
    period = days(count)
    return {
        "draft": _("Deleted %(period)s after its last change.", period=period),
        "withdrawn": _("Deleted %(period)s after it was withdrawn.", period=period),
        "closed": _("Deleted %(period)s after it was closed.", period=period),
        "package": _("Deleted %(period)s after the request was closed or the version replaced.",
                     period=period),
        "drop": _("Deleted %(period)s after delivery.", period=period),
    }[kind]


def requests_kept(settings: Settings) -> list[Kept]:
    """The rows of requests and their files, whose periods OIA's records schedule sets."""
    return [
        Kept(_("Unsubmitted drafts and their documents"), _scheduled(settings, "draft")),
        Kept(_("Submitted requests still being handled, their versions and documents"),
             _("Kept while the request is open.")),
        Kept(_("Withdrawn requests"), _scheduled(settings, "withdrawn")),
        Kept(_("Closed requests (completed or declined) and their documents"),
             _scheduled(settings, "closed")),
        Kept(_("Packages (the files handed to OIA's case management system)"),
             _scheduled(settings, "package")),
        Kept(_("Copies delivered to OIA's drop folder"), _scheduled(settings, "drop")),
        Kept(_("Practice requests"), _("Deleted %(period)s after they were started.",
                                      period=days(settings.training_retention_days))),
    ]


def records_kept(settings: Settings) -> list[Kept]:
    """The rows of accounts, security records and e-mail, fixed by the portal itself."""
    return [
        Kept(_("Your account"),
             _("As long as the account exists. Accounts are deactivated, not deleted, so that "
               "the records of their actions stay attributable.")),
        Kept(_("Sessions (with the IP address they were opened from)"),
             _("Until you sign out or the session ends (%(idle)s without activity, %(max)s at "
               "most). A session left without signing out is deleted within a day after it "
               "ended.",
               idle=duration(timedelta(minutes=settings.session_idle_minutes), "minute"),
               max=duration(timedelta(hours=settings.session_absolute_hours), "hour"))),
        Kept(_("Sign-in attempts (the e-mail address typed, IP address, time, outcome)"),
             _("%(period)s, then deleted; the audit log keeps its own record of each attempt.",
               period=days(LOGIN_ATTEMPT_DAYS))),
        Kept(_("Counts of form posts and failed sign-ins (an IP address or its network, a "
               "one-way hash of the e-mail address)"),
             _("Deleted once their time window has ended (%(period)s at most).",
               period=duration(timedelta(seconds=longest_window(settings)), "minute"))),
        Kept(_("What you typed in a form sent after your session ended"),
             _("Until it is shown to you again, %(period)s at most.",
               period=duration(PENDING_INPUT_KEPT, "hour"))),
        Kept(_("The audit log (who did what, when, and from which IP address)"),
             _("Permanently: the log is append-only and is never purged.")),
        Kept(_("E-mails sent by the portal"), _("Not deleted automatically yet.")),
    ]


def device_cookie_period() -> str:
    return days(DEVICE_COOKIE_DAYS)
