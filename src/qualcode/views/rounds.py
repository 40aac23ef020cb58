"""Blind rounds as tables: the list of rounds, and who has coded what in one (counts only)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from qualcode.model import Round
from qualcode.store import rounds as stored
from qualcode.store import schema


def rounds_df(conn: Connection) -> pd.DataFrame:
    """Every round: name, status, lead, coders, number of documents, when opened and closed."""
    return pd.DataFrame(
        [
            {
                "name": row.name,
                "status": row.status,
                "lead": row.lead,
                "coders": list(row.coders),
                "documents": len(row.documents),
                "opened_at": row.opened_at,
                "closed_at": row.closed_at,
                "note": row.note,
            }
            for row in stored.round_rows(conn)
        ],
        columns=["name", "status", "lead", "coders", "documents", "opened_at", "closed_at", "note"],
    )


def coded_by(conn: Connection, found: Round) -> pd.DataFrame:
    """(coder, document_id) of every coding a round's coders made on its documents (any
    version), for counting progress without showing codes."""
    c, k = schema.codings, schema.coders
    ids = stored.all_versions(conn, list(found.documents))
    rows = conn.execute(
        select(k.c.name, c.c.document_id)
        .join(k, k.c.id == c.c.coder_id)
        .where(c.c.document_id.in_(ids), k.c.name.in_(found.coders))
    ).all()
    return pd.DataFrame(rows, columns=["coder", "document_id"])
