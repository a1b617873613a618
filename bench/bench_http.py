"""HTTP load benchmark: ``python -m bench.bench_http`` (run by ``make bench``, never by tests).

The portal is served by gunicorn on PostgreSQL (a cluster of the run's own with production
durability: fsync and synchronous commit on; a fresh database
``portal_bench`` with the demo accounts, 50 submitters with 2 drafts each imported from
examples/requests, 10 OIA triage users with TOTP, and a volume of submitted requests). The load
generator (:mod:`bench.http_load`) runs in a separate process on loopback: 50 connections, a
closed loop without think time, sessions signed in through the real forms (CSRF tokens, TOTP
codes). Each kind of request is measured alone (its throughput is compared with the floor,
``/healthz`` of the same app, measured the same way in the same run), then all together in a
mix (40 submitter connections opening sections, saving their own draft and running the check;
10 triage connections paging the queue and opening packages).

Settings (environment):
``BENCH_HTTP_SECONDS`` (measured seconds per run, default 10), ``BENCH_HTTP_ROUNDS`` (runs
of each kind, taking turns, whose median is reported; default 3), ``BENCH_HTTP_WORKERS`` /
``BENCH_HTTP_WORKER_CLASS`` / ``BENCH_HTTP_THREADS`` (skip the comparison of worker settings
and use these), ``BENCH_HTTP_CONNECTIONS`` (default 50), ``BENCH_HTTP_VOLUME`` (submitted
requests generated for triage, default 2000), ``BENCH_HTTP_DURABLE=0`` (use the fast test
cluster instead of a durable one of the run's own).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import http_harness as h
from bench import http_wrk
from bench.http_client import Browser
from portal.config import new_attachment_key_entry

TARGET_RPS = 300.0
TARGET_P95_MS = 200.0
DB_NAME = "portal_bench"
#: Kinds measured with wrk when it is installed (they need only a cookie).
WRK_KINDS = ("floor", "section", "check", "queue", "package")
SECTION_SLUGS = ["authority", "legal-basis", "proceedings", "offences", "facts", "assistance",
                 "preservation"]


@dataclass(frozen=True)
class ServerConfig:
    worker_class: str
    workers: int
    threads: int

    def __str__(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread, {self.workers} workers x {self.threads} threads"
        return f"{self.worker_class}, {self.workers} workers"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _queue_pages(port: int, cookies: dict[str, str], pages: int = 5) -> list[str]:
    async def walk() -> list[str]:
        browser = Browser("127.0.0.1", port)
        browser.cookies.values = dict(cookies)
        found = ["/triage"]
        path = "/triage"
        for _ in range(pages - 1):
            page = await browser.get(path)
            match = re.search(r'rel="next" href="([^"]+)"', page.text)
            if page.status != 200 or not match:
                break
            path = match.group(1).replace("&amp;", "&")
            found.append(path)
        await browser.close()
        return found

    return asyncio.run(walk())


class Bench:
    def __init__(self, base: str, durable: bool) -> None:
        self.seconds = _int_env("BENCH_HTTP_SECONDS", 10)
        self.rounds = _int_env("BENCH_HTTP_ROUNDS", 3)
        self.connections = _int_env("BENCH_HTTP_CONNECTIONS", 50)
        self.volume = _int_env("BENCH_HTTP_VOLUME", 2000)
        self.cores = os.cpu_count() or 1
        self.data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.base = base
        self.durable = durable
        self.url = h.fresh_database(self.base, DB_NAME)
        self.data = h.prepare(self.url, submitters=50, drafts_each=2, triage=10,
                              volume=self.volume)
        self.queue_pages: list[str] = []
        self.cookies: list[dict[str, str]] = []
        self.attachment_keys = new_attachment_key_entry("bench")
        self.triage_ready = bool(self.data.submitted)
        self.use_wrk = http_wrk.available() and os.environ.get("BENCH_HTTP_CLIENT") != "python"

    def close(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def credentials(self) -> list[h.Credential]:
        return [*self.data.submitters, *self.data.triage]

    def users(self) -> list[dict[str, Any]]:
        return [{**c.as_spec(), "cookies": cookies} for c, cookies
                in zip(self.credentials(), self.cookies, strict=True)]

    def triage_user(self, n: int) -> int:
        return len(self.data.submitters) + n % len(self.data.triage)

    def spec(self, port: int, connections: list[dict[str, Any]], seconds: float
             ) -> dict[str, Any]:
        return {"port": port, "duration": seconds, "warmup": 3, "users": self.users(),
                "connections": connections, "queue_pages": self.queue_pages or ["/triage"],
                "packages": self.data.submitted or ["none"], "timeout": 60}

    def alone(self, kind: str) -> list[dict[str, Any]]:
        conns = []
        for n in range(self.connections):
            conn: dict[str, Any] = {"name": f"{kind}{n}", "plan": [kind], "offset": n}
            if kind in ("queue", "package"):
                conn["user"] = self.triage_user(n)
            else:
                submitter = n % len(self.data.submitters)
                conn["user"] = submitter
                # the second draft of each submitter is saved only by the save runs
                conn["draft"] = self.data.drafts[submitter][0 if kind != "save" else -1]
                conn["slugs"] = SECTION_SLUGS
            conns.append(conn)
        return conns

    def mix(self) -> list[dict[str, Any]]:
        conns = []
        triage_conns = self.connections // 5 if self.triage_ready else 0
        for n in range(self.connections - triage_conns):
            submitter = n % len(self.data.submitters)
            conns.append({"name": f"mix{n}", "user": submitter, "offset": n,
                          "plan": ["section", "save", "section", "check"],
                          "draft": self.data.drafts[submitter][-1], "slugs": SECTION_SLUGS})
        for n in range(triage_conns):
            conns.append({"name": f"mixt{n}", "user": self.triage_user(n), "offset": n,
                          "plan": ["queue", "package", "package"]})
        return conns

    def editing(self) -> list[dict[str, Any]]:
        """Submitters editing: each saves a new text into its own draft, then opens the section
        it saved (the first view of a changed draft: nothing about it is remembered yet)."""
        return [{"name": f"edit{n}", "user": n % len(self.data.submitters), "offset": 0,
                 "plan": ["save", "fresh"],
                 "draft": self.data.drafts[n % len(self.data.submitters)][-1]}
                for n in range(self.connections)]

    def wrk_targets(self, kind: str) -> list[tuple[str, str]]:
        """(path, Cookie header) pairs that wrk cycles through for a GET kind."""
        cookie = [http_wrk.cookie_header(c) for c in self.cookies]
        submitters = len(self.data.submitters)
        triage = [cookie[submitters + n] for n in range(len(self.data.triage))]
        if kind == "floor":
            return [("/healthz", cookie[n]) for n in range(submitters)]
        if kind == "section":
            return [(f"/requests/{self.data.drafts[n][0]}/{slug}", cookie[n])
                    for slug in SECTION_SLUGS for n in range(submitters)]
        if kind == "check":
            return [(f"/requests/{self.data.drafts[n][0]}/check", cookie[n])
                    for n in range(submitters)]
        if kind == "queue":
            return [(page, triage[n % len(triage)]) for n, page in
                    enumerate(self.queue_pages * len(triage))]
        if kind == "package":
            return [(f"/triage/{public_id}", triage[n % len(triage)])
                    for n, public_id in enumerate(self.data.submitted)]
        raise ValueError(kind)

    def serve(self, config: ServerConfig) -> h.Gunicorn:
        # production settings (no template reloading, HTTPS cookies, keys from the environment)
        # behind a TLS proxy that this loopback benchmark leaves out
        env = h.server_env(self.url, self.data_dir, PORTAL_ENV="production",
                           PORTAL_SECURE_COOKIES="true",
                           PORTAL_BASE_URL="https://portal.example.org",
                           PORTAL_ATTACHMENT_KEYS=self.attachment_keys)
        return h.Gunicorn(env, workers=config.workers, worker_class=config.worker_class,
                          threads=config.threads)

    def measure(self, config: ServerConfig, kinds: list[str], seconds: float,
                rounds: int = 1) -> dict[str, dict[str, float]]:
        """Each kind ``rounds`` times, the kinds taking turns (a slow spell of a shared
        machine then spreads over all of them); per kind the median of each figure, errors
        and unexpected answers summed."""
        runs: list[dict[str, dict[str, float]]] = []
        with self.serve(config) as server:
            if not self.cookies:  # once: sessions live in the database, across servers
                self.cookies = h.sign_in_all(server.port, self.credentials())
            if self.triage_ready and not self.queue_pages:
                self.queue_pages = _queue_pages(server.port,
                                                self.cookies[len(self.data.submitters)])
            for number in range(rounds):
                runs.append(self._measure_once(server, config, kinds, seconds,
                                               f" (round {number + 1} of {rounds})"
                                               if rounds > 1 else ""))
        return _median_runs(runs)

    def _measure_once(self, server: h.Gunicorn, config: ServerConfig, kinds: list[str],
                      seconds: float, label: str) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for kind in kinds:
            print(f"  {config}: {kind}{label} ...", flush=True)
            if kind in WRK_KINDS and self.use_wrk:
                targets = self.wrk_targets(kind)
                http_wrk.run(server.port, targets, seconds=3,
                             connections=self.connections)  # warm-up
                out[kind] = http_wrk.run(server.port, targets, seconds=seconds,
                                         connections=self.connections)
                continue
            if kind == "floor-python":
                result = h.run_load(self.spec(server.port, self.alone("floor"), seconds))
                out[kind] = h.summarize(result).get("floor", _empty())
                out[kind]["unexpected"] = float(sum(result["unexpected"].values()))
                continue
            if kind in ("mix", "edit"):
                spec = self.spec(server.port, self.mix() if kind == "mix" else self.editing(),
                                 seconds)
                spec["markers"] = kind == "edit"  # each save a new text
                result = h.run_load(spec)
                for name, figures in h.summarize(result).items():
                    out[f"{kind}:{name}"] = figures
                out[f"{kind}:all"] = _total(result, seconds)
            else:
                result = h.run_load(self.spec(server.port, self.alone(kind), seconds))
                out[kind] = h.summarize(result).get(kind, _empty())
                out[kind]["unexpected"] = float(sum(result["unexpected"].values()))
        return out

    def choose(self) -> tuple[ServerConfig, list[dict[str, Any]]]:
        forced = os.environ.get("BENCH_HTTP_WORKER_CLASS")
        if forced:
            config = ServerConfig(forced, _int_env("BENCH_HTTP_WORKERS", 2 * self.cores + 1),
                                  _int_env("BENCH_HTTP_THREADS", 4))
            return config, []
        candidates = [
            # one process per core: measured 20-40% more pages per second than 2 x cores + 1
            # now that no request waits on another's audit lock (less switching, warmer caches)
            ServerConfig("sync", self.cores, 1),
            # one more: while a page waits for the database (its reads, its commit), a third
            # process could use the core. One hand comparison on 2 cores favoured 3 (package
            # view 239 -> 283 req/s); make bench's own medians then favoured 2 (section 384
            # against 331 req/s), so it stays a candidate and the median of 3 runs decides
            ServerConfig("sync", self.cores + 1, 1),
            ServerConfig("sync", 2 * self.cores + 1, 1),
            ServerConfig("gthread", 2 * self.cores + 1, 4),
            ServerConfig("gthread", self.cores, 8),
        ]
        rows = []
        best: tuple[float, ServerConfig] | None = None
        # the median of 3 short runs: one run of 5 s picked 5 sync workers over 2 on a slow
        # spell of this shared machine, and every row below then ran on the worse setting.
        # The rounds take turns across the settings (one round of each, three times): a slow
        # spell of a minute or two then falls on every setting, not on one (10:38 UTC, one
        # setting after another, picked 5 sync workers with a section page 18% above 2's;
        # every page then ran at 5 workers, whose floor is 30% lower).
        rounds = min(3, self.rounds)
        seconds = max(5, self.seconds // 2)
        kinds = ["floor", "section", *(["package"] if self.triage_ready else [])]
        runs: dict[ServerConfig, list[dict[str, dict[str, float]]]] = {
            config: [] for config in candidates}
        for _round in range(rounds):
            for config in candidates:
                runs[config].append(self.measure(config, kinds, seconds, 1))
        for config in candidates:
            figures = _median_runs(runs[config])
            # the page furthest from failing decides: the section page and the package view,
            # the heaviest page
            score = min(_margin(figures[kind]) for kind in kinds if kind != "floor")
            pages = "; ".join(
                f"{kind} {figures[kind]['rps']:.0f} req/s, p95 {figures[kind]['p95']:.0f} ms"
                for kind in kinds if kind != "floor")
            rows.append({
                "what": f"worker settings: {config}",
                "how": f"GET a wizard section and a package view "
                       f"({'wrk' if self.use_wrk else 'Python generator'}), "
                       f"{self.connections} connections, median of {rounds} runs of "
                       f"{seconds} s taking turns with the other settings (floor /healthz "
                       f"{figures['floor']['rps']:.0f} req/s)",
                "result": f"{pages} (margin {score:.2f})",
                "target": "informative (the largest margin is used below)", "ok": True})
            if best is None or score > best[0]:
                best = (score, config)
        assert best is not None
        return best[1], rows


def _margin(figures: dict[str, float]) -> float:
    """How far a page is from failing either target: the smaller of its throughput over the
    target's and the target p95 over its p95 (above 1: both met). The worker setting is chosen
    by this, not by throughput alone: a make bench run picked gthread (5 x 4) for its 328
    req/s on the section page against 289 with 2 sync workers, and every page then missed the
    p95 target (350 ms and more)."""
    p95 = figures.get("p95", float("nan"))
    latency = TARGET_P95_MS / p95 if p95 == p95 and p95 > 0 else 0.0
    return min(figures.get("rps", 0.0) / TARGET_RPS, latency)


def _empty() -> dict[str, float]:
    return {"count": 0, "rps": 0.0, "p50": float("nan"), "p95": float("nan"),
            "p99": float("nan"), "errors": 0}


def _total(result: dict[str, Any], seconds: float) -> dict[str, float]:
    samples = [s for kind in result["samples"].values() for s in kind
               if s[0] >= 0 and s[0] + s[1] <= seconds]
    latencies = [s[1] for s in samples]
    return {"count": len(samples), "rps": len(samples) / seconds,
            "p50": h.percentile(latencies, 0.5) * 1000,
            "p95": h.percentile(latencies, 0.95) * 1000,
            "p99": h.percentile(latencies, 0.99) * 1000,
            "errors": sum(1 for s in samples if s[2] >= 500 or s[2] == 0)}


def _median_runs(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    if len(runs) == 1:
        return runs[0]
    out: dict[str, dict[str, float]] = {}
    for key in runs[0]:
        figures = [run[key] for run in runs if key in run]
        merged = {name: statistics.median(f.get(name, 0.0) for f in figures)
                  for name in figures[0]}
        for name in ("errors", "unexpected"):
            if any(name in f for f in figures):
                merged[name] = float(sum(f.get(name, 0.0) for f in figures))
        out[key] = merged
    return out


LABELS = {
    "floor": "GET /healthz (the floor: trivial endpoint of the same app, one SELECT 1)",
    "section": "GET a wizard section page (submitter, audited view; the draft unchanged, so "
               "its content, findings and fields' HTML are remembered from the first view: "
               "the editing rows below show a first view)",
    "save": "POST a section form: save a draft (own draft per connection, current revision)",
    "check": "GET the check page (rule engine over the draft; unchanged, so its findings are "
             "remembered: the evaluate() rows above time the engine itself)",
    "queue": "GET a page of the triage queue (keyset pages 1-5)",
    "package": "GET a triage package view (200 submitted requests in turn; each version's "
               "content is rendered once per language and kept)",
}


def _figures(f: dict[str, float], floor: float | None) -> str:
    ratio = f" = {f['rps'] / floor:.2f} x floor" if floor else ""
    unexpected = int(f.get("unexpected", 0))
    other = f", {unexpected} unexpected answers (not 200)" if unexpected else ""
    return (f"{f['rps']:.0f} req/s{ratio}; p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms, "
            f"p99 {f['p99']:.0f} ms; {int(f['errors'])} errors{other}")


def run() -> list[dict[str, Any]]:
    """On a cluster of its own configured as production would be (every commit flushed to
    disk: each audited page commits), unless ``BENCH_HTTP_DURABLE=0`` (the test cluster of
    scripts/ensure-postgres.sh, fsync off)."""
    if os.environ.get("BENCH_HTTP_DURABLE", "1") == "0":
        return _run(Bench(h.ensure_postgres(), durable=False))
    with h.private_postgres(DB_NAME, durable=True, max_connections=200) as server:
        return _run(Bench(server.admin_url, durable=True))


def _run(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        config, comparison = bench.choose()
        rows.extend(comparison)
        kinds = ["floor", "section", "save", "check"]
        if bench.triage_ready:
            kinds += ["queue", "package"]
        extra = ["floor-python"] if bench.use_wrk else []
        figures = bench.measure(config, [*kinds, *extra, "mix", "edit"], bench.seconds,
                                bench.rounds)
        floor = figures["floor"]["rps"]
        python_floor = figures["floor-python"]["rps"] if bench.use_wrk else floor
        database = ("PostgreSQL with fsync and synchronous commit on" if bench.durable
                    else "PostgreSQL test cluster (fsync off)")
        runs = (f"median of {bench.rounds} runs of {bench.seconds} s (each after 3 s warm-up; "
                "the kinds take turns)" if bench.rounds > 1
                else f"{bench.seconds} s after 3 s warm-up")
        server = (f"gunicorn {config}, production settings; {database}; {bench.connections} "
                  f"connections, closed loop, no think time, {runs}, load generator in a "
                  "separate process on loopback")
        by_wrk = (f"wrk (C, 2 threads; each user's cookie as a browser holds it after signing "
                  f"in: the form token already in the session); {server}")
        by_python = (f"bench.http_load (Python asyncio on uvloop: forms, CSRF tokens, revisions); "
                     f"{server}")
        for kind in kinds:
            f = figures[kind]
            wrk_kind = bench.use_wrk and kind in WRK_KINDS
            target = "floor" if kind == "floor" else f"≥ {TARGET_RPS:.0f} req/s, p95 < " \
                                                     f"{TARGET_P95_MS:.0f} ms"
            ok = f["errors"] == 0 and f.get("unexpected", 0) == 0 and (
                kind == "floor" or (f["rps"] >= TARGET_RPS and f["p95"] < TARGET_P95_MS))
            reference = floor if wrk_kind else python_floor
            rows.append({"what": LABELS[kind], "how": by_wrk if wrk_kind else by_python,
                         "result": _figures(f, None if kind == "floor" else reference),
                         "target": target, "ok": ok})
        if bench.use_wrk:
            f = figures["floor-python"]
            rows.append({"what": LABELS["floor"] + ", driven by the Python generator",
                         "how": by_python, "result": _figures(f, None),
                         "target": "floor of the save and mix rows", "ok": f["errors"] == 0})
        if not bench.triage_ready:
            rows.append({"what": "triage queue and package view", "how": "",
                         "result": "pending: no triage workspace/submitted requests",
                         "target": "", "ok": False})
        mix_how = (f"the mix: {bench.connections} connections at once (4/5 submitters: "
                   "section, save, section, check on their own draft; 1/5 triage: queue page, "
                   f"package, package), median of {bench.rounds} runs of {bench.seconds} s, "
                   "Python generator")
        total = figures["mix:all"]
        rows.append({"what": "mixed traffic, all requests", "how": mix_how,
                     "result": _figures(total, python_floor), "target": "informative",
                     "ok": total["errors"] == 0})
        for kind in kinds[1:]:
            if f"mix:{kind}" not in figures:
                continue
            f = figures[f"mix:{kind}"]
            rows.append({"what": f"mixed traffic: {kind}", "how": "same run as above",
                         "result": _figures(f, None),
                         "target": f"p95 < {TARGET_P95_MS:.0f} ms",
                         "ok": f["errors"] == 0 and f["p95"] < TARGET_P95_MS})
        edit_how = (f"{bench.connections} connections, each a submitter saving a new text into "
                    "its own draft, then opening the section it saved; "
                    f"median of {bench.rounds} runs of {bench.seconds} s, Python generator")
        total = figures["edit:all"]
        rows.append({"what": "editing: save a changed draft, then open its section, all requests",
                     "how": edit_how, "result": _figures(total, python_floor),
                     "target": "informative", "ok": total["errors"] == 0})
        for kind, what in (("save", "editing: save a changed text (POST, the section form)"),
                           ("fresh", "editing: the section page just saved (the first view of "
                                     "a changed draft: findings evaluated, fields rendered)")):
            f = figures.get(f"edit:{kind}", _empty())
            rows.append({"what": what, "how": "same run as above", "result": _figures(f, None),
                         "target": f"p95 < {TARGET_P95_MS:.0f} ms",
                         "ok": f["errors"] == 0 and f["p95"] < TARGET_P95_MS})
    finally:
        bench.close()
    return rows


def main() -> None:
    for row in run():
        mark = "ok " if row["ok"] else "FAIL"
        print(f"[{mark}] {row['what']}: {row['result']} (target {row['target']}; {row['how']})")


if __name__ == "__main__":
    main()
