"""Done marks as a table: which transcripts each coder has finished."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from qualcode.store import schema

COLUMNS = ["area", "title", "case", "version", "current", "document_id", "coder", "done_at"]


def done_df(
    conn: Connection,
    *,
    coder: str | None = None,
    area: str | None = None,
    all_versions: bool = False,
) -> pd.DataFrame:
    """One row per done mark (area, title, case, version, document id, coder, when), by
    area, title and coder; marks on earlier versions only with `all_versions`. `coder` is
    the name as the store spells it (`store.coders.known_name`)."""
    t, d, a, k, cs = (
        schema.done_marks,
        schema.documents,
        schema.areas,
        schema.coders,
        schema.cases,
    )
    query = (
        select(
            a.c.name.label("area"),
            d.c.title,
            cs.c.name.label("case"),
            d.c.version,
            d.c.is_current,
            d.c.id.label("document_id"),
            k.c.name.label("coder"),
            t.c.done_at,
        )
        .join(d, d.c.id == t.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .join(k, k.c.id == t.c.coder_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .order_by(a.c.name, d.c.title, d.c.version, k.c.name)
    )
    if coder is not None:
        query = query.where(k.c.name == coder)
    if area is not None:
        query = query.where(a.c.name == area)
    if not all_versions:
        query = query.where(d.c.is_current == 1)
    rows = [{**row._mapping, "current": bool(row.is_current)} for row in conn.execute(query)]
    return pd.DataFrame(rows, columns=COLUMNS)


def codings_per_document(conn: Connection) -> pd.DataFrame:
    """How many codings each person has made on each current document (counts only, no
    codes, so a facilitator can follow a blind round without seeing anyone's coding):
    columns coder, document_id, title, area, codings. Models' suggestions are not counted."""
    c, d, a, k = schema.codings, schema.documents, schema.areas, schema.coders
    query = (
        select(
            k.c.name.label("coder"),
            d.c.id.label("document_id"),
            d.c.title,
            a.c.name.label("area"),
            func.count(c.c.id).label("codings"),
        )
        .join(d, d.c.id == c.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .join(k, k.c.id == c.c.coder_id)
        .where((d.c.is_current == 1) & (k.c.role != "model"))
        .group_by(k.c.name, d.c.id, d.c.title, a.c.name)
        .order_by(k.c.name, a.c.name, d.c.title)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    return pd.DataFrame(rows, columns=["coder", "document_id", "title", "area", "codings"])
