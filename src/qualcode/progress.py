"""Progress: which transcripts each coder has finished ("done"), part of the `Project` facade.

    p.mark_done("hp-01", coder="amina")          # and done=False takes it back
    p.done_df(coder="amina")                     # the transcripts amina has finished

A mixin of `Project` (kept apart so project.py stays one screen of methods per topic); it
only checks arguments and delegates to `store.progress` and `views.progress`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.model import DocumentRef
from qualcode.store import coders as coder_store
from qualcode.store import progress as progress_store
from qualcode.store.identity import require_area
from qualcode.views import progress as progress_views

if TYPE_CHECKING:
    import pandas as pd


class Progress:
    """`mark_done` and `done_df` for any object with `reading()` and `writing()`."""

    def reading(self) -> Any:  # pragma: no cover - `Project` provides it
        raise NotImplementedError

    def writing(self, staged: Any = None) -> Any:  # pragma: no cover - as above
        raise NotImplementedError

    def mark_done(self, document: DocumentRef, *, coder: str, done: bool = True) -> bool:
        """Say `coder` has finished coding the current version of `document` (done=False:
        not finished after all); audited. True if the mark changed. A revision that carries
        the codings (`revise`, pseudonymisation) carries the mark; a changed file ingested
        again is a new text, not marked."""
        with self.writing() as conn:
            return progress_store.mark_done(conn, document, coder=coder, done=done)

    def done_df(
        self, *, coder: str | None = None, area: str | None = None, all_versions: bool = False
    ) -> pd.DataFrame:
        """One row per done mark: area, title, case, version, document id, coder and when;
        marks on earlier versions of a document only with `all_versions`."""
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            name = None if coder is None else coder_store.known_name(conn, coder)
            return progress_views.done_df(conn, coder=name, area=area, all_versions=all_versions)

    def codings_per_document(self) -> pd.DataFrame:
        """Codings per person and current document, counts only (the workshop's progress)."""
        with self.reading() as conn:
            return progress_views.codings_per_document(conn)
