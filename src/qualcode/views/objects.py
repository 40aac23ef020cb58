"""The objects a notebook lists (documents, codings, areas), read in one place.

Codings are listed through the blind-round rule, so an open round stays blind whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from qualcode.errors import NotFoundError
from qualcode.model import Coding, Document, document_question
from qualcode.store import codes as code_store
from qualcode.store import schema
from qualcode.store.bulk import in_chunks
from qualcode.store.codings import coding_rows
from qualcode.store.documents import document_from_row, document_text, documents_select
from qualcode.store.rounds import visible_codings


def area_names(conn: Connection) -> list[str]:
    """Area names, sorted."""
    return list(conn.execute(select(schema.areas.c.name).order_by(schema.areas.c.name)).scalars())


def coder_names(conn: Connection) -> list[str]:
    """Every coder's name (people, the consensus and machine suggesters), sorted."""
    k = schema.coders
    return list(conn.execute(select(k.c.name).order_by(k.c.name)).scalars())


def document_questions(conn: Connection, area: str | None = None) -> dict[int, str | None]:
    """The question each current document answers (its questionnaire column), None for a
    transcript, by document id."""
    d, a = schema.documents, schema.areas
    query = select(d.c.id, d.c.meta).where(d.c.is_current == 1)
    if area is not None:
        query = query.join(a, a.c.id == d.c.area_id).where(a.c.name == area)
    return {row.id: document_question(row.meta) for row in conn.execute(query)}


def answering(conn: Connection, question: str | Sequence[str], area: str | None = None) -> set[int]:
    """Ids of the current documents answering `question` (one, or any of several); a
    question no document answers is an error naming the questions there are."""
    wanted = [question] if isinstance(question, str) else list(question)
    asked = document_questions(conn, area)
    known = sorted({q for q in asked.values() if q is not None})
    if unknown := [q for q in wanted if q not in known]:
        raise NotFoundError(
            f"no answers to question {', '.join(map(repr, unknown))}"
            + (f" in area {area!r}" if area else "")
            + f"; the questions are: {', '.join(map(repr, known)) or 'none yet'}"
        )
    return {doc for doc, q in asked.items() if q in wanted}


def unit_spans(
    conn: Connection, doc_ids: Iterable[int], kind: str
) -> dict[int, list[tuple[int, int]]]:
    """(start, end) of every unit of `kind` (sentence, turn, paragraph), in text order, for
    each of these documents that has one."""
    u = schema.units
    found: dict[int, list[tuple[int, int]]] = {}
    for chunk in in_chunks(sorted(set(doc_ids))):
        rows = conn.execute(
            select(u.c.document_id, u.c.start, u.c.end)
            .where(u.c.document_id.in_(chunk), u.c.kind == kind)
            .order_by(u.c.document_id, u.c.start, u.c.end)
        )
        for doc, start, end in rows:
            found.setdefault(doc, []).append((start, end))
    return found


def current_documents(conn: Connection, area: str | None = None) -> list[Document]:
    """The current version of every document (of one area), by area and title."""
    d, a = schema.documents, schema.areas
    query = documents_select().where(d.c.is_current == 1)
    if area is not None:
        query = query.where(a.c.name == area)
    return [document_from_row(row) for row in conn.execute(query.order_by(a.c.name, d.c.title))]


def codings(
    conn: Connection,
    *,
    viewer: str | None,
    document_id: int | None = None,
    coder: str | None = None,
    coding_id: int | None = None,
) -> list[Coding]:
    """Codings as objects with code paths and texts, in text order; on documents of an open
    blind round only `viewer`'s own (every coding when `viewer` is None: one asked for by id)."""
    c, k = schema.codings, schema.coders
    conditions: list[Any] = []
    if viewer is not None and (blind := visible_codings(conn, viewer)) is not None:
        conditions.append(blind)
    if document_id is not None:
        conditions.append(c.c.document_id == document_id)
    if coder is not None:
        conditions.append(k.c.name == coder)
    if coding_id is not None:
        conditions.append(c.c.id == coding_id)
    paths = code_store.paths(conn)
    texts: dict[int, str] = {}
    result = []
    for row in coding_rows(conn, conditions):
        if row.document_id not in texts:
            texts[row.document_id] = document_text(conn, row.document_id)
        result.append(
            Coding(
                id=row.id,
                guid=row.guid,
                document_id=row.document_id,
                start=row.start,
                end=row.end,
                code_id=row.code_id,
                code=paths[row.code_id],
                coder=row.coder,
                text=texts[row.document_id][row.start : row.end],
                memo=row.memo,
                created_at=row.created_at,
            )
        )
    return result
