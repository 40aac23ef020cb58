"""Memos: the one way a memo enters the store, with its audit row."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import CodingError, NotFoundError, QualcodeError
from qualcode.model import Code, DocumentRef, check_name, clean_name, clean_text
from qualcode.store import audit, schema
from qualcode.store.coders import same_person
from qualcode.store.codes import resolve
from qualcode.store.documents import document_span
from qualcode.store.identity import coder_id_for
from qualcode.store.stamps import new_guid, now


def insert_memo(
    conn: Connection, values: dict[str, Any], *, actor: str, after: dict[str, Any] | None = None
) -> int:
    """Insert a memo (a row of the memos table, checked by the caller) with its audit row, in
    the caller's transaction (a coder's memo, a REFI-QDA Note). `after` is what the audit row
    keeps (default: the row without its text, which can be long and personal). A title with
    a control character is refused; the text keeps everything but NULs and lone surrogates."""
    check_name(values["title"], "memo title")
    values = {**values, "text": clean_text(values["text"])}
    memo_id: int = conn.execute(schema.memos.insert().values(**values)).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor,
        action="add",
        object="memo",
        object_id=memo_id,
        document_id=values.get("document_id"),
        after=after if after is not None else {k: v for k, v in values.items() if k != "text"},
    )
    return memo_id


def memo_by_guid(conn: Connection, guid: str) -> int | None:
    """The id of the memo with this GUID, or None."""
    m = schema.memos
    return conn.execute(select(m.c.id).where(m.c.guid == guid)).scalar_one_or_none()


def memo_row(conn: Connection, memo_id: int) -> Any | None:
    """A memo's row with its writer's name (`coder`), or None."""
    m, k = schema.memos, schema.coders
    return conn.execute(
        select(m, k.c.name.label("coder")).join(k, k.c.id == m.c.coder_id).where(m.c.id == memo_id)
    ).first()


def delete_memo(
    conn: Connection, row: Any, *, actor: str, after: dict[str, Any] | None = None
) -> None:
    """Remove a memo (a `memo_row`), keeping its title, text and code in the audit row."""
    m = schema.memos
    conn.execute(m.delete().where(m.c.id == row.id))
    audit.record(
        conn,
        actor=actor,
        action="delete",
        object="memo",
        object_id=row.id,
        document_id=row.document_id,
        before={
            "guid": row.guid,  # the tombstone a merge reads
            "title": row.title,
            "text": row.text,
            "code_id": row.code_id,
            "updated_at": row.updated_at,
        },
        after=after,
    )


def move_code_memos(conn: Connection, code_ids: list[int], code_id: int | None) -> dict[int, int]:
    """Attach the memos on these codes to `code_id` (None: to no code), in the caller's
    transaction; no audit row of its own, the code's merge or deletion records it. Returns
    the code each moved memo was on, by memo id."""
    m = schema.memos
    where = m.c.code_id.in_(code_ids)
    moved = {row.id: row.code_id for row in conn.execute(select(m.c.id, m.c.code_id).where(where))}
    conn.execute(m.update().where(where).values(code_id=code_id))
    return moved


def add_memo(
    conn: Connection,
    text: str,
    *,
    coder: str,
    title: str | None,
    document: DocumentRef | None,
    code: Code | int | str | None,
) -> int:
    """A coder's memo on a document, a code, both or neither, with its audit row; the title
    defaults to the text's first line. Returns its id."""
    coder = clean_name(coder, "coder")
    text = clean_text(text.strip()) if isinstance(text, str) else ""
    if not text:
        raise QualcodeError("a memo needs some text; nothing was written")
    title = (title or "").strip() or _first_line(text)
    doc_id = document_span(conn, document)[0] if document is not None else None
    code_id = _code_id(conn, code)
    stamp = now()
    values = {
        "guid": new_guid(),
        "coder_id": coder_id_for(conn, coder),
        "title": title[:500],
        "text": text,
        "document_id": doc_id,
        "code_id": code_id,
        "created_at": stamp,
        "updated_at": stamp,
    }
    return insert_memo(conn, values, actor=coder, after={"title": title, "code_id": code_id})


def own_memo(conn: Connection, memo_id: int, coder: str) -> Any:
    """A memo's row (`memo_row`) when `coder` wrote it; else a clear error: no such memo, or
    someone else's (a coder changes only their own memos)."""
    row = memo_row(conn, memo_id) if isinstance(memo_id, int) else None
    if row is None:
        raise NotFoundError(f"no memo with id {memo_id!r}; it may have been removed")
    if not same_person(row.coder, coder):
        raise CodingError(
            f"memo {memo_id} was written by {row.coder}, not {coder}; "
            "a coder can change or remove only their own memos"
        )
    return row


def update_memo(conn: Connection, row: Any, text: str, *, actor: str) -> None:
    """Give a memo (a `memo_row`) new text, audited as an update keeping the old text (so
    nothing a coder wrote is lost); the title follows the first line unless it was set
    apart from it. Empty text is refused: removing a memo is `delete_memo`."""
    text = clean_text(text.strip()) if isinstance(text, str) else ""
    if not text:
        raise QualcodeError(
            f"memo {row.id} needs some text; to remove it, delete it (nothing was written)"
        )
    title = _first_line(text) if row.title == _first_line(row.text) else row.title
    m = schema.memos
    conn.execute(
        m.update().where(m.c.id == row.id).values(text=text, title=title[:500], updated_at=now())
    )
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="memo",
        object_id=row.id,
        document_id=row.document_id,
        before={"title": row.title, "text": row.text, "updated_at": row.updated_at},
        after={"title": title},
    )


def _code_id(conn: Connection, code: Code | int | str | None) -> int | None:
    """The id of the code a memo goes on, or a clear error when it is not in the codebook
    (deleted since the Coder showed it, say)."""
    if code is None:
        return None
    try:
        return resolve(conn, code).id
    except NotFoundError as exc:
        raise NotFoundError(
            f"{exc}; it may have been deleted: refresh to see the codebook as it is now "
            "(nothing was written)"
        ) from None


def _first_line(text: str) -> str:
    """A memo's default title: its first line, spaces folded, control characters dropped."""
    line = " ".join(text.splitlines()[0].split())
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", line)[:80] or "memo"
