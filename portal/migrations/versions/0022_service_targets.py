"""service targets: each queue entry keeps its service-target clock

triage_entries gains when the clock last started, the due date of the first action and of
the decision and when each was met, and target_due (the earliest due date still owed, indexed
for the queue's filter). The entries already there are filled from their requests' timelines,
with the targets of the settings (PORTAL_TARGET_*, read as the app does).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-23
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = (("target_started_at", sa.DateTime(timezone=True)), ("action_due", sa.Date()),
           ("acted_at", sa.DateTime(timezone=True)), ("decision_due", sa.Date()),
           ("decided_at", sa.DateTime(timezone=True)), ("target_due", sa.Date()))
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("triage_entries") as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_triage_entries_target_due", "triage_entries", ["target_due"])
    _fill()


def _targets() -> Any:
    from portal.config import Settings

    settings = context.config.attributes.get("settings") or Settings.from_env()
    return settings.targets


def _moment(value: Any) -> datetime:
    """A stored moment as an aware datetime (SQLite gives text or naive values, in UTC)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _batches(connection: Any) -> Iterator[list[tuple[int, str, bool]]]:
    after = 0
    while True:
        rows = [(int(r[0]), str(r[1]), bool(r[2])) for r in connection.execute(sa.text(
            "SELECT request_id, status, is_open FROM triage_entries WHERE request_id > :after "
            "ORDER BY request_id LIMIT :n"), {"after": after, "n": BATCH})]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _fill() -> None:
    from portal.db import UTCDateTime
    from portal.triage import target_clock as tc

    connection = op.get_bind()
    settings = None
    for rows in _batches(connection):
        settings = settings or _targets()
        timelines: dict[int, list[tuple[datetime, str, str]]] = {r[0]: [] for r in rows}
        events = connection.execute(
            sa.text("SELECT request_id, at, kind, to_status FROM request_events "
                    "WHERE request_id IN :ids ORDER BY request_id, at, id")
            .bindparams(sa.bindparam("ids", expanding=True)), {"ids": list(timelines)})
        for request_id, at, kind, to_status in events:
            timelines[int(request_id)].append((_moment(at), str(kind), str(to_status)))
        updates = []
        for request_id, status, is_open in rows:
            clock = tc.from_timeline(timelines[request_id], settings.first_action_days,
                                     settings.decision_days)
            if clock is None:
                continue
            updates.append({"id": request_id, "started": clock.started_at,
                            "action_due": clock.action_due, "acted": clock.acted_at,
                            "decision_due": clock.decision_due, "decided": clock.decided_at,
                            "due": clock.pending_due(status, is_open)})
        if updates:
            connection.execute(sa.text(
                "UPDATE triage_entries SET target_started_at = :started, "
                "action_due = :action_due, acted_at = :acted, decision_due = :decision_due, "
                "decided_at = :decided, target_due = :due WHERE request_id = :id")
                .bindparams(*(sa.bindparam(name, type_=UTCDateTime())
                              for name in ("started", "acted", "decided"))),
                updates)


def downgrade() -> None:
    op.drop_index("ix_triage_entries_target_due", table_name="triage_entries")
    with op.batch_alter_table("triage_entries") as batch_op:
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
