"""What a REFI-QDA export reads: current documents, the codings a viewer may see, memos,
coders and cases, each sorted as the export writes them so the same project gives the same
file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from qualcode.store import rounds, schema

d, a, c, k, m, cs = (
    schema.documents,
    schema.areas,
    schema.codings,
    schema.coders,
    schema.memos,
    schema.cases,
)


def current_documents(conn: Connection, area: str | None) -> list[Any]:
    """The current version of each document (of one area, or all), by title and GUID."""
    query = (
        select(
            d.c.id,
            d.c.guid,
            d.c.title,
            d.c.text,
            d.c.case_id,
            d.c.created_at,
            a.c.name.label("area"),
        )
        .join(a, a.c.id == d.c.area_id)
        .where(d.c.is_current == 1)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    return sorted(conn.execute(query).all(), key=lambda r: (r.title, r.guid))


def visible_codings(conn: Connection, area: str | None, viewer: str) -> dict[int, list[Any]]:
    """Codings rows of current documents by document id; an open blind round stays blind
    (the viewer sees only their own there)."""
    query = (
        select(c)
        .join(d, d.c.id == c.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .where(d.c.is_current == 1)
    )
    if area is not None:
        query = query.where(a.c.name == area)
    condition = rounds.visible_codings(conn, viewer)
    if condition is not None:
        query = query.where(condition)
    out: dict[int, list[Any]] = {}
    for row in conn.execute(query):
        out.setdefault(row.document_id, []).append(row)
    return out


def memos(conn: Connection, document_ids: set[int], area: str | None) -> list[Any]:
    """Memos on these documents, and (for the whole project) on codes or free; with an area,
    code memos stay (codes belong to every area) and free ones go. By time and GUID."""
    rows = [
        r
        for r in conn.execute(select(m)).all()
        if (r.document_id in document_ids)
        or (r.document_id is None and (area is None or r.code_id))
    ]
    return sorted(rows, key=lambda r: (r.created_at, r.guid))


def coders(conn: Connection, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Coder id -> (GUID, name), for these coders."""
    return {
        r.id: (r.guid, r.name)
        for r in conn.execute(select(k.c.id, k.c.guid, k.c.name))
        if r.id in ids
    }


def cases(conn: Connection, ids: set[int]) -> list[Any]:
    """These cases' rows, by name and GUID."""
    rows = [r for r in conn.execute(select(cs)).all() if r.id in ids]
    return sorted(rows, key=lambda r: (r.name, r.guid))
