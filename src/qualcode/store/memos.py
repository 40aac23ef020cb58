"""Memos: a memo enters the store with its audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from qualcode.store import audit, schema


def insert_memo(
    conn: Connection, values: dict[str, Any], *, actor: str, after: dict[str, Any] | None = None
) -> int:
    """Insert a memo (a row of the memos table) with its "add" audit row, in the caller's
    transaction. `after` is what the audit row keeps (default: the row without its text)."""
    memo_id: int = conn.execute(schema.memos.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="memo",
        object_id=memo_id,
        document_id=values.get("document_id"),
        after=after if after is not None else {k: v for k, v in values.items() if k != "text"},
    )
    return memo_id
