"""Runs of the open-loop generator (:mod:`bench.http_open`) at fixed rates, their figures, and
the search for the highest rate that keeps p95 under the target with no errors."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.http_harness import ROOT, percentile

TARGET_RATE = 200.0
TARGET_P95_MS = 200.0
#: Offered rates tried: from the target's up until one fails (or down until one passes),
#: then once halfway between the last that passed and the first that failed.
LADDER = (25.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1200.0, 1600.0)


def run_generator(spec: dict[str, Any]) -> dict[str, Any]:
    """:mod:`bench.http_open` in a process of its own; its result."""
    with tempfile.TemporaryDirectory(prefix="portal-open-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        limit = float(spec.get("duration", 0)) + float(spec.get("warmup", 1)) + 300
        subprocess.run([sys.executable, "-m", "bench.http_open", str(spec_path),
                        str(out_path)], check=True, cwd=ROOT, timeout=limit,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        return dict(json.loads(out_path.read_text(encoding="utf-8")))


def figures(samples: list[list[float]], duration: float) -> dict[str, float]:
    """Requests scheduled in the window: count, achieved rate (answers received within the
    window a second), p50/p95/p99 from the scheduled start (ms), errors (late, failed,
    unfinished or unexpected), late, and the generator's own start lag (p95, ms)."""
    answered = [s for s in samples if s[3] >= 0]
    latencies = [s[1] for s in answered]
    return {
        "count": float(len(samples)),
        "achieved": sum(1 for s in answered if s[2] and s[4] <= duration) / duration,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "errors": float(sum(1 for s in samples if not s[2])),
        "late": float(sum(1 for s in samples if s[3] < 0)),
        "lag_p95": percentile([s[5] for s in answered], 0.95) * 1000,
    }


@dataclass
class Step:
    """One run at a fixed offered rate: the figures of all its requests and of each kind."""

    rate: float
    total: dict[str, float]
    kinds: dict[str, dict[str, float]]
    repeats: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.total["count"] > 0 and self.total["errors"] == 0
                and self.total["p95"] < TARGET_P95_MS and self.repeats == 0)


def step_of(rate: float, result: dict[str, Any], *, pool: int = 0) -> Step:
    duration = float(result["duration"])
    kinds = {kind: figures(samples, duration) for kind, samples in result["samples"].items()}
    every = [s for samples in result["samples"].values() for s in samples]
    repeats = max(0, int(result["jobs"]) - pool) if pool else 0
    step = Step(rate, figures(every, duration), kinds, repeats)
    if result.get("leaks"):
        step.notes.append(f"{result['leaks']} error pages showed a stack trace or SQL")
    lag = step.total["lag_p95"]
    if lag > 20:
        step.notes.append(f"the generator started requests {lag:.0f} ms late (p95)")
    if result.get("errors"):
        first = result["errors"][0]
        step.notes.append(f"first error: {first['kind']} {first['status']} {first['error']}")
    return step


def search(run: Callable[[float], Step], ceiling: float = math.inf,
           estimate: float = math.inf) -> list[Step]:
    """Steps along :data:`LADDER` (up to ``ceiling``): the target rate; up from there until
    one fails, or down from the highest rate not above ``estimate`` (the closed loop's
    throughput) until one passes and then up again; last, once halfway between the highest
    that passed and the lowest that failed. Every step taken, by rate."""
    done: dict[float, Step] = {}
    ladder = [rate for rate in LADDER if rate <= max(ceiling, TARGET_RATE)]

    def at(rate: float) -> bool:
        if rate not in done:
            done[rate] = run(rate)
            print(f"    {rate:.0f} req/s offered: {describe(done[rate])}", flush=True)
        return done[rate].ok

    def up(rates: list[float]) -> None:
        for rate in rates:
            if rate in done or not at(rate):
                return

    start = ladder.index(TARGET_RATE)
    if at(TARGET_RATE):
        up(ladder[start + 1:])
    else:
        below = ladder[:start]
        likely = [rate for rate in below if rate <= estimate] or below[:1]
        for rate in reversed(likely):
            if at(rate):
                up(ladder[ladder.index(rate) + 1:start])
                break
    passed = max((r for r, x in done.items() if x.ok), default=None)
    failed = min((r for r, x in done.items() if not x.ok and r > (passed or 0)), default=None)
    if passed is not None and failed is not None and failed - passed > 25:
        at(float(10 * round((passed + failed) / 20)))
    return [done[rate] for rate in sorted(done)]


def max_rate(steps: list[Step]) -> float | None:
    """The highest offered rate that passed below the lowest that failed."""
    failed = min((s.rate for s in steps if not s.ok), default=math.inf)
    passing = [s.rate for s in steps if s.ok and s.rate < failed]
    return max(passing) if passing else None


def at_target(steps: list[Step]) -> Step | None:
    return next((s for s in steps if s.rate == TARGET_RATE), None)


def describe(step: Step) -> str:
    f = step.total
    text = (f"achieved {f['achieved']:.0f} req/s; p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms,"
            f" p99 {f['p99']:.0f} ms; {int(f['errors'])} errors")
    if f["late"]:
        text += f" ({int(f['late'])} late)"
    if step.repeats:
        text += f"; pool used up: {step.repeats} views repeated"
    return text + ("" if step.ok else " [over target]")
