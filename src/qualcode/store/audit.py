"""The append-only audit log: every change writes one row in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from qualcode.store import schema
from qualcode.store.stamps import now

# an audit row's columns, for bulk inserts (`store.bulk.insert_rows`) of many changes at once
COLUMNS = ("at", "actor", "action", "object", "object_id", "document_id", "before", "after")


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    object: str,
    object_id: int | None,
    document_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row; call inside the transaction that makes the change."""
    conn.execute(
        schema.audit.insert().values(
            at=now(),
            actor=actor,
            action=action,
            object=object,
            object_id=object_id,
            document_id=document_id,
            before=before,
            after=after,
        )
    )
