"""Codings: the one way a coding is added or removed, each with its audit row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import CodingError
from qualcode.model import Code, Coding, clean_text
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
    memo = clean_text(memo) if memo else memo
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
    """Delete codings (rows of `coding_rows`) with one audit row each saying what went (its
    GUID and `updated_at` too: the tombstone a merge reads), in the caller's transaction: the
    one way a coding is removed (by its coder, from a consensus, a reviewed suggestion, an
    undone auto-coding, a merge; `delete_code_codings` when the code goes)."""
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
                    "guid": row.guid,
                    "start": row.start,
                    "end": row.end,
                    "code": row.code_id,
                    "coder": row.coder,
                    "memo": row.memo,
                    "updated_at": row.updated_at,
                },
                after,
            )
            for row in rows
        ],
    )


def delete_code_codings(
    conn: Connection, rows: Sequence[Any], paths: dict[int, str], *, actor: str
) -> None:
    """Delete codings (rows of `coding_rows`) whose codes are being deleted, with one audit
    row each naming the code by its path (from `paths`), since its id is about to go."""
    k = schema.codings
    for chunk in in_chunks([row.id for row in rows]):
        conn.execute(k.delete().where(k.c.id.in_(chunk)))
    for row in rows:
        audit.record(
            conn,
            actor=actor,
            action="delete",
            object="coding",
            object_id=row.id,
            document_id=row.document_id,
            before={
                "guid": row.guid,
                "start": row.start,
                "end": row.end,
                "code": paths[row.code_id],
                "coder": row.coder,
                "memo": row.memo,
                "updated_at": row.updated_at,
                "created_at": row.created_at,  # so a restore gives the coding back as it was
            },
        )


def move_codings(
    conn: Connection, source: Code, target: Code, *, actor: str
) -> tuple[list[int], list[int]]:
    """Move `source`'s codings to `target`, with an audit row each, in the caller's transaction
    (a code merged into another). A coding that becomes the twin of one already there (same
    document, span and coder) goes, its memo joined to the kept one's. Returns the ids moved
    and the ids removed."""
    c, k = schema.codings, schema.coders
    columns = (c.c.id, c.c.guid, c.c.document_id, c.c.start, c.c.end, c.c.coder_id, c.c.memo)
    # the coding each (document, span, coder) keeps: `target`'s own first, else the oldest
    keep: dict[tuple[int, int, int, int], dict[str, Any]] = {}
    for row in conn.execute(select(*columns).where(c.c.code_id == target.id).order_by(c.c.id)):
        keep.setdefault(
            (row.document_id, row.start, row.end, row.coder_id), {"id": row.id, "memo": row.memo}
        )
    coder_names = dict(conn.execute(select(k.c.id, k.c.name)).all())
    moved: list[int] = []
    dropped: list[int] = []
    stamp = now()
    for row in conn.execute(
        select(*columns).where(c.c.code_id == source.id).order_by(c.c.id)
    ).all():
        before = {
            "start": row.start,
            "end": row.end,
            "code": source.path,
            "coder": coder_names[row.coder_id],
            "memo": row.memo,
        }
        twin = keep.setdefault(
            (row.document_id, row.start, row.end, row.coder_id), {"id": row.id, "memo": row.memo}
        )
        if twin["id"] == row.id:
            moved.append(row.id)
            audit.record(
                conn,
                actor=actor,
                action="update",
                object="coding",
                object_id=row.id,
                document_id=row.document_id,
                before=before,
                after={**before, "code": target.path},
            )
            continue
        memo = _joined_memo(twin["memo"], row.memo)
        if memo != twin["memo"]:  # keep what the coder wrote on the copy that goes
            conn.execute(c.update().where(c.c.id == twin["id"]).values(memo=memo, updated_at=stamp))
            twin["memo"] = memo
        conn.execute(c.delete().where(c.c.id == row.id))
        dropped.append(row.id)
        audit.record(
            conn,
            actor=actor,
            action="delete",
            object="coding",
            object_id=row.id,
            document_id=row.document_id,
            before={**before, "guid": row.guid},  # a tombstone a merge reads
            after={"duplicate_of": twin["id"]},
        )
    conn.execute(
        c.update().where(c.c.code_id == source.id).values(code_id=target.id, updated_at=stamp)
    )
    return moved, dropped


def move_coder_codings(
    conn: Connection, source: Any, target: Any, *, actor: str
) -> tuple[list[int], list[int]]:
    """Move coder `source`'s codings to coder `target` (rows with id and name), an audit row
    each, in the caller's transaction (two coders merged). A coding `target` already has
    (same document, span and code) is kept once, the memo of the one that goes joined to it.
    Returns the ids moved and the ids removed."""
    c = schema.codings
    columns = (
        c.c.id,
        c.c.guid,
        c.c.document_id,
        c.c.start,
        c.c.end,
        c.c.code_id,
        c.c.memo,
        c.c.updated_at,
    )
    keep = {
        (row.document_id, row.start, row.end, row.code_id): {"id": row.id, "memo": row.memo}
        for row in conn.execute(select(*columns).where(c.c.coder_id == target.id))
    }
    moved: list[int] = []
    dropped: list[int] = []
    stamp = now()
    for row in conn.execute(
        select(*columns).where(c.c.coder_id == source.id).order_by(c.c.id)
    ).all():
        before = {"start": row.start, "end": row.end, "code": row.code_id, "coder": source.name}
        twin = keep.get((row.document_id, row.start, row.end, row.code_id))
        if twin is None:
            moved.append(row.id)
            change, after = "update", {**before, "coder": target.name}
        else:
            memo = _joined_memo(twin["memo"], row.memo)
            if memo != twin["memo"]:
                conn.execute(
                    c.update().where(c.c.id == twin["id"]).values(memo=memo, updated_at=stamp)
                )
                twin["memo"] = memo
            conn.execute(c.delete().where(c.c.id == row.id))
            dropped.append(row.id)
            change, after = "delete", {"duplicate_of": twin["id"], "coder": target.name}
        audit.record(
            conn,
            actor=actor,
            action=change,
            object="coding",
            object_id=row.id,
            document_id=row.document_id,
            # guid and updated_at: a removal is a tombstone a later merge reads
            before={**before, "memo": row.memo, "guid": row.guid, "updated_at": row.updated_at},
            after=after,
        )
    for chunk in in_chunks(moved):
        conn.execute(
            c.update().where(c.c.id.in_(chunk)).values(coder_id=target.id, updated_at=stamp)
        )
    return moved, dropped


def _joined_memo(kept: str | None, dropped: str | None) -> str | None:
    if not dropped or dropped == kept:
        return kept
    return f"{kept}\n\n{dropped}" if kept else dropped


def coding_guids(conn: Connection) -> set[str]:
    """The GUID of every coding in the store: an incoming coding with one of them is there."""
    return set(conn.execute(select(schema.codings.c.guid)).scalars())


def coding_rows(conn: Connection, conditions: list[Any]) -> Any:
    c, k = schema.codings, schema.coders
    query = select(c, k.c.name.label("coder"), k.c.role.label("coder_role")).join(
        k, k.c.id == c.c.coder_id
    )
    for condition in conditions:
        query = query.where(condition)
    return conn.execute(query.order_by(c.c.document_id, c.c.start, c.c.end, c.c.id))


def coding_rows_by_id(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """Rows of `coding_rows` for these ids (any number; missing ones are passed over)."""
    k = schema.codings
    return [row for chunk in in_chunks(ids) for row in coding_rows(conn, [k.c.id.in_(chunk)])]


def coding_row(conn: Connection, coding_id: int) -> Any | None:
    """One row of `coding_rows` (with coder name and role), or None if it is gone."""
    return coding_rows(conn, [schema.codings.c.id == coding_id]).first()


def identical(
    conn: Connection, document_id: int, start: int, end: int, code_id: int, coder_id: int
) -> int | None:
    """The id of a coding with exactly this span, code and coder, if there is one."""
    k = schema.codings
    return conn.execute(
        select(k.c.id).where(
            k.c.document_id == document_id,
            k.c.start == start,
            k.c.end == end,
            k.c.code_id == code_id,
            k.c.coder_id == coder_id,
        )
    ).scalar_one_or_none()


def review_suggestion(
    conn: Connection, row: Any, *, accept: bool, coder: str, coder_id: int
) -> int | None:
    """Accept (copy as `coder`'s own coding, memo saying where it came from) or reject a
    suggestion (a row of `coding_rows`); either way it goes, with one "accept"/"reject" audit
    row naming both. Returns the accepted coding's id."""
    accepted = None
    if accept:
        stamp = now()
        accepted = conn.execute(
            schema.codings.insert().values(
                guid=new_guid(),
                document_id=row.document_id,
                start=row.start,
                end=row.end,
                code_id=row.code_id,
                coder_id=coder_id,
                memo=f"accepted from {row.coder}" + (f": {row.memo}" if row.memo else ""),
                created_at=stamp,
                updated_at=stamp,
            )
        ).inserted_primary_key[0]
    delete_codings(
        conn,
        [row],
        actor=coder,
        action="accept" if accept else "reject",
        after={"coding": accepted, "coder": coder} if accepted else None,
    )
    return accepted


def set_memo(conn: Connection, row: Any, memo: str | None, *, actor: str) -> None:
    """Write the memo of a coding (a row of `coding_rows`), audited as an update."""
    memo = clean_text(memo) if memo else memo
    k = schema.codings
    conn.execute(k.update().where(k.c.id == row.id).values(memo=memo, updated_at=now()))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="coding",
        object_id=row.id,
        document_id=row.document_id,
        before={"memo": row.memo},
        after={"memo": memo},
    )


def coding_rows_of_codes(conn: Connection, code_ids: Sequence[int]) -> list[Any]:
    """Rows of `coding_rows` coded with any of these codes, oldest first."""
    k = schema.codings
    rows = [
        row for chunk in in_chunks(code_ids) for row in coding_rows(conn, [k.c.code_id.in_(chunk)])
    ]
    return sorted(rows, key=lambda row: row.id)


def delete_own_codings(conn: Connection, ids: Sequence[int], *, coder: str) -> int:
    """Delete `coder`'s own codings among `ids` (gone ones passed over), one audit row each;
    refused, deleting nothing, if any is another coder's. Returns how many went."""
    rows = coding_rows_by_id(conn, ids)
    others = [row for row in rows if row.coder != coder]
    if others:
        named = ", ".join(f"{r.id} ({r.coder})" for r in others[:5])
        raise CodingError(
            f"{len(others)} of these codings belong to another coder, not {coder}: "
            f"{named}; a coder can remove only their own codings (nothing was removed)"
        )
    delete_codings(conn, rows, actor=coder)
    return len(rows)
