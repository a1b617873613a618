"""CSV answers of the triage pages (the queue and the dashboard's tables)."""

from __future__ import annotations

from flask import Response


def csv_download(text: str, filename: str) -> Response:
    """``text`` as a CSV file to save, never kept by a cache."""
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
