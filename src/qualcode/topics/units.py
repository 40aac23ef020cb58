"""The units a theme model or suggester works on, chosen from the store with clear errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.model import Document
from qualcode.topics.errors import EmptyAreaError

if TYPE_CHECKING:
    from qualcode.project import Project

COLUMNS = ["document_id", "area", "case", "title", "kind", "start", "end", "text", "role"]


def document_ids(project: Project, documents: Sequence[Any] | None) -> list[int] | None:
    """Ids of documents given as objects, ids or titles (None stays None)."""
    if documents is None:
        return None
    if isinstance(documents, Document | int | str):
        documents = [documents]
    return [d.id if isinstance(d, Document) else project.document(d).id for d in documents]


def select_units(
    project: Project,
    unit: str,
    *,
    area: str | None = None,
    documents: Sequence[Any] | None = None,
    include_interviewer: bool = False,
    question: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Units of one kind with text, of `area`, `documents` and the answers to `question`
    (a questionnaire column, or several); a document with no units of that kind (a
    questionnaire answer has no turns) counts as one unit, whole. Interviewer units are left
    out unless asked for, and so is text outside the speaker turns of a transcript (its
    header).
    Index: unit id (negative for whole-document units: minus the document id)."""
    if area is not None:
        areas = project.areas()
        if area not in areas or not project.documents(area=area):
            known = ", ".join(areas) or "none yet"
            raise EmptyAreaError(
                f"area {area!r} has no documents in {project.location} (areas: {known}); "
                "ingest transcripts into it first, or pick another area"
            )
    ids = document_ids(project, documents)
    if question is not None:
        answers = [d.id for d in project.documents(area=area, question=question)]
        ids = answers if ids is None else [i for i in ids if i in set(answers)]
    if ids is not None and len(ids) == 1:
        frame = project.units_df(unit, document=ids[0])
    else:
        frame = project.units_df(unit, area=area)
        if ids is not None:
            frame = frame[frame["document_id"].isin(ids)]
    docs = project.documents(area=area) if ids is None else [project.document(i) for i in ids]
    if not docs:
        raise EmptyAreaError(
            f"{project.location} has no documents to model; ingest transcripts first "
            "(`qualcode ingest PATH --area NAME`)"
        )
    have = set(frame["document_id"])
    whole = [
        {
            "unit_id": -d.id,
            "document_id": d.id,
            "area": d.area,
            "case": d.case,
            "title": d.title,
            "kind": "document",
            "start": 0,
            "end": len(d.text),
            "text": d.text,
            "role": None,
        }
        for d in docs
        if d.id not in have and d.text.strip()
    ]
    frame = frame[COLUMNS]
    if whole:
        extra = pd.DataFrame(whole).set_index("unit_id")[COLUMNS]
        frame = pd.concat([frame, extra]) if len(frame) else extra
    # in a transcript with speaker turns, text outside every turn is a header ("Interview
    # HP09, community researcher: Dawn"), not anybody's words
    spoken = frame["role"].notna().groupby(frame["document_id"]).transform("any")
    frame = frame[frame["role"].notna() | ~spoken]
    if not include_interviewer:
        frame = frame[frame["role"].fillna("") != "interviewer"]
    frame = frame[frame["text"].str.strip().str.len() > 0]
    return frame.sort_values(["document_id", "start"], kind="stable")
