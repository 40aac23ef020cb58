"""Codings: the one way a coding is added or removed, each with its audit row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from qualcode.model import Code, Coding
from qualcode.store import audit, schema
from qualcode.store.bulk import in_chunks, insert_rows
from qualcode.store.stamps import new_guid, now

CODING_COLUMNS = (  # a coding's columns in the order bulk inserts give them
    "guid",
    "document_id",
    "start",
    "end",
    "code_id",
    "coder_id",
    "memo",
    "created_at",
    "updated_at",
)


def insert_coding(
    conn: Connection,
    document_id: int,
    start: int,
    end: int,
    code: Code,
    *,
    coder: str,
    coder_id: int,
    memo: str | None,
    text: str,
    actor: str | None = None,
    action: str = "add",
) -> Coding:
    """Insert one coding (offsets already checked) with its audit row, in the caller's
    transaction: the one way a coding is added (by hand, a model's proposals, or into a
    consensus, where `actor` is the adjudicator and `coder` the layer)."""
    stamp, guid = now(), new_guid()
    coding_id = conn.execute(
        schema.codings.insert().values(
            guid=guid,
            document_id=document_id,
            start=start,
            end=end,
            code_id=code.id,
            coder_id=coder_id,
            memo=memo,
            created_at=stamp,
            updated_at=stamp,
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor or coder,
        action=action,
        object="coding",
        object_id=coding_id,
        document_id=document_id,
        after={"start": start, "end": end, "code": code.path, "coder": coder, "memo": memo},
    )
    return Coding(
        id=coding_id,
        guid=guid,
        document_id=document_id,
        start=start,
        end=end,
        code_id=code.id,
        code=code.path,
        coder=coder,
        text=text,
        memo=memo,
        created_at=stamp,
    )


def insert_codings(
    conn: Connection,
    rows: Sequence[tuple[Any, ...]],
    *,
    actor: str,
    after: Callable[[tuple[Any, ...]], dict[str, Any]],
) -> list[int]:
    """Insert many codings (tuples in `CODING_COLUMNS` order) with one audit row each, whose
    `after` is `after(row)`, in the caller's transaction; their ids, in order. The bulk twin
    of `insert_coding` (an auto-coding, a merge)."""
    if not rows:
        return []
    k = schema.codings
    insert_rows(conn, k, CODING_COLUMNS, rows)
    guids = [row[0] for row in rows]
    ids: dict[str, int] = {}
    for chunk in in_chunks(guids):
        ids.update(
            (guid, coding_id)
            for guid, coding_id in conn.execute(select(k.c.guid, k.c.id).where(k.c.guid.in_(chunk)))
        )
    stamp = now()
    insert_rows(
        conn,
        schema.audit,
        audit.COLUMNS,
        [(stamp, actor, "add", "coding", ids[row[0]], row[1], None, after(row)) for row in rows],
    )
    return [ids[guid] for guid in guids]


def delete_codings(
    conn: Connection,
    rows: Sequence[Any],
    *,
    actor: str,
    action: str = "delete",
    after: dict[str, Any] | None = None,
) -> None:
    """Delete codings (rows of `_coding_rows`) with one audit row each saying what went, in
    the caller's transaction: the one way a coding is removed (by its coder, from a consensus,
    a reviewed suggestion, an undone auto-coding)."""
    k = schema.codings
    ids = [row.id for row in rows]
    for chunk in in_chunks(ids):
        conn.execute(k.delete().where(k.c.id.in_(chunk)))
    stamp = now()
    insert_rows(
        conn,
        schema.audit,
        audit.COLUMNS,
        [
            (
                stamp,
                actor,
                action,
                "coding",
                row.id,
                row.document_id,
                {
                    "start": row.start,
                    "end": row.end,
                    "code": row.code_id,
                    "coder": row.coder,
                    "memo": row.memo,
                },
                after,
            )
            for row in rows
        ],
    )


def coding_rows(conn: Connection, conditions: list[Any]) -> Any:
    c, k = schema.codings, schema.coders
    query = select(c, k.c.name.label("coder"), k.c.role.label("coder_role")).join(
        k, k.c.id == c.c.coder_id
    )
    for condition in conditions:
        query = query.where(condition)
    return conn.execute(query.order_by(c.c.document_id, c.c.start, c.c.end, c.c.id))


def codings_by_id(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """The rows (as `coding_rows` gives them) of the codings with these ids that exist."""
    k = schema.codings
    return [row for chunk in in_chunks(ids) for row in coding_rows(conn, [k.c.id.in_(chunk)])]
