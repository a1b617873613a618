"""``/metrics`` for operations (Prometheus text format) and the counting of every request.

The page answers a scraper with ``PORTAL_METRICS_TOKEN`` (``Authorization: Bearer``, compared
in constant time) or from a network of ``PORTAL_METRICS_ALLOWED`` (the client's address as the
portal sees it behind its trusted proxies); others get 403, and everyone 404 while neither is
set. It shows counts only, never case data: it is not audited, loads no user, touches no
session (no cookie), and, a GET, meets neither the CSRF check nor the form rate limits.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from time import perf_counter

from flask import Blueprint, Flask, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from werkzeug.wrappers import Response

from portal.instruments import (
    LATENCY,
    MULTIPROCESS,
    RATE_LIMITED,
    REGISTRY,
    REQUESTS,
    SERVER_ERRORS,
)
from portal.ops.metrics import DatabaseCollector
from portal.web.access import public
from portal.web.context import client_ip, settings

bp = Blueprint("metrics", __name__)

ENDPOINT = "metrics.metrics"
#: On ``g``: when the request began (perf_counter).
STARTED = "portal_metrics_started"
#: The label of a request that matched no route (a 404 or 405 before any view).
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _allowed() -> bool:
    config = settings().metrics
    if not config.enabled:
        abort(404)
    if config.token:
        scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), config.token.encode()):
            return True
    if config.allowed:
        try:
            address = ipaddress.ip_address(client_ip())
        except ValueError:
            return False
        return any(address in network for network in config.networks())
    return False


def _registry() -> CollectorRegistry:
    """The counters (summed over gunicorn's workers when it runs several) and the gauges
    read from the database now."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Own())
    registry.register(DatabaseCollector(g.db))
    return registry


class _Own(Collector):
    """This process's own counters (no multiprocess directory: one process)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


@bp.route("/metrics", methods=["GET"])
@public
def metrics() -> Response:
    if not _allowed():
        abort(403)
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def install_metrics(app: Flask) -> None:
    """Time and count every request. Installed first: its before-request function runs before
    the others, and its after-request one last, on the answer as sent (errors included)."""

    @app.before_request
    def _start() -> None:
        setattr(g, STARTED, perf_counter())

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop(STARTED, None)
        if started is None:  # counted already (an after-request function failed, then this)
            return response
        endpoint = request.endpoint or UNMATCHED
        method = request.method if request.method in METHODS else "other"
        status = response.status_code
        REQUESTS.labels(endpoint, method, f"{status // 100}xx").inc()
        LATENCY.labels(endpoint).observe(perf_counter() - started)
        if status >= 500:
            SERVER_ERRORS.labels(endpoint).inc()
        elif status == 429:
            RATE_LIMITED.labels(endpoint).inc()
        return response
