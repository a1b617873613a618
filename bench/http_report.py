"""The HTTP benchmark's rows of docs/PERFORMANCE.md: one summary row a scenario, then a section
with a table a scenario (cache hits in a section of their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench import http_steps as s

if TYPE_CHECKING:
    from bench.bench_http import Bench, Scenario

TARGET = (f"at {s.TARGET_RATE:.0f} req/s offered: p95 < {s.TARGET_P95_MS:.0f} ms, "
          "no errors")


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f}"


def _closed_text(bench: Bench, scenario: Scenario, closed: dict[str, float],
                 floors: dict[str, float]) -> str:
    tool = "wrk" if bench.use_wrk and not scenario.editing else "python"
    floor = floors.get(tool, 0.0)
    ratio = f" = {closed['rps'] / floor:.2f} x /healthz ({floor:.0f} req/s)" if floor else ""
    errors = f", {int(closed['errors'])} errors" if closed["errors"] else ""
    repeats = (f", {int(closed['count'] - closed['given'])} views repeated (pool used up)"
               if scenario.unique and closed["count"] > closed["given"] else "")
    return (f"{closed['rps']:.0f} req/s{ratio}, p95 {_ms(closed['p95'])} ms{errors}{repeats}"
            f" ({'wrk' if tool == 'wrk' else 'bench.http_open'})")


def _max_text(steps: list[s.Step]) -> str:
    best = s.max_rate(steps)
    failed = min((x.rate for x in steps if not x.ok), default=None)
    if best is None:
        return f"none (below {failed:.0f} req/s)" if failed else "none"
    if failed is None:
        return f"{best:.0f} req/s or more (the highest step tried)"
    return f"{best:.0f} req/s ({failed:.0f} failed)"


def _step_row(step: s.Step) -> str:
    f = step.total
    late = f" ({int(f['late'])} late)" if f["late"] else ""
    repeats = f"; {step.repeats} repeated" if step.repeats else ""
    return (f"| {step.rate:.0f} | {f['achieved']:.0f} | {_ms(f['p50'])} | {_ms(f['p95'])} | "
            f"{_ms(f['p99'])} | {int(f['errors'])}{late}{repeats} | "
            f"{'yes' if step.ok else 'NO'} |")


def _section(bench: Bench, scenario: Scenario, measured: dict[str, Any],
             floors: dict[str, float]) -> list[str]:
    steps: list[s.Step] = measured["steps"]
    target = s.at_target(steps)
    lines = [f"### {scenario.title}", "",
             "| offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors | "
             f"p95 < {s.TARGET_P95_MS:.0f} ms, no errors |",
             "|---|---|---|---|---|---|---|", *(_step_row(x) for x in steps), ""]
    if not scenario.cache_hits and scenario.key != "floor":
        met = "yes" if target is not None and target.ok else "NO"
        lines.append(f"- Target ({TARGET}): {met}")
    lines += [f"- Highest offered rate with p95 < {s.TARGET_P95_MS:.0f} ms and no errors: "
              f"{_max_text(steps)}",
              "- Closed loop, 50 connections, no think time: "
              f"{_closed_text(bench, scenario, measured['closed'], floors)}"]
    best = s.max_rate(steps)
    for step in steps:
        if len(step.kinds) < 2 or step.rate not in (s.TARGET_RATE, best):
            continue
        lines += ["", f"At {step.rate:.0f} req/s offered, by kind of request:", "",
                  "| request | requests | achieved req/s | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---|---|---|---|---|---|"]
        for kind, f in sorted(step.kinds.items()):
            name = "late (no idle draft or connection)" if kind == "late" else kind
            lines.append(f"| {name} | {int(f['count'])} | {f['achieved']:.0f} | "
                         f"{_ms(f['p50'])} | {_ms(f['p95'])} | {_ms(f['p99'])} | "
                         f"{int(f['errors'])} |")
    notes = [f"{x.rate:.0f} req/s: {note}" for x in steps for note in x.notes]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes[:6])]
    return [*lines, ""]


def method(bench: Bench) -> str:
    return (f"Open loop ({bench.server_text()}; bench.http_open in a separate process on "
            f"loopback): requests start on a fixed schedule whatever the answers, over "
            f"keep-alive connections opened as needed (at most 512; a request that finds none "
            f"free is late, an error); latency from each request's scheduled start. Steps of "
            f"{bench.seconds:g} s after {bench.warmup:g} s, from {s.TARGET_RATE:.0f} req/s up "
            f"(or down) the ladder {', '.join(f'{r:.0f}' for r in s.LADDER)} until a step "
            f"fails, then once halfway. Sessions signed in through the real forms; changed "
            f"drafts get a new facts text (written to the database) before each step, so "
            f"each view is the first of its content.")


def rows(bench: Bench, measured: dict[str, Any], floors: dict[str, float]
         ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    traffic = ["## HTTP load at fixed offered rates", "", method(bench), ""]
    hits = ["## HTTP cache hits (reported apart)", "",
            "The same measurement of pages whose content each worker has already rendered: "
            "an unchanged draft, a package opened before.", ""]
    for scenario in bench.scenarios:
        found = measured["scenarios"].get(scenario.key)
        if found is None:
            continue
        steps: list[s.Step] = found["steps"]
        target = s.at_target(steps)
        at = (f"at {s.TARGET_RATE:.0f} req/s offered: {s.describe(target)}; "
              if target is not None else "")
        result = (f"{at}highest rate with p95 < {s.TARGET_P95_MS:.0f} ms: {_max_text(steps)}; "
                  f"closed loop: {_closed_text(bench, scenario, found['closed'], floors)}")
        if scenario.key == "floor":
            goal, ok = "floor", all(x.total["errors"] == 0 for x in steps if x.ok)
        elif scenario.cache_hits:
            goal = "informative (cache hits, reported apart)"
            ok = target is not None and target.total["errors"] == 0
        else:
            goal, ok = TARGET, target is not None and target.ok
        out.append({"what": f"HTTP: {scenario.title}",
                    "how": "open loop at fixed offered rates, then closed loop of 50 "
                           "connections (see the sections below)",
                    "result": result, "target": goal, "ok": ok})
        (hits if scenario.cache_hits else traffic).extend(
            _section(bench, scenario, found, floors))
    out.append({"markdown": "\n".join(traffic)})
    if any(x.cache_hits for x in bench.scenarios):
        out.append({"markdown": "\n".join(hits)})
    return out
