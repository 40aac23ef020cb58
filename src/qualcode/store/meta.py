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


CODER_ALIAS = "coder_alias:"  # key prefix: another project's coder GUID -> our coder's GUID


def coder_aliases(conn: Connection) -> dict[str, str]:
    """Other projects' coder GUIDs the user said are our coders (their GUID -> ours)."""
    m = schema.meta
    rows = conn.execute(select(m.c.key, m.c.value).where(m.c.key.startswith(CODER_ALIAS)))
    return {key.removeprefix(CODER_ALIAS): value for key, value in rows}


def write_coder_alias(conn: Connection, their_guid: str, our_guid: str) -> None:
    """Remember another project's coder as ours (replacing what was remembered). No audit
    row: an alias changes no one's data, it only saves asking the same question again."""
    delete_coder_alias(conn, their_guid)
    conn.execute(schema.meta.insert().values(key=CODER_ALIAS + their_guid, value=our_guid))


def delete_coder_alias(conn: Connection, their_guid: str) -> None:
    """Forget that another project's coder is ours."""
    m = schema.meta
    conn.execute(m.delete().where(m.c.key == CODER_ALIAS + their_guid))
