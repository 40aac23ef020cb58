"""Memos as one coder may see them: on transcripts, on codes, on codings, and free notes.

One list for the Coder's memo panel and for notebooks (`Project.memos_df`). The blind-round
rule is the store's (`store.rounds.visible_rows`): while a round is open, others' memos on
its documents (their codings' memos and their transcript memos, which would tell a coder how
a colleague read the same words) are hidden; memos on codes belong to the codebook and stay.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from qualcode.store import schema
from qualcode.store.coders import coder_row
from qualcode.store.codes import paths
from qualcode.store.rounds import all_versions, visible_rows

m, c, d, a, k = schema.memos, schema.codings, schema.documents, schema.areas, schema.coders

COLUMNS = [
    "kind",  # transcript | code | coding | free
    "author",
    "mine",
    "updated_at",
    "created_at",
    "area",
    "document",
    "document_id",
    "code",
    "code_id",
    "start",
    "end",
    "passage",
    "title",
    "text",
    "memo_id",
    "coding_id",
]
SEARCHED = ("text", "title", "code", "document", "passage", "author", "area")


def memos_df(conn: Connection, viewer: str, *, document_id: int | None = None) -> pd.DataFrame:
    """Every memo `viewer` may see, newest first (columns `COLUMNS`). With `document_id`,
    only the memos on that transcript: its codings' memos, and memos on any of its versions
    (a memo written before a transcript was pseudonymised stays with it)."""
    docs = None if document_id is None else all_versions(conn, [document_id])
    row = coder_row(conn, viewer)
    viewer_id = None if row is None else row.id
    code_paths = paths(conn)
    rows = [*_memo_rows(conn, viewer, docs), *_coding_rows(conn, viewer, document_id)]
    frame = pd.DataFrame(
        [_row(r, kind, viewer_id, code_paths) for kind, r in rows], columns=COLUMNS
    )
    for column in ("document_id", "code_id", "start", "end", "memo_id", "coding_id"):
        frame[column] = frame[column].astype("Int64")
    frame["mine"] = frame["mine"].astype(bool)
    frame = frame.sort_values(["updated_at", "created_at"], ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def search_memos(frame: pd.DataFrame, words: str) -> pd.DataFrame:
    """The memos (rows of `memos_df`) holding every word typed, in any case, in their text,
    title, code, transcript, passage, author or area: "carer night" finds a memo on the code
    Carers that mentions nights."""
    wanted = [w for w in str(words).casefold().split() if w]
    if not wanted or frame.empty:
        return frame
    haystack = frame[list(SEARCHED)].fillna("").astype(str).agg(" ".join, axis=1).str.casefold()
    keep = pd.Series(True, index=frame.index)
    for word in wanted:
        keep &= haystack.str.contains(word, regex=False)
    return frame[keep]


def _memo_rows(conn: Connection, viewer: str, docs: list[int] | None) -> list[tuple[str, Any]]:
    """Rows of the memos table (on transcripts, codes or free) the viewer may see."""
    query = (
        select(
            m.c.id,
            m.c.title,
            m.c.text,
            m.c.document_id,
            m.c.code_id,
            m.c.coder_id,
            k.c.name.label("author"),
            m.c.created_at,
            m.c.updated_at,
            d.c.title.label("document"),
            a.c.name.label("area"),
        )
        .join(k, k.c.id == m.c.coder_id)
        .outerjoin(d, d.c.id == m.c.document_id)
        .outerjoin(a, a.c.id == d.c.area_id)
    )
    if docs is not None:
        query = query.where(m.c.document_id.in_(docs))
    if (blind := visible_rows(conn, viewer, m.c.document_id, m.c.coder_id)) is not None:
        query = query.where(blind)
    out = []
    for r in conn.execute(query):
        kind = "transcript" if r.document_id is not None else "code" if r.code_id else "free"
        out.append((kind, r))
    return out


def _coding_rows(conn: Connection, viewer: str, document_id: int | None) -> list[tuple[str, Any]]:
    """Codings with a memo, on current transcripts, that the viewer may see; the passage is
    cut in the database (in code points, as offsets are): memos are few, texts long."""
    query = (
        select(
            c.c.id,
            c.c.memo.label("text"),
            c.c.document_id,
            c.c.start,
            c.c.end,
            c.c.code_id,
            c.c.coder_id,
            k.c.name.label("author"),
            c.c.created_at,
            c.c.updated_at,
            d.c.title.label("document"),
            a.c.name.label("area"),
            func.substr(d.c.text, c.c.start + 1, c.c.end - c.c.start).label("passage"),
        )
        .join(k, k.c.id == c.c.coder_id)
        .join(d, d.c.id == c.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .where(c.c.memo.is_not(None), c.c.memo != "", d.c.is_current == 1)
    )
    if document_id is not None:
        query = query.where(c.c.document_id == document_id)
    if (blind := visible_rows(conn, viewer, c.c.document_id, c.c.coder_id)) is not None:
        query = query.where(blind)
    return [("coding", r) for r in conn.execute(query)]


def _row(r: Any, kind: str, viewer_id: int | None, code_paths: dict[int, str]) -> dict[str, Any]:
    """One memo as a row of `memos_df`."""
    coding = kind == "coding"
    return {
        "kind": kind,
        "author": r.author,
        "mine": viewer_id is not None and r.coder_id == viewer_id,
        "updated_at": r.updated_at,
        "created_at": r.created_at,
        "area": r.area,
        "document": r.document,
        "document_id": r.document_id,
        "code": code_paths.get(r.code_id) if r.code_id is not None else None,
        "code_id": r.code_id,
        "start": r.start if coding else None,
        "end": r.end if coding else None,
        "passage": r.passage if coding else None,
        "title": None if coding else r.title,
        "text": r.text,
        "memo_id": None if coding else r.id,
        "coding_id": r.id if coding else None,
    }
