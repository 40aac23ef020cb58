"""The rows an area's reports are made from, read for the pipeline's inputs hash.

`qualcode.pipeline.inputs` hashes them by content; this module only reads, in one
connection, so the parts of one hash come from one state of the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.store import schema


@dataclass(frozen=True)
class AreaInputRows:
    """An area's config and the rows its reports read: documents (every version, with their
    case), cases, codings (with their coder), recommendations (the area's and the
    project-wide ones) and the whole codebook (every column, ordered by id)."""

    config: dict[str, Any] | None
    documents: list[Row[Any]]
    cases: list[Row[Any]]
    codings: list[Row[Any]]
    recommendations: list[Row[Any]]
    codes: list[Row[Any]]


def area_input_rows(conn: Connection, area: str) -> AreaInputRows | None:
    """What an area's reports are made from, or None if the store has no such area."""
    d, a, cs, c, k = schema.documents, schema.areas, schema.cases, schema.codings, schema.coders
    r = schema.recommendations
    found = conn.execute(select(a.c.id, a.c.config).where(a.c.name == area)).first()
    if found is None:
        return None
    documents = conn.execute(
        select(
            d.c.id,
            d.c.title,
            d.c.version,
            d.c.is_current,
            d.c.sha256,
            cs.c.name.label("case"),
        )
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .where(d.c.area_id == found.id)
        .order_by(d.c.title, d.c.version)
    ).all()
    cases = conn.execute(
        select(cs.c.name, cs.c.attributes).where(cs.c.area_id == found.id).order_by(cs.c.name)
    ).all()
    codings = conn.execute(
        select(
            c.c.id,
            c.c.document_id,
            c.c.start,
            c.c.end,
            c.c.code_id,
            c.c.memo,
            k.c.name.label("coder"),
        )
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .where(d.c.area_id == found.id)
    ).all()
    recommendations = conn.execute(
        select(r.c.text, r.c.codes, r.c.codings, r.c.response, r.c.status)
        .where((r.c.area_id == found.id) | r.c.area_id.is_(None))
        .order_by(r.c.id)
    ).all()
    codes = conn.execute(select(schema.codes).order_by(schema.codes.c.id)).all()
    return AreaInputRows(found.config, documents, cases, codings, recommendations, codes)
