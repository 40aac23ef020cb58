"""The recommendations register as read from the store, and the codings it may link to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.store import schema


def recommendation_rows(
    conn: Connection, *, area: str | None = None, status: str | None = None
) -> list[Row[Any]]:
    """Every recommendation (all its columns and its area's name as `area`), by id; with
    `area`, that area's and those for every area; with `status`, those of that status."""
    r, a = schema.recommendations, schema.areas
    query = select(r, a.c.name.label("area")).outerjoin(a, a.c.id == r.c.area_id).order_by(r.c.id)
    if area is not None:
        query = query.where((a.c.name == area) | r.c.area_id.is_(None))
    if status is not None:
        query = query.where(r.c.status == status)
    return list(conn.execute(query).all())


def existing_codings(conn: Connection, ids: Sequence[int]) -> set[int]:
    """Those of the coding ids that are in the store."""
    if not ids:
        return set()
    c = schema.codings
    return set(conn.execute(select(c.c.id).where(c.c.id.in_(list(ids)))).scalars())
