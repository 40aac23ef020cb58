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
from qualcode.ingest.roles import ATTRIBUTE, OPTION, Named, decide_roles, named
from qualcode.ingest.segment import Segmenter
from qualcode.ingest.source import Source
from qualcode.ingest.turns import find_turns
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
from qualcode.store.identity import area_id_for, assign_case, ensure_case

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.ingest.source import Unit


@dataclass(frozen=True)
class PreparedDocument:
    """A text made ready to insert without any lock: its words counted, its units staged
    on the connection that will insert it (or, made inside the lock, as rows), and how its
    speakers' roles were decided (`ingest.roles`; None without turns)."""

    words: int
    units: StagedUnits | list[tuple[Any, ...]]
    roles: dict[str, Any] | None = None


def prepare(
    conn: Connection | None, text: str, turns: list[Unit] | None, named: list[Named | None]
) -> PreparedDocument:
    """Segment a normalised text and stage its units on `conn` (no write lock is taken);
    without a connection (inside the lock) the units stay rows."""
    units, roles = segment(text, turns, named)
    staged = stage_units(conn, units) if conn is not None else units
    return PreparedDocument(words=len(text.split()), units=staged, roles=roles)


def segment(
    text: str, turns: list[Unit] | None, named: list[Named | None]
) -> tuple[list[tuple[Any, ...]], dict[str, Any] | None]:
    """The units of a normalised text as store rows (kind, start, end, speaker, role, meta):
    speaker turns (found, or as given) with their roles, then sentences and paragraphs; and
    the record of how the roles were decided."""
    found = find_turns(text) if turns is None else turns
    with_roles, roles = decide_roles(found, text, named)
    units = Segmenter().units(text, with_roles)
    return [(u.kind, u.start, u.end, u.speaker, u.role, u.meta) for u in units], roles


def units_of(
    text: str, turns: list[Unit] | None, *, interviewer: str | None = None
) -> list[tuple[Any, ...]]:
    """The units of a normalised text as store rows, `interviewer` naming the interviewer."""
    return segment(text, turns, [named(interviewer, ATTRIBUTE)])[0]


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
    meanwhile. The case's attributes are updated with those given
    (see `store.identity.ensure_case`); its `interviewer` attribute names the interviewer
    (see `ingest.roles`).
    """
    read = Source(
        title,
        text,
        format,
        path=source,
        case=case,
        attributes=attributes or {},
        turns=turns,
        meta=meta or {},
    )
    document, status, _ = add_source(project, read, area=area)
    return document, status


def add_source(
    project: StoreAccess,
    read: Source,
    *,
    area: str,
    interviewer: str | None = None,
    attribute_rule: str = ATTRIBUTE,
) -> tuple[Document, str, bool]:
    """Add a document read from a file (see `add_document`), also saying whether an existing
    case changed: its attributes were updated, or an unchanged document moved to the case
    now named for it. `attribute_rule` says where the case's `interviewer` attribute came
    from, for the record of how roles were decided."""
    text, turns, case, attributes = read.text, read.turns, read.case, read.attributes
    area, title = clean_name(area, "area"), clean_name(read.title, "document title")
    text = normalise(text)
    if not text.strip():
        raise QualcodeError(f"document {title!r} in area {area!r} is empty; nothing was added")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    case_name = clean_name(case, "case") if case else title
    who = [named(interviewer, OPTION), named(attributes.get("interviewer"), attribute_rule)]
    with project.reading() as reader:
        latest = current_document(reader, area, title)
        prepared = None
        if latest is None or latest.sha256 != digest:
            prepared = prepare(reader, text, turns, who)
        try:
            with project.writing(staged=reader) as conn:
                area_id = area_id_for(conn, area)
                latest = current_document(conn, area, title)  # again, inside the lock
                if case is None and latest is not None:  # a new version stays with its person
                    case_name = document_row(conn, latest.id).case or title
                if latest is not None and latest.sha256 == digest:
                    named_case = case_name if case else None
                    return _unchanged(project, conn, latest.id, area_id, named_case, attributes)
                case_id, case_changed = ensure_case(
                    conn, area_id, case_name, attributes, actor=project.user
                )
                if prepared is None:  # another process changed it since: segment it here
                    prepared = prepare(None, text, turns, who)
                document = Document(
                    id=0,  # given by the insert
                    guid="",
                    area=area,
                    title=title,
                    text=text,
                    case=case_name,
                    version=0,
                    format=read.format,
                    sha256=digest,
                    source=read.path,
                    meta={**read.meta, **({"roles": prepared.roles} if prepared.roles else {})},
                )
                added = _insert(conn, project.user, document, prepared, (area_id, case_id), latest)
        finally:
            if prepared is not None and isinstance(prepared.units, StagedUnits):
                discard_staged(reader)
    return added, "new version" if latest is not None else "added", case_changed


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


def _unchanged(
    project: StoreAccess,
    conn: Connection,
    document_id: int,
    area_id: int,
    case: str | None,
    attributes: dict[str, Any],
) -> tuple[Document, str, bool]:
    """An unchanged document: a case named for it (a participants file added later) takes
    it and the attributes given; with no case named it stays where it is, and only
    attributes given update its case."""
    row = document_row(conn, document_id)
    changed = False
    if case is not None:
        case_id, changed = ensure_case(conn, area_id, case, attributes, actor=project.user)
        changed = assign_case(conn, document_id, case_id, actor=project.user) or changed
        row = document_row(conn, document_id)
    elif attributes and row.case is not None:
        changed = ensure_case(conn, area_id, row.case, attributes, actor=project.user)[1]
    return document_from_row(row), "unchanged", changed
