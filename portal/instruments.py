"""The counters and the latency histogram the portal's processes keep (Prometheus), shown by
``/metrics`` with the gauges read from the database (portal.ops.metrics).

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` is set by gunicorn.conf.py before the workers
start: each worker then writes its values to its own files there, and ``/metrics`` sums them
over the workers, whichever answers. Unset (tests, ``make run``): values in memory, of this
process. prometheus_client decides which at its import, so nothing imported by
gunicorn.conf.py may import this module.

Labels never hold a path, a public id or an address: the Flask endpoint name, the method and
the class of the status only.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram

#: Whether the values go to files shared by the workers (prometheus_client's own test, made
#: at its import, just above).
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ

#: The portal's own metrics (not prometheus_client's global registry, whose process
#: collectors do not work across processes).
REGISTRY = CollectorRegistry(auto_describe=True)

#: Seconds: from a page (0.05 s) to a slow upload's check (PORTAL_UPLOAD_TIME_LIMIT_SECONDS).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                   float("inf"))

REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by Flask endpoint, method "
                   "and status class", ["endpoint", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer an HTTP request "
                    "(the body's sending aside), by Flask endpoint", ["endpoint"],
                    buckets=LATENCY_BUCKETS, registry=REGISTRY)
SERVER_ERRORS = Counter("portal_http_server_errors", "Answers with a 5xx status, by Flask "
                        "endpoint", ["endpoint"], registry=REGISTRY)
RATE_LIMITED = Counter("portal_rate_limited", "Requests refused by a rate limit (429: form "
                       "posts, sign-ins), by Flask endpoint", ["endpoint"], registry=REGISTRY)
FAILED_SIGN_INS = Counter("portal_failed_sign_ins", "Failed sign-in steps (a wrong password, "
                          "code or security key, or a try during a lock)", registry=REGISTRY)
WEBHOOK_DELIVERIES = Counter("portal_webhook_deliveries", "Webhook deliveries ended, by outcome "
                             "(delivered, failed)", ["outcome"], registry=REGISTRY)
