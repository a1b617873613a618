"""Independent reads of one page sent together.

A page such as the package view needs a dozen small SELECTs that do not depend on each other.
Through SQLAlchemy's ORM each costs ~150 µs of Python and a round trip to the server. Here, on
PostgreSQL, they go to the server in one round trip (psycopg's pipeline: sent together, run in
order, in the session's transaction) straight through the driver; on SQLite they run one after
another through SQLAlchemy Core. Either way each statement gives plain rows (named tuples whose
fields are the statement's column keys), with values processed by the columns' types as
SQLAlchemy processes them (UTC datetimes); ``tests/db/test_db_reads.py`` compares the two.

A :class:`Read` is one or more statements and the function that makes its value from their
rows; the domain modules own their reads (``duplicates.find_read``, ``thread.messages_read``…)
and, where other callers need them alone (``duplicates.find``, ``thread.list_messages``…), run
the same read by itself, so there is one way to read each thing.

An :class:`Entity` reads a mapped class's columns as plain columns, so that a page's first
reads (the session with its user, the request the address names) go in one round trip, and
makes from its row the instance the ORM would have loaded.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Connection, Select, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

T = TypeVar("T")
E = TypeVar("E")

Step = tuple[Select[*tuple[Any, ...]], Mapping[str, Any]]


@dataclass(frozen=True)
class Read(Generic[T]):
    """``steps``: (statement, parameters) pairs, each statement built once (a module constant:
    its compiled form is kept by the statement's identity); ``make``: the value, from each
    step's rows in order."""

    steps: tuple[Step, ...]
    make: Callable[..., T]
    #: Lookups by key, whose best plan does not depend on the key's value, are run with the
    #: plan PostgreSQL keeps for the prepared statement (see :func:`_pipelined`); False leaves
    #: PostgreSQL to choose (a search, whose best plan depends on what is searched).
    generic: bool = True


def one(statement: Select[*tuple[Any, ...]], params: Mapping[str, Any],
        make: Callable[[list[Any]], T], *, generic: bool = True) -> Read[T]:
    """A read of one statement."""
    return Read(((statement, params),), make, generic)


@dataclass(frozen=True)
class Entity(Generic[E]):
    """A mapped class's columns read as plain columns, each labelled ``prefix`` + its
    attribute's name, and the instance made from a row of them."""

    cls: type[E]
    prefix: str
    columns: tuple[Any, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, mapped: type[E], prefix: str = "") -> Entity[E]:
        properties = inspect(mapped).column_attrs
        return cls(mapped, prefix,
                   tuple(prop.columns[0].label(prefix + prop.key) for prop in properties),
                   tuple(prop.key for prop in properties))

    def load(self, session: Session, row: Any) -> E:
        """The instance of a row read with :attr:`columns`, persistent in ``session`` as
        though a query had loaded it: its attributes loaded and unchanged, its changes flushed
        as UPDATEs, its relationships loaded when used. The session's own instance when it has
        one already (as a query gives). As with a query, the session holds an unchanged
        instance weakly: the caller keeps it."""
        mapper = inspect(self.cls)
        values = {key: getattr(row, self.prefix + key) for key in self.keys}
        identity = mapper.identity_key_from_primary_key(
            [values[mapper.get_property_by_column(column).key] for column in mapper.primary_key])
        found = session.identity_map.get(identity)
        if found is not None:
            return cast(E, found)
        instance = cast(E, mapper.class_manager.new_instance())
        for key, value in values.items():
            set_committed_value(instance, key, value)
        make_transient_to_detached(instance)
        session.add(instance)
        return instance


@dataclass
class _Compiled:
    statement: Select[*tuple[Any, ...]]  # kept: the cache is keyed by its id
    compiled: Any
    sql: str
    row: Callable[..., Any]
    bind_processors: Mapping[str, Callable[[Any], Any]]
    #: by column, from the driver's type codes of the first result (a numeric's processor
    #: depends on the type the server gives)
    processors: tuple[Callable[[Any], Any] | None, ...] | None = None

    def rows(self, dialect: Dialect, cursor: Any) -> list[Any]:
        values = cursor.fetchall()
        processors = self.processors
        if processors is None:  # (the driver makes its description anew at each call)
            description = cursor.description or ()
            processors = self.processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, about[1])
                for column, about in zip(self.statement.selected_columns, description,
                                         strict=True))
        if not any(processors):
            return [self.row(*row) for row in values]
        return [self.row(*[value if process is None else process(value)
                           for process, value in zip(processors, row, strict=True)])
                for row in values]

    def params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(self.compiled.construct_params(dict(given)))
        for name, process in self.bind_processors.items():
            if name in values:
                values[name] = process(values[name])
        return values


#: Compiled statements by (id of the statement, dialect name), with the statement itself; read
#: on every page without a lock, so it starts again when full rather than evicting.
_COMPILED: dict[tuple[int, str], _Compiled] = {}
_MAX_COMPILED = 512


def _compiled(statement: Select[*tuple[Any, ...]], dialect: Dialect) -> _Compiled:
    key = (id(statement), dialect.name)
    found = _COMPILED.get(key)
    if found is not None and found.statement is statement:
        return found
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params:
        # an IN list given when the statement was built is written out, one parameter per
        # value (as SQLAlchemy does when it runs the statement); that needs every value of the
        # statement now, so a list or a parameter given only when it runs cannot be
        if any(bind.type.dialect_impl(dialect).bind_processor(dialect) is not None
               for bind in compiled.post_compile_params):
            raise ValueError("a read together cannot expand an IN list of processed values")
        try:
            compiled = statement.compile(dialect=dialect,
                                         compile_kwargs={"render_postcompile": True})
        except InvalidRequestError as exc:
            raise ValueError("a read together cannot expand an IN list in a statement with "
                             "values given when it runs") from exc
    # SQLAlchemy's keys, made distinct as its rows make them (id, id_1)
    keys = list(statement.selected_columns.keys())
    bind_processors = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bind_processors[name] = process
    made = _Compiled(statement, compiled, compiled.string,
                     namedtuple("Row", keys), bind_processors)
    if len(_COMPILED) >= _MAX_COMPILED:
        _COMPILED.clear()
    _COMPILED[key] = made
    return made


def read_together(session: Session, *reads: Read[Any]) -> list[Any]:
    """The value of each read, in order, read in the session's transaction (its pending
    changes flushed first, as a query would); or made from the rows :func:`keep_ahead` kept
    when they were read ahead by exactly these statements with these parameters."""
    session.flush()
    steps = _steps(reads)
    ahead = session.info.pop(_AHEAD, None)
    if ahead is not None and ahead[0] == steps and not session.new and not session.dirty \
            and not session.deleted:
        rows = ahead[1]
    else:
        rows = _rows(session, steps)
    values = []
    position = 0
    for read in reads:
        values.append(read.make(*rows[position:position + len(read.steps)]))
        position += len(read.steps)
    return values


#: On a session's ``info``: rows read ahead (:func:`keep_ahead`), with the steps that read
#: them.
_AHEAD = "portal.db_reads.ahead"
_Steps = list[tuple[Select[*tuple[Any, ...]], Mapping[str, Any], bool]]


def _steps(reads: tuple[Read[Any], ...] | list[Read[Any]]) -> _Steps:
    return [(statement, params, read.generic) for read in reads
            for statement, params in read.steps]


def _rows(session: Session, steps: _Steps) -> list[list[Any]]:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _pipelined(connection, steps)
    rows = []
    for statement, params, _generic in steps:
        made = _compiled(statement, connection.dialect)
        rows.append([made.row(*row) for row in connection.execute(statement, dict(params))])
    return rows


def rows_of(read: Read[Any]) -> Read[list[list[Any]]]:
    """The read as one whose value is its rows, step by step (read ahead, before its value can
    be made: see :func:`keep_ahead`)."""
    return Read(read.steps, lambda *rows: list(rows), read.generic)


def keep_ahead(session: Session, reads: list[Read[Any]], rows: list[list[list[Any]]]
               ) -> None:
    """Keep the rows read ahead by ``reads`` (each read's :func:`rows_of`) in ``session``: the
    session's next :func:`read_together`, if it asks exactly these statements with these
    parameters and the session has changed nothing, makes its values from them instead of
    reading again."""
    session.info[_AHEAD] = (_steps(reads), [step for read in rows for step in read])


def _pipelined(connection: Connection,
               steps: list[tuple[Select[*tuple[Any, ...]], Mapping[str, Any], bool]]
               ) -> list[list[Any]]:
    import psycopg  # PostgreSQL only

    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    prepared = [(_compiled(statement, connection.dialect), params, generic)
                for statement, params, generic in steps]
    with driver_errors(connection, "read together"):
        with driver.pipeline():
            # Lookups by key are run with the plan PostgreSQL keeps for each prepared
            # statement. Left to choose, it planned the duplicates' four-table join anew on
            # every package view (that plan's estimate is above the custom plans'), 0.5 ms of
            # the server's time. The setting is the transaction's, and put back to the
            # session's after those reads.
            cursors = []
            generic_now = False
            for made, params, generic in prepared:
                if generic != generic_now:
                    driver.execute("SET LOCAL plan_cache_mode = "
                                   + ("force_generic_plan" if generic else "DEFAULT"))
                    generic_now = generic
                cursors.append(driver.execute(made.sql, made.params(params)))
            if generic_now:
                driver.execute("SET LOCAL plan_cache_mode = DEFAULT")
        return [made.rows(connection.dialect, cursor)
                for (made, _params, _generic), cursor in zip(prepared, cursors, strict=True)]


@contextmanager
def driver_errors(connection: Connection, what: str) -> Iterator[None]:
    """psycopg's own errors, raised by work done straight through the driver, made what
    SQLAlchemy raises (callers and the error pages catch that); a broken connection is dropped
    as SQLAlchemy would drop it."""
    import psycopg  # PostgreSQL only

    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    try:
        yield
    except psycopg.Error as exc:
        broken = bool(driver.broken)
        if broken:
            connection.invalidate(exc)
        raise DBAPIError.instance(what, None, exc, psycopg.Error,
                                  connection_invalidated=broken) from exc
