"""Under gunicorn with two workers, /metrics counts the requests of both, whichever answers:
gunicorn.conf.py gives the workers a shared PROMETHEUS_MULTIPROC_DIR, emptied at start."""

from __future__ import annotations

import http.client
import shutil
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.server.conftest import ServeFactory
from tests.web.test_metrics import TOKEN, Samples, parse, value

STATIC = "/static/css/portal.css"


def _get(port: int, path: str, headers: dict[str, str] | None = None
         ) -> tuple[int, dict[str, str], str]:
    """One request on a new connection (gunicorn's workers accept connections in turn)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        answer = conn.getresponse()
        return (answer.status, {k.lower(): v for k, v in answer.getheaders()},
                answer.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def _static_of(directory: Path, pid: int, scratch: Path) -> float:
    """The static files one worker served, from its own counter file alone."""
    scratch.mkdir(exist_ok=True)
    for old in scratch.iterdir():
        old.unlink()
    source = directory / f"counter_{pid}.db"
    if not source.exists():
        return 0.0
    shutil.copy(source, scratch / source.name)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(scratch))  # type: ignore[no-untyped-call]
    samples: Samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                        for family in registry.collect() for s in family.samples}
    return value(samples, "portal_http_requests_total", endpoint="static", method="GET",
                 status="2xx")


def test_metrics_sum_the_counters_of_every_worker(serve: ServeFactory, tmp_path: Path) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"left by an earlier run")
    served = serve(workers=2, PORTAL_METRICS_TOKEN=TOKEN,
                   PROMETHEUS_MULTIPROC_DIR=str(directory))
    port = served.server.port
    assert not (directory / "counter_999999.db").exists()
    workers = served.server.worker_pids()
    assert len(workers) == 2
    sent = 0
    per_worker = [0.0, 0.0]
    while sent < 400 and not all(per_worker):
        for _ in range(10):
            assert _get(port, STATIC)[0] == 200
        sent += 10
        per_worker = [_static_of(directory, pid, tmp_path / "one") for pid in workers]
    assert all(per_worker), f"one worker served all {sent} requests: {per_worker}"
    assert sum(per_worker) == sent
    auth = {"Authorization": f"Bearer {TOKEN}", "Cookie": served.cookie}
    for _ in range(6):  # scrapes answered by either worker all see every request
        status, headers, body = _get(port, "/metrics", auth)
        assert status == 200, body[:300]
        assert "set-cookie" not in headers
        samples = parse(body)
        assert value(samples, "portal_http_requests_total", endpoint="static", method="GET",
                     status="2xx") == sent
        assert value(samples, "portal_http_request_duration_seconds_count",
                     endpoint="static") == sent
    assert _get(port, "/metrics")[0] == 403
