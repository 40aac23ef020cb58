"""What the mixed-methods tables read: the cases of the current documents, and every memo
with the document it belongs to (see `qualcode.analysis.matrices`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.store import schema

m, c, k, d, a, cs = (
    schema.memos,
    schema.codings,
    schema.coders,
    schema.documents,
    schema.areas,
    schema.cases,
)


def current_cases(conn: Connection, *, area: str | None = None) -> list[Row[Any]]:
    """(document_id, area, case_key, case, title) of every current document (of `area`);
    `case_key` is the case's id, and it and `case` are None when the document has no case."""
    query = (
        select(d.c.id, a.c.name, d.c.case_id, cs.c.name, d.c.title)
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .where(d.c.is_current == 1)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    return list(conn.execute(query).all())


def document_places(conn: Connection) -> dict[int, Row[Any]]:
    """Document id -> (id, title, is_current, area, case) of every document version."""
    query = (
        select(d.c.id, d.c.title, d.c.is_current, a.c.name.label("area"), cs.c.name.label("case"))
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
    )
    return {row.id: row for row in conn.execute(query)}


def memos(conn: Connection) -> list[Row[Any]]:
    """Every memo (id, title, text, document_id, code_id, its author's `name`, created_at,
    updated_at)."""
    return list(
        conn.execute(
            select(
                m.c.id,
                m.c.title,
                m.c.text,
                m.c.document_id,
                m.c.code_id,
                k.c.name,
                m.c.created_at,
                m.c.updated_at,
            ).join(k, k.c.id == m.c.coder_id)
        ).all()
    )


def coding_memos(conn: Connection) -> list[Row[Any]]:
    """Every coding with a memo (id, memo, document_id, start, end, code_id, its coder's
    `name`, created_at, updated_at)."""
    return list(
        conn.execute(
            select(
                c.c.id,
                c.c.memo,
                c.c.document_id,
                c.c.start,
                c.c.end,
                c.c.code_id,
                k.c.name,
                c.c.created_at,
                c.c.updated_at,
            )
            .join(k, k.c.id == c.c.coder_id)
            .where(c.c.memo.is_not(None), c.c.memo != "")
        ).all()
    )
