"""The recommendations register's rows: added and changed here, each with its audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.store import audit, schema
from qualcode.store.stamps import now

STATUSES = schema.RECOMMENDATION_STATUSES  # a recommendation's status is one of these


def recommendation_row(conn: Connection, recommendation_id: int) -> Row[Any] | None:
    """The recommendation's row as stored, or None when there is no such id."""
    r = schema.recommendations
    return conn.execute(select(r).where(r.c.id == recommendation_id)).first()


def insert_recommendation(
    conn: Connection, values: dict[str, Any], *, actor: str, after: dict[str, Any] | None = None
) -> int:
    """Insert a recommendation (its columns' values) with an "add" audit row, in the caller's
    transaction (a person's, or one merged from another project); its id. `after` is what the
    audit row keeps (default: every value but the guid)."""
    r = schema.recommendations
    rec_id = conn.execute(r.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="recommendation",
        object_id=rec_id,
        after=after if after is not None else {k: v for k, v in values.items() if k != "guid"},
    )
    return int(rec_id)


def update_recommendation(
    conn: Connection, row: Row[Any], changes: dict[str, Any], *, actor: str
) -> None:
    """Change a recommendation (its row as read, the new values) and stamp `updated_at`, with
    an "update" audit row holding the values before and after, in the caller's transaction."""
    r = schema.recommendations
    conn.execute(r.update().where(r.c.id == row.id).values(**changes, updated_at=now()))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="recommendation",
        object_id=row.id,
        before={k: getattr(row, k) for k in changes},
        after=changes,
    )
