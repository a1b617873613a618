"""Browsing under hostile uploads (issue 23): ``python -m bench.bench_hostile`` (run by ``make
bench``, never by tests).

The portal under gunicorn as :mod:`bench.bench_http` serves it (same options, the data of
:mod:`bench.http_workload`, a PostgreSQL cluster of the run's own with production durability)
and one ``portal worker --threads 2`` beside it, which checks every upload. A mix of browsing
and saving (:data:`MIX`) is offered by the open-loop generator (:mod:`bench.http_open`) at a
fixed rate twice: alone (the baseline), then while three submitters, each signed in with a
draft of its own, upload PDFs that are slow or dangerous to check in a loop
(:mod:`bench.hostile_uploads`). Before both, an unreported run warms the server up.

Settings (environment): ``BENCH_QUICK=1`` (runs of 15 s, less data: a smoke run),
``BENCH_HOSTILE_SECONDS`` (measured seconds a run, default 60), ``BENCH_HOSTILE_RATE``
(offered requests a second, default 100), and bench_http's ``BENCH_HTTP_WORKERS`` /
``_WORKER_CLASS`` / ``_THREADS`` / ``_DURABLE``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import hostile_report
from bench import http_harness as h
from bench import http_steps as s
from bench.bench_http import ServerOptions, number_env
from bench.cluster_run import on_own_cluster, print_rows
from bench.hostile_uploads import Uploaders
from bench.http_workload import Sizes, Workload, settle
from bench.worker_process import WorkerProcess

DB_NAME = "portal_bench_hostile"
RATE = 100.0
UPLOADERS = 3
WORKER_THREADS = 2
#: What each scheduled request is, in turn: of 10, 4 go to the editors (who save a changed
#: text into their own draft, then open that draft: 2 saves and 2 views) and 6 to targets
#: (4 views of drafts changed since they were last viewed, 2 pages of the triage queue).
MIX = ["edit", "target", "target", "edit", "target", "edit", "target", "target", "edit",
       "target"]
VIEWS = ("section", "overview", "check")
EXAMPLE = h.EXAMPLES / "05-stored-content-good-de.json"


def add_uploaders(url: str, count: int) -> list[tuple[h.Credential, str]]:
    """Submitters of their own, each with one draft: (credential, draft public id)."""
    from portal.accounts.models import Authority, Role
    from portal.accounts.operations import Actor, create_user
    from portal.accounts.passwords import make_hasher
    from portal.requests import drafts

    database = h.open_database(url)
    out = []
    with database.session() as db:
        authority = db.scalar(select(Authority.id).order_by(Authority.id).limit(1))
        for n in range(count):
            email = f"bench-uploader-{n}@example.org"
            user = create_user(db, make_hasher(1, 1024, 1), Actor(None, "bench"), email=email,
                               name=f"Bench Uploader {n}", role=Role.SUBMITTER,
                               password=h.PASSWORD, authority_id=authority)
            created, errors = drafts.import_json(db, user, EXAMPLE.read_bytes())
            assert created is not None, errors
            out.append((h.Credential(email, h.PASSWORD), created.public_id))
    database.dispose()
    return out


def cpu_seconds(pids: list[int], children: list[int]) -> float:
    """CPU time of ``pids`` and of the children they have reaped, plus that of ``children``
    still running."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid, reaped in [*((p, True) for p in pids), *((c, False) for c in children)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if reaped:
            total += int(fields[13]) + int(fields[14])
    return total / tick


class HostileBench:
    def __init__(self, base: str, durable: bool) -> None:
        self.quick = os.environ.get("BENCH_QUICK") == "1"
        self.seconds = number_env("BENCH_HOSTILE_SECONDS", 15 if self.quick else 60)
        self.warmup = 1.0
        self.rate = number_env("BENCH_HOSTILE_RATE", RATE)
        self.options = ServerOptions.from_env(durable)
        self.mix = MIX
        self.uploader_count = UPLOADERS
        self.worker_threads = WORKER_THREADS
        self.data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-hostile-"))
        self.url = h.fresh_database(base, DB_NAME)
        print("  preparing the data ...", flush=True)
        sizes = Sizes(50, 24, 10, 8000) if self.quick else Sizes()
        self.work = Workload(self.url, sizes)
        self.packaged = self.work.mark_packaged(self.data_dir / "packages")
        self.uploaders = add_uploaders(self.url, self.uploader_count)
        self.port = 0

    def close(self) -> None:
        self.work.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- the mix ---------------------------------------------------------------------------------
    def targets(self) -> list[list[Any]]:
        """Each pool draft once (its section page, task list or check page in turn), a page
        of the queue after every two."""
        views = [self.work.pool_views(view) for view in VIEWS]
        queue = self.work.queue()
        out: list[list[Any]] = []
        for n in range(len(self.work.pool)):
            out.append(views[n % len(VIEWS)][n])
            if n % 2 == 1:
                out.append(queue[(n // 2) % len(queue)])
        return out

    def pool_needed(self) -> int:
        """Pool views a run schedules (beyond the pool's size, drafts are viewed again)."""
        targets = self.mix.count("target") / len(self.mix)
        return int(self.rate * (self.warmup + self.seconds) * targets * 2 / 3)

    def run_mix(self, seconds: float, server: h.Gunicorn, worker: WorkerProcess
                ) -> dict[str, Any]:
        settle(self.port)
        self.work.change_pool()
        cpu = self._cpu(server, worker)
        started = time.monotonic()
        result = s.run_generator({
            "port": self.port, "mode": "open", "rate": self.rate, "mix": self.mix,
            "cookies": self.work.cookies, "editors": self.work.editors,
            "targets": self.targets(), "duration": seconds, "warmup": self.warmup,
            "timeout": 10, "grace": 3})
        wall = time.monotonic() - started
        after = self._cpu(server, worker)
        self.work.editors = result["editors"]
        result["cpu"] = {"wall": wall, "web": after["web"] - cpu["web"],
                         "worker": after["worker"] - cpu["worker"]}
        return result

    @staticmethod
    def _cpu(server: h.Gunicorn, worker: WorkerProcess) -> dict[str, float]:
        return {"web": cpu_seconds(server.worker_pids(), []),
                "worker": cpu_seconds([worker.pid], worker.children())}

    # -- the whole run ---------------------------------------------------------------------------
    def measure(self) -> dict[str, Any]:
        env = self.options.env(self.url, self.data_dir)
        worker = WorkerProcess(env, threads=self.worker_threads, log=self.data_dir / "worker.log")
        with self.options.gunicorn(env) as server:
            self.port = server.port
            worker.start()
            try:
                return self._measure(server, worker)
            finally:
                worker.stop()

    def _measure(self, server: h.Gunicorn, worker: WorkerProcess) -> dict[str, Any]:
        print("  signing in ...", flush=True)
        self.work.sign_in(self.port)
        primed = s.run_generator({"port": self.port, "mode": "prime",
                                  "cookies": self.work.cookies, "editors": self.work.editors})
        self.work.editors = primed["editors"]
        upload_cookies = h.sign_in_all(self.port, [c for c, _draft in self.uploaders])
        print("  warming up ...", flush=True)
        self.run_mix(3 if self.quick else 10, server, worker)
        print("  baseline ...", flush=True)
        baseline = self.run_mix(self.seconds, server, worker)
        print(f"    {hostile_report.brief(baseline)}", flush=True)
        print("  with the uploaders ...", flush=True)
        since = datetime.now(UTC)
        uploaders = Uploaders({"port": self.port, "poll": 1.0, "uploaders": [
            {"cookies": cookies, "draft": draft}
            for cookies, (_c, draft) in zip(upload_cookies, self.uploaders, strict=True)]})
        uploaders.start()
        try:
            uploaders.wait_ready()
            deadline = time.monotonic() + 10  # the worker polls for jobs every 2 s
            while not worker.children() and time.monotonic() < deadline:
                time.sleep(0.05)
            hostile = self.run_mix(self.seconds, server, worker)
        finally:
            uploads = uploaders.stop()
        print(f"    {hostile_report.brief(hostile)}", flush=True)
        checks = hostile_report.checks(self.url, [c.email for c, _d in self.uploaders], since)
        return {"baseline": baseline, "hostile": hostile, "uploads": uploads, "checks": checks}


def run() -> list[dict[str, Any]]:
    return on_own_cluster(DB_NAME, lambda url, durable: HostileBench(url, durable=durable),
                          hostile_report.rows)


def main() -> None:
    print_rows(run())


if __name__ == "__main__":
    main()
