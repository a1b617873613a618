"""Figures of :mod:`bench.bench_hostile` and its rows of docs/PERFORMANCE.md: one summary row,
then a section with the baseline and the run with uploaders side by side, the uploads, their
verdicts and check times, and the CPU each side used."""

from __future__ import annotations

import json
import statistics
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, select

from bench import http_steps as s
from bench.http_harness import percentile

if TYPE_CHECKING:
    from bench.bench_hostile import HostileBench

TARGET_P95_MS = 300.0
NO_VERDICT = "none by the end of the run"
#: Kinds of request of the mix, by group (``late``: no free connection or idle draft).
GROUPS = {"browsing": ("section", "overview", "check", "queue"), "saving": ("save",)}
TARGET = (f"with the uploads: browsing p95 < {TARGET_P95_MS:.0f} ms, no request fails "
          "(browsing, saving, uploaders')")


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f}"


def groups(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Figures (:func:`bench.http_steps.figures`) of browsing, saving, late and all."""
    duration = float(result["duration"])
    samples: dict[str, list[list[float]]] = result["samples"]
    out = {name: s.figures([x for kind in kinds for x in samples.get(kind, [])], duration)
           for name, kinds in GROUPS.items()}
    if samples.get("late"):
        out["late"] = s.figures(samples["late"], duration)
    out["all"] = s.figures([x for kind in samples.values() for x in kind], duration)
    return out


def brief(result: dict[str, Any]) -> str:
    f = groups(result)
    return (f"browsing p95 {_ms(f['browsing']['p95'])} ms, saving p95 "
            f"{_ms(f['saving']['p95'])} ms, {int(f['all']['errors'])} errors")


def checks(url: str, emails: list[str], since: datetime) -> list[dict[str, Any]]:
    """Each upload of ``emails`` since ``since``, from the audit log and the job queue: its
    file, its verdict (``accepted``, a refusal's reason, or :data:`NO_VERDICT`) and the
    seconds from stored to verdict, waiting for a worker thread and checking."""
    from portal.audit.models import AuditEvent
    from portal.jobs.models import Job

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            added = conn.execute(select(AuditEvent.object_id, AuditEvent.at,
                                        AuditEvent.details)
                                 .where(AuditEvent.action == "attachment.added",
                                        AuditEvent.actor.in_(emails),
                                        AuditEvent.at >= since)).all()
            ids = [row[0] for row in added]
            verdicts = {row[0]: row[1:] for row in conn.execute(
                select(AuditEvent.object_id, AuditEvent.at, AuditEvent.action,
                       AuditEvent.details)
                .where(AuditEvent.object_type == "attachment",
                       AuditEvent.action.in_(["attachment.accepted", "attachment.rejected"]),
                       AuditEvent.object_id.in_(ids)))}
            jobs = {str(row[0]).split(":", 1)[1]: row[1:] for row in conn.execute(
                select(Job.key, Job.created_at, Job.started_at, Job.finished_at)
                .where(Job.key.in_([f"attachment.check:{i}" for i in ids])))}
    finally:
        engine.dispose()
    out = []
    for public_id, at, details in added:
        entry: dict[str, Any] = {"file": json.loads(details).get("filename", ""),
                                 "verdict": NO_VERDICT}
        if public_id in verdicts:
            judged, action, info = verdicts[public_id]
            entry["verdict"] = ("accepted" if action == "attachment.accepted"
                                else f"refused: {json.loads(info).get('reason', '?')}")
            entry["total"] = (judged - at).total_seconds()
        created, started, finished = jobs.get(public_id, (None, None, None))
        if created is not None and started is not None:
            entry["wait"] = (started - created).total_seconds()
            if finished is not None:
                entry["check"] = (finished - started).total_seconds()
        out.append(entry)
    return out


# -- the report ------------------------------------------------------------------------------
def _uploader_figures(uploads: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for kind, samples in sorted(uploads["samples"].items()):
        latencies = [x[1] for x in samples if x[2] > 0]
        out[kind] = {"count": float(len(samples)),
                     "p50": percentile(latencies, 0.50) * 1000,
                     "p95": percentile(latencies, 0.95) * 1000,
                     "p99": percentile(latencies, 0.99) * 1000,
                     "errors": float(sum(1 for x in samples if not x[3]))}
    return out


def _mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.1f} s" if values else "-"


def _checks_lines(found: list[dict[str, Any]]) -> list[str]:
    verdicts: dict[str, int] = {}
    for entry in found:
        verdicts[entry["verdict"]] = verdicts.get(entry["verdict"], 0) + 1
    lines = ["- Verdicts reached (audit log): " + (", ".join(
        f"{name} {count}" for name, count in sorted(verdicts.items())) or "none")]
    for name in sorted({e["file"] for e in found}):
        mine = [e for e in found if e["file"] == name]
        judged = [e for e in mine if "total" in e]
        lines.append(
            f"- {name}: {len(mine)} uploads, {len(judged)} judged; upload to verdict "
            f"{_mean([e['total'] for e in judged])} on average (waiting for a worker thread "
            f"{_mean([e['wait'] for e in judged if 'wait' in e])}, checking "
            f"{_mean([e['check'] for e in judged if 'check' in e])})")
    return lines


def _figures_row(run: str, group: str, f: dict[str, float]) -> str:
    late = f" ({int(f['late'])} late)" if f["late"] else ""
    return (f"| {run} | {group} | {int(f['count'])} | {f['achieved']:.0f} | {_ms(f['p50'])} | "
            f"{_ms(f['p95'])} | {_ms(f['p99'])} | {int(f['errors'])}{late} |")


def _cpu_text(name: str, result: dict[str, Any]) -> str:
    cpu = result["cpu"]
    wall = float(cpu["wall"])
    return (f"{name}: web workers {cpu['web']:.0f} s, `portal worker` with its checking "
            f"processes {cpu['worker']:.0f} s, over {wall:.0f} s "
            f"({(cpu['web'] + cpu['worker']) / wall:.2f} cores busy on average)")


def method(bench: HostileBench) -> str:
    edits = bench.mix.count("edit")
    repeats = bench.pool_needed() - len(bench.work.pool)
    again = (f" (the pool of {len(bench.work.pool)} drafts is smaller than a run's "
             f"{bench.pool_needed()} views: some are viewed twice)" if repeats > 0 else "")
    return (
        f"{bench.options.text()}; one `portal worker --threads {bench.worker_threads}` beside it "
        f"(its default settings: a job poll every 2 s, a check's limit of 20 s). A mix "
        f"offered open-loop by bench.http_open at {bench.rate:.0f} req/s for {bench.seconds:g} "
        f"s after {bench.warmup:g} s, first alone (baseline), then while {bench.uploader_count} "
        f"submitters, each with a draft of its own, upload in a loop (bench.hostile_uploads): "
        f"a PDF of 5 MB whose damaged stream pypdf's recovery inflates byte by byte (its "
        f"check runs into the time limit) and a decompression bomb (2 MB inflating to 2 GiB) "
        f"in turn; each upload (302) is followed by its page, the checks' JSON every second "
        f"until the verdict, the removal (302) and the page again. Of each {len(bench.mix)} "
        f"requests of the mix, {edits} go to submitters who save a changed text into their "
        f"own draft (POST, 302) and then open that draft (section page, task list or check "
        f"page in turn), {len(bench.mix) - edits} are views of drafts changed since they were last "
        f"viewed{again} and pages 1-5 of the triage queue (two views, then a queue page). "
        f"Latency from each request's scheduled start; an error is any unexpected status, a "
        f"failed connection, no answer within 10 s, or a request that found no free "
        f"connection or idle draft (late). The {bench.packaged} generated submitted versions "
        f"are recorded as packaged and handed off (each bag a placeholder), as a deployment "
        f"holds old requests, so that the worker's scheduled repair and hand-off passes have "
        f"nothing to do.")


def rows(bench: HostileBench, measured: dict[str, Any]) -> list[dict[str, Any]]:
    base, hostile = groups(measured["baseline"]), groups(measured["hostile"])
    uploads = measured["uploads"]
    found: list[dict[str, Any]] = measured["checks"]
    upload_figures = _uploader_figures(uploads)
    upload_errors = int(sum(f["errors"] for f in upload_figures.values()))
    judged = [e["total"] for e in found if "total" in e]
    ok = (hostile["all"]["count"] > 0 and uploads["accepted"] > 0
          and hostile["browsing"]["p95"] < TARGET_P95_MS
          and hostile["all"]["errors"] == 0 and upload_errors == 0)
    result = (f"browsing p95 {_ms(hostile['browsing']['p95'])} ms (alone "
              f"{_ms(base['browsing']['p95'])} ms), saving p95 {_ms(hostile['saving']['p95'])} "
              f"ms (alone {_ms(base['saving']['p95'])} ms); errors {int(hostile['all']['errors'])}"
              f" (alone {int(base['all']['errors'])}), uploaders' {upload_errors}; "
              f"{uploads['accepted']} uploads accepted, {len(judged)} verdicts, "
              f"{_mean(judged)} from upload to verdict on average")
    section = ["## HTTP browsing under hostile uploads", "", method(bench), "",
               "| run | requests | count | achieved req/s | p50 ms | p95 ms | p99 ms | errors |",
               "|---|---|---|---|---|---|---|---|"]
    for run, figures in (("alone", base), ("with uploads", hostile)):
        section += [_figures_row(run, group, f) for group, f in figures.items()]
    section += ["", "By kind of request:", "",
                "| request | alone p50 / p95 / p99 ms | with uploads p50 / p95 / p99 ms | "
                "errors alone / with uploads |", "|---|---|---|---|"]
    for kind in [k for kinds in GROUPS.values() for k in kinds]:
        a = s.figures(measured["baseline"]["samples"].get(kind, []),
                      float(measured["baseline"]["duration"]))
        b = s.figures(measured["hostile"]["samples"].get(kind, []),
                      float(measured["hostile"]["duration"]))
        section.append(f"| {kind} | {_ms(a['p50'])} / {_ms(a['p95'])} / {_ms(a['p99'])} | "
                       f"{_ms(b['p50'])} / {_ms(b['p95'])} / {_ms(b['p99'])} | "
                       f"{int(a['errors'])} / {int(b['errors'])} |")
    refused = ", ".join(f"{n} answered {status}" for status, n in
                        sorted(uploads["refused_at_once"].items()))
    section += ["", f"Uploads over {uploads['seconds']:.0f} s: {uploads['accepted']} accepted "
                    f"by the server (302; {len(found)} recorded as added in the audit log)"
                    f"{'; ' + refused if refused else ''}.", "",
                *_checks_lines(found), "", "The uploaders' own requests:", "",
                "| request | count | p50 ms | p95 ms | p99 ms | errors |",
                "|---|---|---|---|---|---|"]
    for kind, f in upload_figures.items():
        section.append(f"| {kind} | {int(f['count'])} | {_ms(f['p50'])} | {_ms(f['p95'])} | "
                       f"{_ms(f['p99'])} | {int(f['errors'])} |")
    section += ["", "CPU during each run: "
                + "; ".join(_cpu_text(name, measured[key]) for name, key in
                            (("alone", "baseline"), ("with uploads", "hostile"))) + "."]
    errors = [*measured["hostile"].get("errors", []), *uploads.get("errors", [])]
    if errors:
        section += ["", "First errors: " + "; ".join(
            f"{e['kind']} {e['status']} {e['error']}" for e in errors[:5])]
    return [{"what": f"HTTP: browsing and saving at {bench.rate:.0f} req/s offered while "
                     f"{bench.uploader_count} submitters upload hostile PDFs in a loop",
             "how": "open loop, the same mix alone and with the uploads, one portal worker "
                    "(see the section below)",
             "result": result, "target": TARGET, "ok": ok},
            {"markdown": "\n".join(section) + "\n"}]
