"""Many rows at once: INSERTs compiled once and fed plain tuples, and IN lists cut to size.

SQLAlchemy's executemany processes every parameter of every row in Python; for the ~150 units
of each transcript that cost as much as segmenting it. JSON values are encoded here, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, Table

T = TypeVar("T")
IN_LIST = 500  # values per IN (...) list: inside every database's limit on parameters


def in_chunks(values: Iterable[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """`values` in lists short enough for one `IN (...)` on any database."""
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT `rows` (tuples in the order of `columns`) into `table` in one executemany."""
    if not rows:
        return
    as_json = [i for i, k in enumerate(columns) if isinstance(table.c[k].type, JSON)]
    if as_json:
        rows = [_encode(row, as_json) for row in rows]
    sql, order = _compiled(table, tuple(columns), conn.dialect)
    if order is None:
        params: list[Any] = [dict(zip(columns, row, strict=True)) for row in rows]
    elif order != tuple(range(len(columns))):
        params = [tuple(row[i] for i in order) for row in rows]
    else:
        params = list(rows)
    conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _compiled(table: Table, columns: tuple[str, ...], dialect: Any) -> tuple[str, Any]:
    """The INSERT's SQL and, for positional drivers, the order of its parameters."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    if not compiled.positional:
        return str(compiled), None
    where = {key: i for i, key in enumerate(columns)}
    return str(compiled), tuple(where[name] for name in compiled.positiontup or [])


def _encode(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    if all(row[i] is None for i in positions):
        return row
    values = list(row)
    for i in positions:
        if values[i] is not None:
            values[i] = json.dumps(values[i])
    return tuple(values)
