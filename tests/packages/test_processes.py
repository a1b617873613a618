"""Against PostgreSQL, with real processes: submissions killed with SIGKILL at random leave one
complete package and queue entry each and nothing orphaned; two forwarders deliver every package
exactly once, even to a receiver that fails for a while or drops the connection after accepting."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import bagit
import pytest
from sqlalchemy import func, select, text

from portal.packages.models import Handoff, HandoffState, Package, PackageState
from portal.packages.repair import repair
from portal.packages.verify import verify_package
from portal.requests.models import MlaRequest, RequestVersion, Status
from tests.conftest import PG_URL
from tests.packages import workers
from tests.packages.conftest import Env
from tests.packages.receiver import Receiver

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (PORTAL_TEST_DATABASE_URL)")


def _waiting(env: Env) -> list[tuple[str, str, str]]:
    """The other sessions of the test database: (state, wait event, query)."""
    with env.database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT state, coalesce(wait_event_type || ':' || wait_event, ''), left(query, 160) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")).all()
    env.database.engine.dispose()
    return [tuple(row) for row in rows]


def _kill_loop(env: Env, tmp_path: Path, kills: int, max_delay: float,
               request_pdf: bytes | None = None) -> dict[str, int]:
    log_path = tmp_path / "submitted.log"
    log_path.touch()
    env.submitted()
    env.database.engine.dispose()  # no connection may be shared with a child
    # children forked from a fresh, warmed-up process (tests/packages/fork_warm.py)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.packages.fork_warm"])
    rng = random.Random(8493)
    waits: list[tuple[str, str, str]] = []
    for round_ in range(kills):
        child = context.Process(target=workers.submit_forever,
                                args=(env.database.url, env.settings, env.user_id,
                                      str(log_path), round_, request_pdf))
        child.start()
        time.sleep(rng.uniform(0.05, max_delay))
        assert child.pid is not None
        waits = _waiting(env)
        with contextlib.suppress(ProcessLookupError):  # (it died on its own: said below)
            os.kill(child.pid, signal.SIGUSR1)  # its stacks, for the report of a failure
            time.sleep(0.02)
            os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL, (
            "the child must die by SIGKILL, mid-flight; its stacks:\n"
            + Path(f"{log_path}.stack").read_text())
    seen = [line.split() for line in log_path.read_text().splitlines() if line.strip()]
    if len(seen) < 5:  # say where the children were when they were killed
        stacks = Path(f"{log_path}.stack")
        print("last child's stacks:", stacks.read_text() if stacks.exists() else "none")
        print("database sessions just before the last kill:", waits)
    with env.database.session() as db:
        pending = db.scalar(select(func.count()).select_from(Package)
                            .where(Package.state == PackageState.PENDING.value)) or 0
    temp = env.settings.packages_path / ".tmp"
    leftovers = len(list(temp.iterdir())) if temp.is_dir() else 0

    # recovery: what the forwarder does when it starts
    killed_at = time.monotonic()
    report = repair(env.database.engine, env.settings, sweep_older_than_minutes=0)
    repaired_at = time.monotonic()
    assert report.failed == [] and report.orphans == []

    with env.database.session() as db:
        # every request the client saw as submitted: one version, one package, one queue entry
        for public_id, reference in seen:
            request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            assert request is not None and request.status == Status.SUBMITTED.value
            assert request.reference == reference
            packages = list(db.scalars(select(Package).where(Package.request_id == request.id)))
            assert [(p.version, p.state) for p in packages] == [(1, PackageState.BUILT.value)]
            assert db.scalar(select(func.count()).select_from(Handoff)
                             .where(Handoff.package_id == packages[0].id)) == 1
        # and every submission that committed (seen or not): the same
        versions = db.scalar(select(func.count()).select_from(RequestVersion))
        packages = list(db.scalars(select(Package)))
        assert len(packages) == versions
        assert all(p.state == PackageState.BUILT.value for p in packages)
        handoffs = list(db.scalars(select(Handoff)))
        assert Counter(h.package_id for h in handoffs) == Counter(p.id for p in packages)
        assert all(h.state == HandoffState.QUEUED.value for h in handoffs)
        submitted = db.scalar(select(func.count()).select_from(MlaRequest)
                              .where(MlaRequest.status == Status.SUBMITTED.value))
        assert submitted == versions  # no package without its submission, and vice versa
        # every bag complete and verifiable; nothing else on disk
        names = {p.bag_name for p in packages}
        on_disk = {p.name for p in env.settings.packages_path.iterdir() if p.name != ".tmp"}
        assert on_disk == names
        assert not list((env.settings.packages_path / ".tmp").iterdir())
        for package in packages:
            bag = env.settings.packages_path / package.bag_name
            bagit.Bag(str(bag)).validate()
            assert verify_package(bag, db) == [], package.bag_name
    print(f"repair {repaired_at - killed_at:.1f} s, checks {time.monotonic() - repaired_at:.1f} s")
    return {"kills": kills, "seen": len(seen), "committed": len(packages),
            "pending_before_repair": pending, "temp_dirs_before_repair": leftovers,
            "rebuilt": len(report.built)}


def test_sigkill_during_submissions_loses_and_duplicates_nothing(
        env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a small fixed request.pdf, so that the run is spent on submissions and kills
    (``make soak`` runs the real renderer)."""
    from tests.packages.helpers import pdf

    fixed = pdf("request")
    monkeypatch.setattr("portal.packages.payload.render_request_pdf", lambda *a, **k: fixed)
    started = time.monotonic()
    stats = _kill_loop(env, tmp_path, kills=55, max_delay=0.8, request_pdf=fixed)
    print(f"crash test: {stats} in {time.monotonic() - started:.1f} s")
    assert stats["seen"] >= 5  # the loop got work done between kills
    assert stats["committed"] >= stats["seen"] + 1  # the warm-up
    assert stats["rebuilt"] < stats["committed"] // 2  # the children built most themselves


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("PORTAL_SOAK"), reason="long variant: make soak")
def test_sigkill_soak(env: Env, tmp_path: Path) -> None:
    kills = int(os.environ.get("PORTAL_SOAK_KILLS", "600"))
    stats = _kill_loop(env, tmp_path, kills=kills, max_delay=1.5)
    print(f"crash soak: {stats}")


def _packages(env: Env, count: int) -> set[str]:
    for _ in range(count):
        env.submitted()
    with env.database.session() as db:
        return {f"{p.public_id}/v{p.version}" for p in db.scalars(select(Package))}


def _two_forwarders(env: Env, url: str) -> None:
    settings = env.settings.with_overrides(
        forward_url=url, forward_backoff_base_seconds=0.02, forward_backoff_cap_seconds=0.2,
        forward_poll_seconds=0.05, forward_timeout_seconds=5.0, forward_max_attempts=20)
    env.database.engine.dispose()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=workers.forward_until_idle,
                                 args=(env.database.url, settings, f"forwarder-{i}"))
                 for i in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(90)
        assert process.exitcode == 0


@pytest.fixture()
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.packages.helpers import pdf

    fixed = pdf("request")
    monkeypatch.setattr("portal.packages.payload.render_request_pdf", lambda *a, **k: fixed)


@pytest.mark.usefixtures("quick_pdf")
def test_two_forwarders_deliver_each_package_exactly_once(env: Env) -> None:
    keys = _packages(env, 24)
    with Receiver() as receiver:
        _two_forwarders(env, receiver.url)
    assert receiver.bad == []
    assert receiver.accepted == dict.fromkeys(keys, 1)
    assert receiver.posts == dict.fromkeys(keys, 1)  # no package was even sent twice
    with env.database.session() as db:
        handoffs = list(db.scalars(select(Handoff)))
        assert {h.state for h in handoffs} == {HandoffState.SENT.value}
        owners = {h.target for h in handoffs}
        assert owners == {receiver.url}


@pytest.mark.usefixtures("quick_pdf")
def test_two_forwarders_and_an_unreliable_receiver(env: Env) -> None:
    keys = _packages(env, 24)
    rng = random.Random(7)
    outage_until = time.monotonic() + 1.0

    def decide(_n: int, _key: str, nth: int) -> str:
        if time.monotonic() < outage_until:
            return "fail"  # down for a while
        if nth == 1 and rng.random() < 0.5:
            return "drop"  # accepts, then the connection drops before the answer
        return "fail" if rng.random() < 0.2 else "ok"

    with Receiver(decide) as receiver:
        _two_forwarders(env, receiver.url)
    assert receiver.bad == []
    assert set(receiver.accepted) == keys  # none missing
    assert receiver.accepted == dict.fromkeys(keys, 1)  # each accepted exactly once
    assert sum(receiver.posts.values()) > len(keys)  # and it did take retries
    with env.database.session() as db:
        assert {h.state for h in db.scalars(select(Handoff))} == {HandoffState.SENT.value}
