"""Who codes: the people among the coders, and the spans one coder has coded."""

from __future__ import annotations

from sqlalchemy import Connection, select

from qualcode.store import schema


def people(conn: Connection) -> list[str]:
    """The coders with role "coder" (not machine suggesters, not the consensus), by name."""
    k = schema.coders
    return sorted(
        name for name, role in conn.execute(select(k.c.name, k.c.role)) if role == "coder"
    )


def coded_spans(conn: Connection, coder_id: int) -> set[tuple[int, int, int, int]]:
    """(document_id, start, end, code_id) of every coding the coder has made."""
    c = schema.codings
    query = select(c.c.document_id, c.c.start, c.c.end, c.c.code_id).where(c.c.coder_id == coder_id)
    return {tuple(row) for row in conn.execute(query)}  # type: ignore[misc]
