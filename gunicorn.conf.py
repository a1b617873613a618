"""gunicorn's settings for the portal (gunicorn reads ./gunicorn.conf.py when started here)."""

import gc
from typing import Any


def post_worker_init(_worker: Any) -> None:
    """Leave the objects loaded with the app (templates, reference data, language models) out
    of every later garbage collection: they live as long as the worker."""
    gc.collect()
    gc.freeze()
