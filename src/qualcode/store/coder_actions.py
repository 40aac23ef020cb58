"""What a person does to codings, each checked before it is written: code a span, remove a
coding, write into the consensus, review a machine suggestion, write a coding's memo.

The checks (offsets inside the document, a coder touching only their own codings, a blind
round still closed, a suggestion reviewed by a person) live here, beside the writers, so
every caller (`Project`, the widgets, the workshop server) gets the same rules. Each
function runs in the caller's write transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import CodingError, NotFoundError
from qualcode.model import CONSENSUS, Code, Coding, DocumentRef, clean_name, is_suggestion
from qualcode.store import coders as coder_store
from qualcode.store import codes as code_store
from qualcode.store import rounds
from qualcode.store.codings import (
    coding_row,
    delete_codings,
    identical,
    insert_coding,
    review_suggestion,
    set_memo,
)
from qualcode.store.documents import document_span, text_slice
from qualcode.store.identity import coder_for, coder_id_for

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy import Connection


def _checked_span(conn: Connection, document: DocumentRef, start: int, end: int) -> int:
    if not (isinstance(start, int) and isinstance(end, int)):
        raise CodingError(f"start and end are character offsets (int), got {start!r}, {end!r}")
    doc_id, length = document_span(conn, document)
    if not 0 <= start < end <= length:
        raise CodingError(
            f"span [{start}:{end}] is not inside document {doc_id} "
            f"(0 to {length} characters); start must be before end"
        )
    return doc_id


def _row(conn: Connection, coding_id: int, gone: str) -> Any:
    row = coding_row(conn, coding_id)
    if row is None:
        raise NotFoundError(f"no coding with id {coding_id}; {gone}")
    return row


def code_span(
    conn: Connection,
    document: DocumentRef,
    start: int,
    end: int,
    code: Code | int | str,
    *,
    coder: str,
    memo: str | None = None,
) -> Coding:
    """Apply `code` to text[start:end] of `document` as `coder` ("amina" is "Amina")."""
    coder = clean_name(coder, "coder")
    doc_id = _checked_span(conn, document, start, end)
    c = code_store.resolve(conn, code)
    coder_id, coder = coder_for(conn, coder)
    text = text_slice(conn, doc_id, start, end)
    return insert_coding(
        conn, doc_id, start, end, c, coder=coder, coder_id=coder_id, memo=memo, text=text
    )


def uncode(conn: Connection, coding_id: int, *, coder: str | None, actor: str) -> None:
    """Remove a coding; with `coder`, refuse to remove another coder's coding."""
    row = _row(conn, coding_id, "it may already be removed")
    if coder is not None and not coder_store.same_person(row.coder, coder):
        raise CodingError(
            f"coding {coding_id} belongs to {row.coder}, not {coder}; "
            "a coder can remove only their own codings"
        )
    delete_codings(conn, [row], actor=coder or actor)


def adjudicate(
    conn: Connection,
    document: DocumentRef,
    start: int,
    end: int,
    code: Code | int | str,
    *,
    adjudicator: str,
    layer: str = CONSENSUS,
) -> int:
    """Write a coding into an adjudicated layer as `adjudicator`; an identical one is kept."""
    adjudicator = clean_name(adjudicator, "adjudicator")
    doc_id = _checked_span(conn, document, start, end)
    rounds.require_revealed(conn, [doc_id], "adjudicating")
    c = code_store.resolve(conn, code)
    layer_id = coder_id_for(conn, layer, "adjudicator")
    same = identical(conn, doc_id, start, end, c.id, layer_id)
    if same is not None:
        return same
    return insert_coding(
        conn,
        doc_id,
        start,
        end,
        c,
        coder=layer,
        coder_id=layer_id,
        memo=None,
        text="",
        actor=adjudicator,
        action="adjudicate",
    ).id


def unadjudicate(conn: Connection, coding_id: int, *, adjudicator: str) -> None:
    """Remove a coding from an adjudicated layer, as `adjudicator`."""
    row = _row(conn, coding_id, "it may already be removed")
    if row.coder_role != "adjudicator":
        raise CodingError(
            f"coding {coding_id} is {row.coder}'s own coding, not part of a consensus"
        )
    delete_codings(conn, [row], actor=clean_name(adjudicator, "adjudicator"))


def review(conn: Connection, suggestion_id: int, *, accept: bool, coder: str) -> int | None:
    """Accept (as `coder`'s own coding) or reject a machine suggestion; the id accepted."""
    coder = clean_name(coder, "coder")
    if is_suggestion(coder):
        raise CodingError("suggestions are reviewed by a person; give your own coder name")
    row = coding_row(conn, suggestion_id)
    if row is None:
        raise NotFoundError(f"no suggestion with id {suggestion_id}; it may be reviewed")
    if not is_suggestion(row.coder):
        raise CodingError(f"coding {suggestion_id} is {row.coder}'s own coding, not a suggestion")
    coder_id, coder = coder_for(conn, coder)
    return review_suggestion(conn, row, accept=accept, coder=coder, coder_id=coder_id)


def write_memo(conn: Connection, coding_id: int, memo: str | None, *, coder: str) -> None:
    """Write (or clear, with None or "") the memo on one of `coder`'s own codings."""
    row = _row(conn, coding_id, "it may have been removed")
    if not coder_store.same_person(row.coder, coder):
        raise CodingError(
            f"coding {coding_id} belongs to {row.coder}, not {coder}; "
            "a coder can write memos only on their own codings"
        )
    set_memo(conn, row, (memo or "").strip() or None, actor=row.coder)
