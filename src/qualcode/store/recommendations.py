"""Recommendations: one enters the store with its audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from qualcode.store import audit, schema


def insert_recommendation(
    conn: Connection, values: dict[str, Any], *, actor: str, after: dict[str, Any] | None = None
) -> int:
    """Insert a recommendation (a row of its table) with its "add" audit row, in the caller's
    transaction. `after` is what the audit row keeps (default: the row without its GUID)."""
    table = schema.recommendations
    rec_id: int = conn.execute(table.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="recommendation",
        object_id=rec_id,
        after=after if after is not None else {k: v for k, v in values.items() if k != "guid"},
    )
    return rec_id
