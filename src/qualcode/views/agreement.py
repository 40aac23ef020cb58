"""What agreement and consensus compare, read from the store: coders, their codings, documents.

Read-only queries taking an open connection (`with project.reading() as conn`); the
statistics themselves never see SQL (see `qualcode.coding.statistics`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, select

from qualcode.store import schema

a, c, d, k = schema.areas, schema.codings, schema.documents, schema.coders

CODING_COLUMNS = ["document_id", "start", "end", "code_id", "coder"]


def codings_by(conn: Connection, coders: Sequence[str], *, current_only: bool) -> pd.DataFrame:
    """The codings of the named coders: document_id, start, end, code_id, coder (their name);
    only on current document versions with `current_only`."""
    query = (
        select(c.c.document_id, c.c.start, c.c.end, c.c.code_id, k.c.name)
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .where(k.c.name.in_(list(coders)))
    )
    if current_only:
        query = query.where(d.c.is_current == 1)
    return pd.DataFrame(conn.execute(query).all(), columns=CODING_COLUMNS)


def document_titles(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Document id -> title, for naming documents in messages."""
    return dict(conn.execute(select(d.c.id, d.c.title).where(d.c.id.in_(list(ids)))).all())


def document_lengths(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """Document id -> length in characters: where each text ends on a shared continuum."""
    return dict(conn.execute(select(d.c.id, d.c.length).where(d.c.id.in_(list(ids)))).all())


def documents_coded_by(conn: Connection, coder: str, ids: Sequence[int]) -> set[int]:
    """Those of the documents `ids` that `coder` (a person or a layer) has codings in."""
    return set(
        conn.execute(
            select(c.c.document_id)
            .join(k, k.c.id == c.c.coder_id)
            .where(k.c.name == coder, c.c.document_id.in_(list(ids)))
        ).scalars()
    )


def people_who_coded(conn: Connection, *, area: str | None = None) -> list[str]:
    """The coders with role "coder" (not machine suggesters, not the consensus) who coded in
    `area` (any area when None), by name."""
    query = (
        select(k.c.name)
        .distinct()
        .join(c, c.c.coder_id == k.c.id)
        .join(d, d.c.id == c.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .where(k.c.role == "coder")
        .order_by(k.c.name)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    return list(conn.execute(query).scalars())


def documents_by_coder(
    conn: Connection, coders: Sequence[str], *, area: str | None = None
) -> dict[str, set[int]]:
    """Coder name -> the current documents (of `area`) they coded; every named coder is a
    key, with an empty set when they coded nothing there."""
    query = (
        select(c.c.document_id, k.c.name)
        .distinct()
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .where(k.c.name.in_(list(coders)), d.c.is_current == 1)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    found: dict[str, set[int]] = {name: set() for name in coders}
    for doc_id, name in conn.execute(query):
        found[name].add(doc_id)
    return found
