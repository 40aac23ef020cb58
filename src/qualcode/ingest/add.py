"""Adding one document: normalise the text, find its turns and units, write it as a version.

This is the one place text becomes units: ingest, `Project.add_document` and the REFI-QDA
importer all segment here, so a document is cut the same way whichever door it came in by.
Everything slow (segmenting, hashing, counting, binding each unit's row) is done first, with
no lock held (`prepare`); the write lock is held only to copy the prepared rows in, so coders
saving meanwhile wait a fraction of a second even for a long transcript.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.ingest.decode import normalise
from qualcode.ingest.segment import Segmenter
from qualcode.ingest.turns import assign_roles, find_turns
from qualcode.model import Document, clean_name
from qualcode.store.access import StoreAccess
from qualcode.store.documents import (
    StagedUnits,
    current_document,
    discard_staged,
    document_from_row,
    document_row,
    document_values,
    insert_document,
    retire_version,
    stage_units,
)
from qualcode.store.identity import area_id_for, case_id_for

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.ingest.source import Source, Unit


@dataclass(frozen=True)
class PreparedDocument:
    """A text made ready to insert without any lock: its words counted and its units staged
    on the connection that will insert it (or, made inside the lock, as rows)."""

    words: int
    units: StagedUnits | list[tuple[Any, ...]]


def prepare(
    conn: Connection, text: str, turns: list[Unit] | None, *, interviewer: str | None
) -> PreparedDocument:
    """Segment a normalised text and stage its units on `conn` (no write lock is taken)."""
    units = units_of(text, turns, interviewer=interviewer)
    return PreparedDocument(words=len(text.split()), units=stage_units(conn, units))


def units_of(
    text: str, turns: list[Unit] | None, *, interviewer: str | None = None
) -> list[tuple[Any, ...]]:
    """The units of a normalised text as store rows (kind, start, end, speaker, role, meta):
    speaker turns (found, or as given) with their roles, then sentences and paragraphs."""
    found = find_turns(text) if turns is None else turns
    roles = assign_roles(found, text, interviewer=interviewer)
    units = Segmenter().units(text, roles)
    return [(u.kind, u.start, u.end, u.speaker, u.role, u.meta) for u in units]


def add_document(
    project: StoreAccess,
    text: str,
    *,
    area: str,
    title: str,
    case: str | None = None,
    attributes: dict[str, Any] | None = None,
    format: str = "txt",
    source: str | None = None,
    meta: dict[str, Any] | None = None,
    turns: list[Unit] | None = None,
) -> tuple[Document, str]:
    """Add or re-add one document; returns it and "added", "new version" or "unchanged".

    The text is segmented and its units staged before the write lock is taken (they are the
    slow part); it is segmented inside the lock only if another process changed the document
    meanwhile.
    """
    area, title = clean_name(area, "area"), clean_name(title, "document title")
    attributes = attributes or {}
    text = normalise(text)
    if not text.strip():
        raise QualcodeError(f"document {title!r} in area {area!r} is empty; nothing was added")
    document = Document(
        id=0,  # given by the insert
        guid="",
        area=area,
        title=title,
        text=text,
        case=clean_name(case, "case") if case else title,
        version=0,
        format=format,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
        meta=meta or {},
    )
    interviewer = attributes.get("interviewer")
    with project.reading() as conn:
        latest = current_document(conn, area, title)
        prepared = None
        if latest is None or latest.sha256 != document.sha256:
            prepared = prepare(conn, text, turns, interviewer=interviewer)
        try:
            with project.writing(staged=conn) as conn:
                area_id = area_id_for(conn, area)
                case_id = case_id_for(conn, area_id, document.case, attributes, actor=project.user)
                latest = current_document(conn, area, title)  # again, inside the lock
                if latest is not None and latest.sha256 == document.sha256:
                    return document_from_row(document_row(conn, latest.id)), "unchanged"
                if prepared is None:  # another process changed it since: segment it here
                    prepared = PreparedDocument(
                        len(text.split()), units_of(text, turns, interviewer=interviewer)
                    )
                added = _insert(conn, project.user, document, prepared, (area_id, case_id), latest)
        finally:
            if prepared is not None and isinstance(prepared.units, StagedUnits):
                discard_staged(conn)
    return added, "new version" if latest is not None else "added"


def _insert(
    conn: Connection,
    actor: str,
    document: Document,
    prepared: PreparedDocument,
    area_case: tuple[int, int],
    latest: Any,
) -> Document:
    """Write `document` as the version after `latest` (None: the first), inside the lock."""
    area_id, case_id = area_case
    values = document_values(
        area_id=area_id,
        case_id=case_id,
        title=document.title,
        text=document.text,
        sha256=document.sha256,
        format=document.format,
        source=document.source,
        meta=document.meta,
        previous=latest,
        words=prepared.words,
    )
    if latest is not None:
        retire_version(conn, latest.id)
    doc_id = insert_document(conn, values, prepared.units, actor=actor)
    return replace(document, id=doc_id, guid=values["guid"], version=values["version"])


def add_source(project: StoreAccess, source: Source, *, area: str) -> tuple[Document, str]:
    """Add a document read from a file (see `add_document`)."""
    return add_document(
        project,
        source.text,
        area=area,
        title=source.title,
        case=source.case,
        attributes=source.attributes,
        format=source.format,
        source=source.path,
        meta=source.meta,
        turns=source.turns,
    )
