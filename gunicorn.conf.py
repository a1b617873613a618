"""gunicorn's settings for the portal in production. gunicorn reads ./gunicorn.conf.py when
started from the project's directory: ``gunicorn 'portal.app:create_app()'``.

Variables: ``PORTAL_BIND`` (default ``127.0.0.1:8000``; several, comma-separated),
``PORTAL_WEB_WORKERS`` (default 2 x cores + 1, at most 8), ``PORTAL_WEB_THREADS`` (default 4),
``PORTAL_ACCESS_LOG`` (default ``-``, stdout), ``PROMETHEUS_MULTIPROC_DIR`` (see
``on_starting``), and the portal's own settings, read with ``Settings.from_env()`` as the app
reads them: the upload limits size the timeouts, ``PORTAL_TRUSTED_PROXIES`` names the proxies
gunicorn believes. A command-line option still overrides a value set here.
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from portal.config import ConfigError, Settings

_settings = Settings.from_env()


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


bind = [b.strip() for b in os.environ.get("PORTAL_BIND", "127.0.0.1:8000").split(",")
        if b.strip()]

# Threads (gthread), not sync workers: a request spends most of a slow upload waiting on the
# client's socket, and most of a PDF check waiting on the checking process
# (portal/attachments/inspect.py), so it holds one thread rather than a whole worker
# process. The worker's main thread keeps telling the arbiter it is alive meanwhile, so a
# long request is never killed as a hung worker. Per-request state is the request's own
# (flask.g, one database session per request) and the portal's caches are thread-safe
# (docs/ARCHITECTURE.md). Each worker holds the reference data and language models, hence the
# cap on their number.
worker_class = "gthread"
workers = _count("PORTAL_WEB_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = _count("PORTAL_WEB_THREADS", 4)

#: The slowest client whose largest request still goes through: 256 kB/s (about 2 Mbit/s).
#: Behind a proxy that buffers request bodies, gunicorn receives them at the proxy's speed.
SLOWEST_CLIENT_BYTES_PER_SECOND = 256 * 1024

# A request may take the time such a client needs to send the largest body the portal accepts
# (PORTAL_MAX_REQUEST_MB: 100 MB takes 400 s), then the PDF check's own limit
# (PORTAL_UPLOAD_TIME_LIMIT_SECONDS, 20 s), then 30 s to store the file and answer: 450 s with
# the defaults. gthread workers are only killed when their main loop stops (a hung worker),
# so this is a bound that no request reaches, and it still lets slow uploads finish if the
# worker class is changed to sync (where the timeout covers the whole request).
timeout = (_settings.max_request_mb * 1024 * 1024 // SLOWEST_CLIENT_BYTES_PER_SECOND
           + _settings.upload_time_limit_seconds + 30)
# On a restart or stop, a request whose body has arrived finishes its check and answers; an
# upload still being sent after this is cut off (its browser shows a failed connection).
graceful_timeout = _settings.upload_time_limit_seconds + 30
# Connections kept open between a client's (or the proxy's) requests.
keepalive = 5

# Request line (method, path and query), header count and header size: gunicorn's defaults,
# stated. The portal's URLs are short; the session cookie is under 1 kB.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto (https behind a proxy that ends TLS) is believed from the portal's trusted
# proxies only, the same list the app uses for X-Forwarded-For (portal/web/proxies.py).
# Empty: from no one (gunicorn's default would trust 127.0.0.1).
forwarded_allow_ips = ",".join(_settings.trusted_proxies)

# The access log (PORTAL_ACCESS_LOG: "-", the default, for stdout; a file; empty for none) gives
# the path without its query string (%(U)s, not %(r)s) and no Referer: query strings and the
# previous page's address can carry tokens or search terms.
accesslog = os.environ.get("PORTAL_ACCESS_LOG", "-").strip() or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
proc_name = "portal"


def post_worker_init(_worker: Any) -> None:
    """Leave the objects loaded with the app (templates, reference data, language models) out
    of every later garbage collection: they live as long as the worker."""
    gc.collect()
    gc.freeze()


# /metrics (portal.web.metrics) sums the counters of every worker: prometheus_client's
# multiprocess mode, where each worker writes its values to files in PROMETHEUS_MULTIPROC_DIR.
# The variable must be set before a worker imports prometheus_client (it decides at its
# import), so it is set here, in the arbiter, before any worker is forked; nothing this file
# imports may import prometheus_client.
_metrics_dirs_made: list[str] = []


def on_starting(_server: Any) -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR when given (the files of an earlier run would be added
    to this one's), or make a temporary one while /metrics is on; unset otherwise (each
    worker then counts in memory, and nobody reads it)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        for stale in Path(path).glob("*.db"):
            stale.unlink()
    elif _settings.metrics.enabled:
        path = tempfile.mkdtemp(prefix="portal-metrics-")
        _metrics_dirs_made.append(path)
    else:
        return
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def child_exit(_server: Any, worker: Any) -> None:
    """A worker ended: its live gauges go (none yet; its counters stay in the sums)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(_server: Any) -> None:
    for path in _metrics_dirs_made:
        shutil.rmtree(path, ignore_errors=True)
