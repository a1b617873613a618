"""HTTP load benchmark: ``python -m bench.bench_http`` (run by ``make bench``, never by tests).

The portal under gunicorn (sync, one worker a core, production settings) on a PostgreSQL
cluster of the run's own with production durability (fsync and synchronous commit on), with
the data of :mod:`bench.http_workload`. Each scenario is offered at fixed rates by the
open-loop generator (:mod:`bench.http_open`, a separate process on loopback): the target rate
first, then up or down the ladder of :mod:`bench.http_steps` to the highest rate that keeps
p95 under the target with no errors. Then its throughput in a closed loop of 50 connections
(wrk for pages that need only a cookie, else the same generator) as a ratio to /healthz
measured the same way in the same run. Cache hits (an unchanged draft, a package opened
before) are scenarios of their own, reported apart.

Settings (environment): ``BENCH_QUICK=1`` (steps of 2 s, less data: a smoke run),
``BENCH_HTTP_STEP_SECONDS`` (measured seconds a step, default 5), ``BENCH_HTTP_WARMUP_SECONDS``
(default 1), ``BENCH_HTTP_SCENARIOS`` (comma-separated keys, default all),
``BENCH_HTTP_WORKERS`` / ``BENCH_HTTP_WORKER_CLASS`` / ``BENCH_HTTP_THREADS`` (default sync,
one worker a core), ``BENCH_HTTP_VOLUME`` (submitted requests, default 20000),
``BENCH_HTTP_MAX_RATE`` (the highest rate tried),
``BENCH_HTTP_CLIENT=python`` (no wrk), ``BENCH_HTTP_DURABLE=0`` (the fast test cluster).
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import http_harness as h
from bench import http_report, http_wrk
from bench import http_steps as s
from bench.cluster_run import on_own_cluster, print_rows
from bench.http_workload import Sizes, Workload, settle

DB_NAME = "portal_bench"
CONNECTIONS = 50


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    cache_hits: bool = False
    #: each target asked for once (a changed draft, a package not opened before)
    unique: bool = False
    editing: bool = False


SCENARIOS = (
    Scenario("floor", "GET /healthz (the floor: trivial endpoint of the same app, one "
                      "SELECT 1)"),
    Scenario("editing", "editing: each submitter saves a changed text into its own draft "
                        "(POST, 302), then opens that changed draft: its section page, task "
                        "list or check page in turn", editing=True),
    Scenario("section", "GET a wizard section page of a draft changed since its last view",
             unique=True),
    Scenario("overview", "GET the task list (overview) of a draft changed since its last "
                         "view", unique=True),
    Scenario("check", "GET the check page of a draft changed since its last view",
             unique=True),
    Scenario("queue", "GET a page of the triage queue (keyset pages 1-5)"),
    Scenario("package", "GET a triage package view not opened before", unique=True),
    Scenario("section-hit", "GET a wizard section page of an unchanged draft (cache hit)",
             cache_hits=True),
    Scenario("package-hit", "GET a triage package view opened before (cache hit)",
             cache_hits=True),
)


def number_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw.strip() else default


@dataclass(frozen=True)
class ServerOptions:
    """gunicorn's workers (``BENCH_HTTP_WORKER_CLASS`` / ``_WORKERS`` / ``_THREADS``) and the
    database's durability, shared by the benchmarks that serve the portal over HTTP."""

    worker_class: str
    workers: int
    threads: int
    durable: bool

    @classmethod
    def from_env(cls, durable: bool) -> ServerOptions:
        return cls(os.environ.get("BENCH_HTTP_WORKER_CLASS") or "sync",
                   int(number_env("BENCH_HTTP_WORKERS", os.cpu_count() or 1)),
                   int(number_env("BENCH_HTTP_THREADS", 4)), durable)

    def env(self, url: str, data_dir: Path) -> dict[str, str]:
        """The server's environment: production settings; the harness's key ring (it sealed the
        triage accounts' TOTP secrets)."""
        return h.server_env(url, data_dir, PORTAL_ENV="production",
                            PORTAL_SECURE_COOKIES="true",
                            PORTAL_BASE_URL="https://portal.example.org")

    def gunicorn(self, env: dict[str, str]) -> h.Gunicorn:
        return h.Gunicorn(env, workers=self.workers, worker_class=self.worker_class,
                          threads=self.threads)

    def text(self) -> str:
        kind = (f"gthread, {self.workers} workers x {self.threads} threads"
                if self.worker_class == "gthread" else
                f"{self.worker_class}, {self.workers} workers")
        database = ("PostgreSQL with fsync and synchronous commit on" if self.durable
                    else "PostgreSQL test cluster (fsync off)")
        return f"gunicorn {kind}, production settings; {database}"


class Bench:
    def __init__(self, base: str, durable: bool) -> None:
        quick = os.environ.get("BENCH_QUICK") == "1"
        self.quick = quick
        self.seconds = number_env("BENCH_HTTP_STEP_SECONDS", 2 if quick else 5)
        self.warmup = number_env("BENCH_HTTP_WARMUP_SECONDS", 1)
        self.ceiling = number_env("BENCH_HTTP_MAX_RATE", math.inf)
        self.options = ServerOptions.from_env(durable)
        volume = int(number_env("BENCH_HTTP_VOLUME", 8000 if quick else 20_000))
        sizes = Sizes(50, 24, 10, volume) if quick else Sizes(volume=volume)
        wanted = os.environ.get("BENCH_HTTP_SCENARIOS", "")
        keys = {k.strip() for k in wanted.split(",") if k.strip()}
        self.scenarios = [x for x in SCENARIOS if not keys or x.key in keys or x.key == "floor"]
        self.durable = durable
        self.data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.url = h.fresh_database(base, DB_NAME)
        print("  preparing the data ...", flush=True)
        self.work = Workload(self.url, sizes)
        self.use_wrk = http_wrk.available() and os.environ.get("BENCH_HTTP_CLIENT") != "python"
        self.port = 0

    def close(self) -> None:
        self.work.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def server(self) -> h.Gunicorn:
        return self.options.gunicorn(self.options.env(self.url, self.data_dir))

    def server_text(self) -> str:
        return self.options.text()

    # -- one run ---------------------------------------------------------------------------------
    def _jobs(self, scenario: Scenario, count: int) -> dict[str, Any]:
        w = self.work
        if scenario.editing:
            return {"editors": w.editors}
        if scenario.key in ("section", "overview", "check"):
            w.change_pool()
            return {"targets": w.pool_views(scenario.key)}
        if scenario.key == "package":
            return {"targets": w.unseen_packages(count)}
        targets = {"floor": w.floor, "queue": w.queue, "section-hit": w.unchanged_sections,
                   "package-hit": w.seen_packages}[scenario.key]()
        return {"targets": targets}

    def _generate(self, scenario: Scenario, spec: dict[str, Any]) -> dict[str, Any]:
        settle(self.port)
        count = math.ceil(float(spec.get("rate", 800)) * (self.warmup + self.seconds)) + 20
        jobs = self._jobs(scenario, count)
        result = s.run_generator({"port": self.port, "cookies": self.work.cookies,
                                  "duration": self.seconds, "warmup": self.warmup,
                                  "timeout": 10, "grace": 3, **spec, **jobs})
        if scenario.editing:
            self.work.editors = result["editors"]
        if scenario.key == "package":
            self.work.used_unseen(len(jobs["targets"]))
        result["given"] = len(jobs.get("targets", []))
        return result

    def open_step(self, scenario: Scenario, rate: float) -> s.Step:
        result = self._generate(scenario, {"mode": "open", "rate": rate})
        return s.step_of(rate, result, pool=result["given"] if scenario.unique else 0)

    def closed(self, scenario: Scenario, python: bool = False) -> dict[str, float]:
        """Closed loop, :data:`CONNECTIONS` connections, no think time: rps, p95, errors."""
        if self.use_wrk and not python and not scenario.editing:
            settle(self.port)
            count = int(600 * (self.seconds + 1))
            targets = self._jobs(scenario, count)["targets"]
            if scenario.key == "package":
                self.work.used_unseen(len(targets))
            pairs = [(str(t[1]), http_wrk.cookie_header(self.work.cookies[int(t[2])]))
                     for t in targets]
            f = http_wrk.run(self.port, pairs, seconds=self.seconds, connections=CONNECTIONS,
                             once=scenario.unique)
            return {"rps": f["rps"], "p95": f["p95"], "errors": f["errors"] + f["unexpected"],
                    "count": f["count"], "given": float(len(targets))}
        result = self._generate(scenario, {"mode": "closed", "connections": CONNECTIONS})
        step = s.step_of(0, result)
        return {"rps": step.total["achieved"], "p95": step.total["p95"],
                "errors": step.total["errors"], "count": step.total["count"],
                "given": float(result["given"])}

    # -- the whole run ---------------------------------------------------------------------------
    def measure(self) -> dict[str, Any]:
        out: dict[str, Any] = {"floors": {"wrk": [], "python": []}, "scenarios": {}}
        floor = SCENARIOS[0]
        with self.server() as server:
            self.port = server.port
            print("  signing in ...", flush=True)
            self.work.sign_in(server.port)
            if any(x.editing for x in self.scenarios):
                result = s.run_generator({"port": self.port, "mode": "prime",
                                          "cookies": self.work.cookies,
                                          "editors": self.work.editors})
                self.work.editors = result["editors"]
            self._floors(out, floor)
            for scenario in self.scenarios:
                print(f"  {scenario.key}:", flush=True)
                if scenario.cache_hits:  # every worker has seen every page once
                    self._generate(scenario, {"mode": "closed", "connections": 8,
                                              "duration": 2 if self.quick else 4})
                closed = self.closed(scenario)
                print(f"    closed loop: {closed['rps']:.0f} req/s", flush=True)
                steps = s.search(functools.partial(self.open_step, scenario), self.ceiling,
                                 closed["rps"])
                out["scenarios"][scenario.key] = {"steps": steps, "closed": closed}
            self._floors(out, floor)
        return out

    def _floors(self, out: dict[str, Any], floor: Scenario) -> None:
        out["floors"]["python"].append(self.closed(floor, python=True))
        if self.use_wrk:
            out["floors"]["wrk"].append(self.closed(floor))


def run() -> list[dict[str, Any]]:
    return on_own_cluster(DB_NAME, lambda url, durable: Bench(url, durable=durable), _report)


def _report(bench: Bench, measured: dict[str, Any]) -> list[dict[str, Any]]:
    floors = {tool: statistics.mean(f["rps"] for f in runs)
              for tool, runs in measured["floors"].items() if runs}
    return http_report.rows(bench, measured, floors)


def main() -> None:
    print_rows(run())


if __name__ == "__main__":
    main()
