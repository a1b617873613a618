"""Run every benchmark and write docs/PERFORMANCE.md.

Each benchmark module has ``run() -> list[dict]`` returning rows with the keys ``what``,
``how``, ``result``, ``target`` and ``ok``, or ``markdown`` (a section written after the
table). Times are medians over repeated runs; comparisons
are ratios measured in the same run.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = ("bench.bench_rules", "bench.bench_packages", "bench.bench_http",
              "bench.bench_hostile", "bench.bench_triage")
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "PERFORMANCE.md"
#: ``BENCH_QUICK=1``: a smoke run of short steps on less data, written apart from the figures
QUICK_OUTPUT = ROOT / "build" / "PERFORMANCE-quick.md"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    output = QUICK_OUTPUT if quick else OUTPUT
    if quick:
        os.environ.setdefault("BENCH_TRIAGE_VOLUME", "10000")
        os.environ.setdefault("BENCH_TRIAGE_RUNS", "5")
    rows: list[dict[str, object]] = []
    failed = False
    for name in BENCHMARKS:
        print(f"running {name} ...", flush=True)
        try:
            module = importlib.import_module(name)
            rows.extend(module.run())
        except Exception:
            traceback.print_exc()
            rows.append({"what": name, "how": "", "result": "FAILED TO RUN", "target": "",
                         "ok": False})
            failed = True
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance" + (" (BENCH_QUICK=1: a smoke run, not the figures)" if quick else ""),
        "",
        "Written by `make bench` (bench/run_all.py); do not edit by hand. Times are medians over "
        "repeated runs (the HTTP load: one run a step at each offered rate); comparisons are "
        "ratios measured in the same run.",
        "",
        f"- Date: {now}",
        f"- Machine: {os.cpu_count()} cores, {_memory_gib()} memory, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "",
        "| what | how measured | result | target | met |",
        "|---|---|---|---|---|",
    ]
    sections = [str(row["markdown"]) for row in rows if "markdown" in row]
    for row in rows:
        if "markdown" in row:
            continue
        met = "yes" if row.get("ok") else "NO"
        lines.append(f"| {_cell(row['what'])} | {_cell(row['how'])} | {_cell(row['result'])} | "
                     f"{_cell(row['target'])} | {met} |")
    for section in sections:
        lines += ["", section.rstrip()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(output.read_text(encoding="utf-8"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
