"""Batches of rows of several tables written in the caller's transaction: COPY on PostgreSQL
(in a background thread, while the caller makes the next batch), executemany elsewhere."""

from __future__ import annotations

import operator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

Rows = list[dict[str, Any]]
#: Rows per INSERT statement on the executemany path.
BATCH = 2000


def check_columns(table: Any, row: dict[str, Any]) -> None:
    """Raise unless ``row`` names every column of ``table`` that has a Python default (the
    bulk paths do not apply them)."""
    missing = sorted(c.name for c in table.columns if c.name not in row and c.default is not None)
    if missing:  # pragma: no cover - a programming error, caught by the tests
        raise ValueError(f"{table.name}: rows without {', '.join(missing)}")


class BatchWriter:
    """Writes batches of rows, one list of dicts per model of ``models`` (in foreign-key
    order), each dict of a list with the same keys. The session is not used by the caller
    while a batch is being written."""

    def __init__(self, db: Session, models: tuple[Any, ...]) -> None:
        self.models = models
        self.connection = db.connection()
        self.driver: Any = None
        self.pool: ThreadPoolExecutor | None = None
        self.pending: Future[None] | None = None
        if self.connection.dialect.name == "postgresql":
            self.driver = self.connection.connection.driver_connection
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-rows")

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()

    def wait(self) -> None:
        """Wait for the batch being written (and raise its error)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def put(self, batch: list[Rows]) -> None:
        """Store ``batch`` (the caller no longer touches its lists)."""
        self.wait()
        if self.pool is not None:
            self.pending = self.pool.submit(self._copy, batch)
            return
        for model, rows in zip(self.models, batch, strict=True):
            if rows:
                table = model.__table__
                check_columns(table, rows[0])
                for start in range(0, len(rows), BATCH):
                    self.connection.execute(table.insert(), rows[start:start + BATCH])

    def _copy(self, batch: list[Rows]) -> None:
        from psycopg import sql

        for model, rows in zip(self.models, batch, strict=True):
            if not rows:
                continue
            table = model.__table__
            check_columns(table, rows[0])
            columns = list(rows[0])
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
            values = operator.itemgetter(*columns)
            with self.driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(values(row))
