"""Who codes: the people among the coders, the spans one coder has coded, every coder with
their work, and whose codings a set of codes holds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, func, select

from qualcode.store import schema
from qualcode.store.bulk import in_chunks
from qualcode.store.coders import coder_key


def people(conn: Connection) -> list[str]:
    """The coders with role "coder" (not machine suggesters, not the consensus), by name."""
    k = schema.coders
    return sorted(
        name for name, role in conn.execute(select(k.c.name, k.c.role)) if role == "coder"
    )


def in_arrival_order(conn: Connection) -> list[str]:
    """Every coder but the machine suggesters, in the order they first appeared in the project
    (people and the consensus): a coder's place in it never changes, so colours given by it
    stay the same across sessions."""
    k = schema.coders
    query = select(k.c.name).where(k.c.role != "model").order_by(k.c.id)
    return list(conn.execute(query).scalars())


def coded_spans(conn: Connection, coder_id: int) -> set[tuple[int, int, int, int]]:
    """(document_id, start, end, code_id) of every coding the coder has made."""
    c = schema.codings
    query = select(c.c.document_id, c.c.start, c.c.end, c.c.code_id).where(c.c.coder_id == coder_id)
    return {tuple(row) for row in conn.execute(query)}  # type: ignore[misc]


def coders_table(conn: Connection, leads: list[str]) -> pd.DataFrame:
    """One row per coder: name, role, whether a lead, codings and memos (for `coder list`)."""
    k, c, m = schema.coders, schema.codings, schema.memos
    codings = dict(conn.execute(select(c.c.coder_id, func.count()).group_by(c.c.coder_id)).all())
    memos = dict(conn.execute(select(m.c.coder_id, func.count()).group_by(m.c.coder_id)).all())
    lead_keys = {coder_key(name) for name in leads}
    rows = [
        {
            "coder": row.name,
            "role": row.role,
            "lead": coder_key(row.name) in lead_keys,
            "codings": codings.get(row.id, 0),
            "memos": memos.get(row.id, 0),
        }
        for row in conn.execute(select(k).order_by(k.c.name))
    ]
    known = {coder_key(row["coder"]) for row in rows}
    rows += [  # a lead who has not coded yet is still listed
        {"coder": name, "role": "coder", "lead": True, "codings": 0, "memos": 0}
        for name in leads
        if coder_key(name) not in known
    ]
    return pd.DataFrame(rows, columns=["coder", "role", "lead", "codings", "memos"])


def codings_by_coder(conn: Connection, code_ids: Sequence[int]) -> dict[str, int]:
    """How many codings of these codes each coder (person, layer or model) has, most first:
    whose work deleting or merging the codes touches."""
    c, k = schema.codings, schema.coders
    counts: dict[str, int] = {}
    for chunk in in_chunks(list(code_ids)):
        query = (
            select(k.c.name, func.count())
            .select_from(c)
            .join(k, k.c.id == c.c.coder_id)
            .where(c.c.code_id.in_(chunk))
            .group_by(k.c.name)
        )
        for name, n in conn.execute(query):
            counts[name] = counts.get(name, 0) + n
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
