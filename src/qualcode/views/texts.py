"""Document texts by id, fetched once, so callers slice passages in Python."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from qualcode.store import schema


def document_texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Document id -> text, for those of `ids` that exist (any version)."""
    d = schema.documents
    return dict(
        conn.execute(select(d.c.id, d.c.text).where(d.c.id.in_([int(i) for i in ids]))).all()
    )
