"""The packages' scheduled jobs: the hand-off pass a minute reads no bag it does not send, the
repair every ten minutes gives every version its package, and a thorough repair once a day reads
every built bag and rebuilds one lost from the disk."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from portal.jobs import schedule, worker
from portal.jobs.queue import enqueue
from portal.packages.building import built_bag
from portal.packages.jobs import FORWARD, REPAIR, THOROUGH_REPAIR
from portal.packages.models import Package
from tests.packages.conftest import Env


def _run(env: Env, kind: str) -> None:
    with env.database.session() as db:
        enqueue(db, kind)
    worker.drain(env.database.engine, env.settings)


def test_a_lost_bag_is_rebuilt_by_the_daily_thorough_repair_only(env: Env) -> None:
    env.submitted()
    with env.database.session() as db:
        package = db.scalar(select(Package))
        assert package is not None
        db.expunge(package)
    bag = built_bag(env.settings, package)
    assert bag is not None
    shutil.rmtree(bag)
    _run(env, FORWARD)  # a hand-off pass: no scan of the bags on disk
    assert built_bag(env.settings, package) is None
    _run(env, REPAIR)  # every ten minutes: the versions without a package only
    assert built_bag(env.settings, package) is None
    _run(env, THOROUGH_REPAIR)
    assert built_bag(env.settings, package) is not None


def test_the_repairs_are_scheduled_ten_minutes_and_a_day_apart(env: Env) -> None:
    periods = {task.kind: task.seconds(env.settings) for task in schedule.tasks()}
    assert periods[REPAIR] == 600 and periods[THOROUGH_REPAIR] == 86_400
    assert periods[FORWARD] >= 60
