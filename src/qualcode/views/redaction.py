"""What pseudonymisation reads from the store: the cases of documents, and the earlier
versions of a pseudonymised document that still hold their original text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from qualcode.store import schema

d, cs, u, c = schema.documents, schema.cases, schema.units, schema.codings


def cases_of(conn: Connection, document_ids: Sequence[int]) -> list[Row[Any]]:
    """(id, attributes) of the cases the documents belong to."""
    ids = select(d.c.case_id).where(d.c.id.in_(list(document_ids)))
    return list(conn.execute(select(cs.c.id, cs.c.attributes).where(cs.c.id.in_(ids))).all())


def earlier_versions(
    conn: Connection, document_id: int, title: str, version: int
) -> list[Row[Any]]:
    """(id, version, sha256, meta) of the versions before `version` of the document titled
    `title` in the area of `document_id`, those whose text is not yet purged."""
    area_id = select(d.c.area_id).where(d.c.id == document_id).scalar_subquery()
    return list(
        conn.execute(
            select(d.c.id, d.c.version, d.c.sha256, d.c.meta).where(
                d.c.area_id == area_id,
                d.c.title == title,
                d.c.version < version,
                d.c.length > 0,
            )
        ).all()
    )


def contents(conn: Connection, document_id: int) -> tuple[int, int]:
    """How many units and codings a document version has."""
    count = select(func.count())
    units = conn.execute(count.select_from(u).where(u.c.document_id == document_id)).scalar()
    codings = conn.execute(count.select_from(c).where(c.c.document_id == document_id)).scalar()
    return int(units or 0), int(codings or 0)
