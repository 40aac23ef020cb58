"""Machine suggestions written into the project as proposals: codings owned by a model's
coder (`suggest:<model>`, role "model"), for people to review in the Coder widget and for
`model_agreement` to score. Never a person's coding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodingError, QualcodeError
from qualcode.model import Coding, is_suggestion
from qualcode.store import codes as code_store
from qualcode.store.codings import insert_coding
from qualcode.store.identity import coder_id_for
from qualcode.views import coders as coder_views
from qualcode.views import texts as text_views

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass
class Proposed:
    """What `propose_codings` wrote: the new codings, and how many were there already."""

    coder: str
    codings: list[Coding] = field(default_factory=list)
    skipped: int = 0

    def __repr__(self) -> str:
        return (
            f"<Proposed {len(self.codings)} codings by {self.coder} for review, "
            f"{self.skipped} already there>"
        )


def propose_codings(
    project: Project,
    spans: Iterable[tuple[int, int, int, Any, str | None]],
    *,
    coder: str,
) -> Proposed:
    """Write (document_id, start, end, code, memo) proposals owned by `coder`, a model's coder
    named `suggest:<model>`, in one transaction (all or nothing). A span the model already
    proposed for the same code is skipped, so proposing twice adds nothing."""
    if not is_suggestion(coder):
        raise QualcodeError(
            f"proposals belong to a model's coder named suggest:<model>, not {coder!r}; "
            "a person's codings are made with p.code(...)"
        )
    made: list[Coding] = []
    skipped = 0
    with project.writing() as conn:
        coder_id = coder_id_for(conn, coder, role="model")
        have = coder_views.coded_spans(conn, coder_id)
        texts: dict[int, str] = {}
        tree = code_store.tree(conn)
        for doc, start, end, code, memo in spans:
            doc, start, end = int(doc), int(start), int(end)
            if doc not in texts:
                found = text_views.document_texts(conn, [doc])
                if doc not in found:
                    raise CodingError(f"no document with id {doc}; nothing was proposed")
                texts[doc] = found[doc]
            if not 0 <= start < end <= len(texts[doc]):
                raise CodingError(
                    f"span [{start}:{end}] is not inside document {doc} "
                    f"(0 to {len(texts[doc])} characters); nothing was proposed"
                )
            resolved = code_store.resolve(conn, code, tree)
            if (doc, start, end, resolved.id) in have:
                skipped += 1
                continue
            have.add((doc, start, end, resolved.id))
            made.append(
                insert_coding(
                    conn,
                    doc,
                    start,
                    end,
                    resolved,
                    coder=coder,
                    coder_id=coder_id,
                    memo=memo,
                    text=texts[doc][start:end],
                )
            )
    return Proposed(coder=coder, codings=made, skipped=skipped)
