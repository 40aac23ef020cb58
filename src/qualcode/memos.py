"""Memos: the analytic notes coders keep as they go, part of the `Project` facade.

    p.add_memo("The queue is the barrier", coder="amina", document="hp-01")
    p.memos_df(search="queue")                   # every memo amina may see holding "queue"

A mixin of `Project` (kept apart so project.py stays one screen of methods per topic); it only
checks arguments and delegates to `store.memos` and `views.memos`. The memo on one coding is
`Project.set_memo`, beside the codings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.model import Code, DocumentRef
from qualcode.store.documents import document_span
from qualcode.store.memos import add_memo, delete_memo, own_memo, update_memo
from qualcode.views import memos as memo_views

if TYPE_CHECKING:
    import pandas as pd


class Memos:
    """`add_memo`, `edit_memo`, `delete_memo` and `memos_df` for any object with `user`,
    `reading()` and `writing()`."""

    user: str

    def reading(self) -> Any:  # pragma: no cover - `Project` provides it
        raise NotImplementedError

    def writing(self, staged: Any = None) -> Any:  # pragma: no cover - as above
        raise NotImplementedError

    def add_memo(
        self,
        text: str,
        *,
        coder: str,
        title: str | None = None,
        document: DocumentRef | None = None,
        code: Code | int | str | None = None,
    ) -> int:
        """Write a memo, the analytic note a coder keeps as they go: on a document, on a code,
        on both, or free (neither). Returns its id; `memos_df` lists memos with what they
        are attached to, and a .qdpx carries them as Notes. The title defaults to the text's
        first line."""
        with self.writing() as conn:
            return add_memo(conn, text, coder=coder, title=title, document=document, code=code)

    def edit_memo(self, memo: int, text: str, *, coder: str) -> None:
        """Give one of `coder`'s own memos new text (audited, the old text kept in the log)."""
        with self.writing() as conn:
            row = own_memo(conn, memo, coder)
            update_memo(conn, row, text, actor=row.coder)

    def delete_memo(self, memo: int, *, coder: str) -> None:
        """Remove one of `coder`'s own memos (by id, as `add_memo` and `memos_df` give it)."""
        with self.writing() as conn:
            row = own_memo(conn, memo, coder)
            delete_memo(conn, row, actor=row.coder)

    def memos_df(
        self,
        *,
        document: DocumentRef | None = None,
        search: str | None = None,
        viewer: str | None = None,
    ) -> pd.DataFrame:
        """Every memo `viewer` (default `p.user`) may see, newest first: `kind` (transcript,
        code, coding or free), author, dates, the transcript, code and passage it is on, and
        its text; others' memos on a blind round's transcripts are hidden. `document`: only
        that transcript's; `search`: only memos holding every word typed."""
        with self.reading() as conn:
            doc_id = None if document is None else document_span(conn, document)[0]
            frame = memo_views.memos_df(conn, viewer or self.user, document_id=doc_id)
        return frame if search is None else memo_views.search_memos(frame, search)
