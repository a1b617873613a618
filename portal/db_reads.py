"""Independent reads of one page sent together (psycopg's pipeline on PostgreSQL, one after
another on SQLite); each statement gives named-tuple rows with values processed by the columns'
types."""

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

from portal import cache

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
    #: plan PostgreSQL keeps for the prepared statement (see :func:`_pipelined`); False plans
    #: each call for its values (a search, whose best plan depends on what is searched).
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
        """The instance of a row read with :attr:`columns`, in ``session`` as though a query
        had loaded it (the session's own instance when it has one); as with a query, the
        session holds an unchanged instance weakly: the caller keeps it."""
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


#: Compiled statements by (statement, dialect name): the statements are module constants.
_COMPILED = cache.named("compiled-reads", max_bytes=4 * 1024 * 1024, sizeof=lambda _: 8192,
                        why="compiling a read's statement costs more than running it")


def _compiled(statement: Select[*tuple[Any, ...]], dialect: Dialect) -> _Compiled:
    key = (statement, dialect.name)
    found: _Compiled | None = _COMPILED.get(key)
    if found is not None:
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
    _COMPILED.put(key, made)
    return made


def read_together(session: Session, *reads: Read[Any]) -> list[Any]:
    """The value of each read, in order, read in the session's transaction (its pending
    changes flushed first, as a query would)."""
    session.flush()
    rows = _rows(session, _steps(reads))
    values = []
    position = 0
    for read in reads:
        values.append(read.make(*rows[position:position + len(read.steps)]))
        position += len(read.steps)
    return values


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
            # every package view (that plan's estimate is above the custom plans'). The other
            # reads (searches) are planned for their values at every call: after a few calls
            # PostgreSQL kept a generic plan of the queue's search that walked the whole
            # queue (150 ms at a million requests instead of 20). The setting is the
            # transaction's, and put back to the session's after those reads.
            cursors = []
            mode = "DEFAULT"
            for made, params, generic in prepared:
                wanted = "force_generic_plan" if generic else "force_custom_plan"
                if wanted != mode:
                    driver.execute("SET LOCAL plan_cache_mode = " + wanted)
                    mode = wanted
                cursors.append(driver.execute(made.sql, made.params(params)))
            if mode != "DEFAULT":
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
