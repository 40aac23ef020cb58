"""Texts as the store holds them: documents by id, and the passages that stand for each code,
fetched once so callers slice passages in Python."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from qualcode.model import Code
from qualcode.store import schema
from qualcode.store.rounds import visible_codings


def document_texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Document id -> text, for those of `ids` that exist (any version)."""
    d = schema.documents
    return dict(
        conn.execute(select(d.c.id, d.c.text).where(d.c.id.in_([int(i) for i in ids]))).all()
    )


def code_examples(
    conn: Connection,
    tree: list[Code],
    *,
    per_code: int,
    leave_out: str,
    viewer: str | None = None,
) -> dict[str, list[str]]:
    """Code path -> the first `per_code` passages coded with it (by document, start, coding),
    on current documents; codings by coders whose name starts with `leave_out` (machine
    suggestions) left out; on an open blind round's documents only `viewer`'s own.

    Why not `codings_df`: ranked in SQL, a programme of 100,000 codings hands back only these
    few hundred, where reading every coding with its text and attributes took most of a
    second in each area's kernel."""
    c, d, k = schema.codings, schema.documents, schema.coders
    order = (c.c.document_id, c.c.start, c.c.id)
    ranked = (
        select(
            c.c.code_id,
            c.c.document_id,
            c.c.start,
            c.c.end,
            c.c.id,
            func.row_number().over(partition_by=c.c.code_id, order_by=order).label("n"),
        )
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .where(d.c.is_current == 1, ~k.c.name.startswith(leave_out, autoescape=True))
    )
    if viewer is not None and (blind := visible_codings(conn, viewer)) is not None:
        ranked = ranked.where(blind)
    ranked = ranked.subquery()
    rows = conn.execute(
        select(ranked.c.code_id, ranked.c.document_id, ranked.c.start, ranked.c.end)
        .where(ranked.c.n <= per_code)
        .order_by(ranked.c.document_id, ranked.c.start, ranked.c.id)
    ).all()
    texts = document_texts(conn, sorted({row.document_id for row in rows}))
    paths = {code.id: code.path for code in tree}
    found: dict[str, list[str]] = {}
    for row in rows:
        if row.code_id in paths:
            found.setdefault(paths[row.code_id], []).append(
                texts[row.document_id][row.start : row.end]
            )
    return found
