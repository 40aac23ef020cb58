"""Project settings kept in the `meta` table (key -> text), such as the gold standard."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from qualcode.store import audit, schema


def read(conn: Connection, key: str) -> str | None:
    """The text stored under `key`, or None when the key is not set."""
    m = schema.meta
    return conn.execute(select(m.c.value).where(m.c.key == key)).scalar()


def write_json(
    conn: Connection, key: str, value: dict[str, Any], *, actor: str, object: str
) -> None:
    """Store `value` as JSON under `key`, with an "update" audit row (before: the value it
    replaces, None when new) in the same transaction: call inside `project.writing()`."""
    m = schema.meta
    before = read(conn, key)
    text = json.dumps(value)
    if before is None:
        conn.execute(m.insert().values(key=key, value=text))
    else:
        conn.execute(m.update().where(m.c.key == key).values(value=text))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object=object,
        object_id=None,
        before=json.loads(before) if before else None,
        after=value,
    )
