"""The packages' background work: a package's build (enqueued with its submission), and the
scheduled repair and hand-off passes."""

from __future__ import annotations

import logging

from portal.config import Settings
from portal.jobs import schedule
from portal.jobs.queue import JobContext, handler
from portal.packages import forwarder
from portal.packages.building import build_package
from portal.packages.recording import BUILD
from portal.packages.repair import repair

log = logging.getLogger(__name__)

REPAIR = "package.repair"
#: The repair that also reads every built bag's files (their checksums) once a day.
THOROUGH_REPAIR = "package.repair_thorough"
FORWARD = "package.forward"


@handler(BUILD)
def _build(context: JobContext, payload: dict[str, object]) -> None:
    # idempotent: a package built already (or held by another builder) is left alone
    build_package(context.engine, context.settings, int(str(payload["package_id"])))


@handler(REPAIR)
def _repair(context: JobContext, _payload: dict[str, object]) -> None:
    report = repair(context.engine, context.settings, thorough=False)
    if report.failed:
        raise RuntimeError("; ".join(f"{name}: {error}" for name, error in report.failed))


@handler(THOROUGH_REPAIR)
def _repair_thoroughly(context: JobContext, _payload: dict[str, object]) -> None:
    report = repair(context.engine, context.settings, thorough=True)
    if report.failed:
        raise RuntimeError("; ".join(f"{name}: {error}" for name, error in report.failed))


@handler(FORWARD)
def _forward(context: JobContext, _payload: dict[str, object]) -> None:
    # (one pass a minute; the repairs are jobs of their own, not a scan of every bag each time)
    summary = forwarder.run(context.engine, context.settings, once=True, with_repair=False)
    if summary.sent or summary.retrying or summary.failed or summary.lost or summary.errors:
        log.info("hand-off pass: %s", summary)


def _forward_period(settings: Settings) -> float:
    # (at most one pass a minute: each pass is a job row, kept PORTAL_JOBS_KEEP_DAYS)
    return max(settings.forward_poll_seconds, 60.0)


schedule.every(REPAIR, 600)
schedule.every(THOROUGH_REPAIR, 86_400)
schedule.every(FORWARD, _forward_period)
