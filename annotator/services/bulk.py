"""Bulk inserts for imports: one driver-level executemany per table, or one
COPY on PostgreSQL.

SQLAlchemy's executemany compiles parameters row by row (defaults, type
processing), which cost more than the inserts themselves on large imports.
Here each column's bind processor is looked up once and constant values are
processed once, so the rows go to the driver nearly as they are. Ids are
reserved before the insert, so that nothing needs to be read back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _uses_copy(connection: Connection) -> bool:
    return connection.dialect.driver == "psycopg"


def _processor(
    table: Table, column: str, connection: Connection
) -> Callable[[Any], Any] | None:
    dialect = connection.dialect
    column_type = table.c[column].type.dialect_impl(dialect)
    if _uses_copy(connection) and isinstance(column_type, JSON):
        # COPY's text format hands JSON text to the server, which parses it;
        # psycopg's Jsonb wrapper would serialise every row again.
        return json.dumps
    return column_type.bind_processor(dialect)


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (values in ``columns`` order) plus ``constants`` (the same
    value in every row) into ``table`` in one executemany."""
    if not rows:
        return
    fixed = dict(constants or {})
    for name, value in fixed.items():
        processor = _processor(table, name, connection)
        fixed[name] = processor(value) if processor else value
    tail = tuple(fixed.values())
    processed = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := _processor(table, name, connection)) is not None
    ]
    empty: dict[int, Any] = {}
    parameters = [_processed(row, processed, empty) + tail for row in rows]
    if _uses_copy(connection):
        _copy(connection, table, [*columns, *fixed], parameters)
        return
    statement = _statement(connection, table, [*columns, *fixed])
    connection.exec_driver_sql(statement, parameters)


def _copy(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """PostgreSQL's COPY, in this transaction: a stream of rows instead of one
    statement per row (executemany), several times faster."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    cursor = _driver_connection(connection).cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _driver_connection(connection: Connection) -> Any:
    """The driver's connection under ``connection``, which is open (in use)."""
    driver = connection.connection.dbapi_connection
    if driver is None:
        raise RuntimeError("the database connection is closed")
    return driver


def _processed(
    row: Sequence[Any],
    processed: Sequence[tuple[int, Callable[[Any], Any]]],
    empty: dict[int, Any],
) -> tuple[Any, ...]:
    """The row with each processed column converted; empty mappings (most span
    attributes) reuse one conversion."""
    if not processed:
        return tuple(row)
    values = list(row)
    for index, process in processed:
        value = values[index]
        if value == {}:
            if index not in empty:
                empty[index] = process(value)
            values[index] = empty[index]
        else:
            values[index] = process(value)
    return tuple(values)


def _statement(connection: Connection, table: Table, columns: Sequence[str]) -> str:
    placeholder = _PLACEHOLDERS.get(str(connection.dialect.paramstyle))
    if placeholder is None:
        raise RuntimeError(f"unsupported paramstyle {connection.dialect.paramstyle}")
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join([placeholder] * len(columns))
    # Names come from our own table metadata, never from input; values are bound.
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` ascending ids for new rows of ``table`` (integer primary key
    ``id``) that no other transaction can take.

    PostgreSQL: values of the column's sequence. SQLite: the ids after the
    largest, as SQLite itself would give them; call this only after the
    transaction has written something, so that it holds SQLite's one write
    lock (transactions there are serializable): no other connection can then
    insert before this one ends. Insert the rows with these ids before any
    other row of ``table``.
    """
    if count == 0:
        return []
    dialect = connection.dialect.name
    name = connection.dialect.identifier_preparer.quote(table.name)
    if dialect == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            (name, count),
        )
        return sorted(row[0] for row in rows)
    if dialect == "sqlite":
        # sqlite3 opens its transaction at the first write: before that, the
        # largest id could still change under us.
        if not _driver_connection(connection).in_transaction:
            raise RuntimeError("reserve SQLite ids after the transaction's first write")
        # The name comes from our own table metadata, never from input.
        query = f"SELECT coalesce(max(id), 0) FROM {name}"  # noqa: S608
        largest = int(connection.exec_driver_sql(query).scalar_one())
        return list(range(largest + 1, largest + 1 + count))
    raise RuntimeError(f"no id reservation for {dialect}")
