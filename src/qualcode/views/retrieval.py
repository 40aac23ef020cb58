"""The reads behind `qualcode.coding.retrieval.Retrieval`: codings, units, documents, cases
and names, on a Connection the caller holds open (one read transaction for a whole query).

Document ids go into the SQL in chunks (`in_chunks`), so no IN list outgrows the database's
limit; the retrieval filters codings by case and document in Python instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.store import schema
from qualcode.store.bulk import in_chunks
from qualcode.store.rounds import visible_codings


def case_attributes_by_id(conn: Connection) -> dict[int, dict[str, Any]]:
    """Every case's attributes, by case id; a case without attributes has {}."""
    t = schema.cases
    return {row.id: row.attributes or {} for row in conn.execute(select(t.c.id, t.c.attributes))}


def codings(
    conn: Connection,
    code_ids: Iterable[int],
    *,
    coders: Sequence[str] | None,
    area: str | None,
    current_only: bool,
    viewer: str,
) -> list[Row[Any]]:
    """(document_id, start, end, code_id, coder name, case_id) of every coding of `code_ids`,
    narrowed by coder names, area and current versions; on documents of an open blind round
    only `viewer`'s own."""
    c, k, d, a = schema.codings, schema.coders, schema.documents, schema.areas
    query = (
        select(c.c.document_id, c.c.start, c.c.end, c.c.code_id, k.c.name, d.c.case_id)
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .where(c.c.code_id.in_(sorted(set(code_ids))))
    )
    if coders is not None:
        query = query.where(k.c.name.in_(coders))
    if current_only:
        query = query.where(d.c.is_current == 1)
    if area is not None:
        query = query.join(a, a.c.id == d.c.area_id).where(a.c.name == area)
    if (blind := visible_codings(conn, viewer)) is not None:
        query = query.where(blind)
    return list(conn.execute(query).all())


def documents(conn: Connection, doc_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """Id, title, text, area, case and case attributes of each document, by id."""
    d, a, cs = schema.documents, schema.areas, schema.cases
    out: dict[int, Row[Any]] = {}
    for chunk in in_chunks(sorted(doc_ids)):
        query = (
            select(
                d.c.id,
                d.c.title,
                d.c.text,
                a.c.name.label("area"),
                cs.c.name.label("case"),
                cs.c.attributes,
            )
            .join(a, a.c.id == d.c.area_id)
            .outerjoin(cs, cs.c.id == d.c.case_id)
            .where(d.c.id.in_(chunk))
        )
        out.update({row.id: row for row in conn.execute(query)})
    return out
