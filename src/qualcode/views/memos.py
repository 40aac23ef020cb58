"""Memos as one coder may see them: on transcripts, on codes, on codings, and free notes.

One list for the Coder's memo panel and for notebooks (`Project.memos_df`). The blind-round
rule is the store's (`store.rounds.visible_rows`): while a round is open, others' memos on
its documents (their codings' memos and their transcript memos, which would tell a coder how
a colleague read the same words) are hidden; memos on codes belong to the codebook and stay.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from qualcode.store import schema
from qualcode.store.coders import coder_row
from qualcode.store.codes import paths
from qualcode.store.rounds import all_versions, visible_rows
from qualcode.views import _frame  # plain tuples from the cursor, names kept when empty

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
    frame = pd.concat(
        [_memo_frame(conn, viewer, docs), _coding_frame(conn, viewer, document_id)],
        ignore_index=True,
    )
    frame["mine"] = (frame.pop("coder_id") == (-1 if row is None else row.id)).astype(bool)
    frame["code"] = frame["code_id"].map(paths(conn)).astype(object)
    frame = frame.reindex(columns=COLUMNS)
    for column in ("document_id", "code_id", "start", "end", "memo_id", "coding_id"):
        frame[column] = frame[column].astype("Int64")
    frame = frame.sort_values(["updated_at", "created_at"], ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def search_memos(frame: pd.DataFrame, words: str) -> pd.DataFrame:
    """The memos (rows of `memos_df`) holding every word typed, in any case, in their text,
    title, code, transcript, passage, author or area: "carer night" finds a memo on the code
    Carers that mentions nights."""
    wanted = [w for w in str(words).casefold().split() if w]
    if not wanted or frame.empty:
        return frame
    haystack = frame[SEARCHED[0]].fillna("").astype(str)
    for column in SEARCHED[1:]:
        haystack = haystack + "\n" + frame[column].fillna("").astype(str)
    haystack = haystack.str.casefold()
    keep = pd.Series(True, index=frame.index)
    for word in wanted:
        keep &= haystack.str.contains(word, regex=False)
    return frame[keep]


def _memo_frame(conn: Connection, viewer: str, docs: list[int] | None) -> pd.DataFrame:
    """Rows of the memos table (on transcripts, codes or free) the viewer may see."""
    query = (
        select(
            m.c.id.label("memo_id"),
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
    frame = _frame(conn, query)
    on_code = frame["code_id"].notna().map({True: "code", False: "free"})
    frame["kind"] = on_code.where(frame["document_id"].isna(), "transcript")
    return frame


def _coding_frame(conn: Connection, viewer: str, document_id: int | None) -> pd.DataFrame:
    """Codings with a memo, on current transcripts, that the viewer may see; the passage is
    cut in the database (in code points, as offsets are): memos are few, texts long."""
    query = (
        select(
            c.c.id.label("coding_id"),
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
    frame = _frame(conn, query)
    frame["kind"] = "coding"
    return frame
