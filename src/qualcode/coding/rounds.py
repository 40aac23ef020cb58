"""Blind coding rounds: coders code the same documents without seeing each other's work.

A lead opens a round on some documents for named coders. While it is open, every list of
codings of those documents (`Project.codings`, `codings_df`, retrieval, exports, the Coder
widget) shows each viewer only their own codings, and agreement and consensus on them wait:
comparing before everyone has finished would unblind the round. The lead closes the round,
which reveals everything; the agreement report and the consensus review then open on it.

This is a working agreement between people, as in a workshop, not access control: whoever
holds the store file can read every coding in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.model import Round
from qualcode.store import rounds as stored
from qualcode.views import rounds as round_views

if TYPE_CHECKING:
    from qualcode.project import Project


def get_round(project: Project, name: str) -> Round:
    """A round by name, or a clear error listing the rounds there are."""
    with project.reading() as conn:
        return stored.get_round(conn, name)


def open_round_of(project: Project, document_id: int) -> Round | None:
    """The open round a document (any of its versions) belongs to, if any."""
    with project.reading() as conn:
        return stored.open_round_of(conn, document_id)


def round_progress(project: Project, name: str) -> pd.DataFrame:
    """Per coder of a round: documents they have coded and codings made, as counts only, so a
    lead can see who has finished without seeing anybody's codes."""
    with project.reading() as conn:
        found = stored.get_round(conn, name)
        frame = round_views.coded_by(conn, found)
    out = pd.DataFrame(
        {
            "coder": list(found.coders),
            "documents_coded": [
                frame.loc[frame["coder"] == n, "document_id"].nunique() for n in found.coders
            ],
            "codings": [int((frame["coder"] == n).sum()) for n in found.coders],
        }
    )
    out["documents"] = len(found.documents)
    return out.set_index("coder")


def round_agreement(project: Project, name: str, **options: Any) -> pd.DataFrame:
    """`agreement_table` on a closed round's documents and coders (options pass through)."""
    from qualcode.coding.agreement import agreement_table

    found = get_round(project, name)
    return agreement_table(
        project, coders=list(found.coders), documents=list(found.documents), **options
    )
