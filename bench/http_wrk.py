"""GET load with wrk (a C load generator) instead of the Python one.

The Python generator (:mod:`bench.http_load`) spends about as much CPU per request as a light
page of the portal, on the same two cores: for pages that only need a cookie, wrk measures the
server rather than the client. Each run gets a Lua script with the list of (path, cookie) pairs
to cycle through; wrk keeps 50 connections busy with no think time and the script's ``done``
prints the count, errors and latency percentiles as JSON. Saves and the mix need per-connection
state (CSRF tokens, revisions) and stay with the Python generator.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

LUA = r"""
local targets = %(targets)s
local stride = %(stride)d
local counter = 0
local ids = 0
function setup(thread)
  thread:set("tid", ids)
  ids = ids + 1
  setup_thread(thread)
end
function init(args)
  counter = 0
end
function request()
  local index = counter * stride + (tid or 0) * %(spread)d
  counter = counter + 1
  local t = targets[(index %% #targets) + 1]
  return wrk.format("GET", t[1], { ["Cookie"] = t[2] })
end
local threads = {}
function setup_thread(thread)
  table.insert(threads, thread)
end
not200 = 0
function response(status, headers, body)
  if status ~= 200 then not200 = not200 + 1 end
end
function done(summary, latency, requests)
  local others = 0
  for _, thread in ipairs(threads) do others = others + (thread:get("not200") or 0) end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout
  io.write(string.format(
    '\nWRK-RESULT {"count": %%d, "seconds": %%f, "errors": %%d, "not200": %%d, ' ..
    '"p50": %%f, "p95": %%f, "p99": %%f}\n',
    summary.requests, summary.duration / 1e6, errors, others,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script(targets: list[tuple[str, str]], *, threads: int = 2, once: bool = False) -> str:
    """The Lua script; ``once``: the threads take turns along the list (each target is asked
    for once per pass), else each thread walks it from its own offset."""
    rows = ",\n".join(f"  {{{_lua_string(path)}, {_lua_string(cookie)}}}"
                      for path, cookie in targets)
    return LUA % {"targets": "{\n" + rows + "\n}", "stride": threads if once else 1,
                  "spread": 1 if once else 7}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def run(port: int, targets: list[tuple[str, str]], *, seconds: float, connections: int = 50,
        threads: int = 2, timeout: float = 30.0, once: bool = False) -> dict[str, float]:
    """Closed loop over ``targets`` for ``seconds``; rps and p50/p95/p99 in ms, errors
    (connection errors and timeouts) and unexpected answers (any status but 200, e.g. a
    redirect to the sign-in page). ``once``: see :func:`script`."""
    with tempfile.TemporaryDirectory(prefix="portal-wrk-") as tmp:
        lua = Path(tmp) / "targets.lua"
        lua.write_text(script(targets, threads=threads, once=once), encoding="utf-8")
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             f"--timeout={int(timeout)}s", "-s", str(lua), f"http://127.0.0.1:{port}"],
            check=True, capture_output=True, text=True, timeout=seconds + timeout + 30).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK-RESULT "))
    data = json.loads(line.removeprefix("WRK-RESULT "))
    return {"count": float(data["count"]), "rps": data["count"] / data["seconds"],
            "p50": data["p50"], "p95": data["p95"], "p99": data["p99"],
            "errors": float(data["errors"]), "unexpected": float(data["not200"])}
