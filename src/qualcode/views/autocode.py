"""What auto-coding reads: the current documents' texts and speaker turns, their sentence or
paragraph units, and the spans a coder has already coded with a code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from qualcode.store import schema
from qualcode.store.bulk import in_chunks

d, a, cs, u, k = schema.documents, schema.areas, schema.cases, schema.units, schema.codings

Turn = tuple[int, int, str | None, str | None]  # start, end, speaker, role


def _current(area: str | None, ids: list[int] | None) -> list[Any]:
    """Conditions for the current versions, in one area and among `ids` when given."""
    where = [d.c.is_current == 1]
    if area is not None:
        where.append(a.c.name == area)
    if ids is not None:
        where.append(d.c.id.in_(ids))
    return where


def current_turns(
    conn: Connection, area: str | None, ids: list[int] | None
) -> defaultdict[int, list[Turn]]:
    """Each current document's speaker turns (start, end, speaker, role), in order; an empty
    list for a document without turns."""
    turns: dict[int, list[Turn]] = defaultdict(list)
    for row in conn.execute(
        select(u.c.document_id, u.c.start, u.c.end, u.c.speaker, u.c.role)
        .join(d, d.c.id == u.c.document_id)
        .join(a, a.c.id == d.c.area_id)
        .where(u.c.kind == "turn", *_current(area, ids))
        .order_by(u.c.document_id, u.c.start)
    ):
        turns[row[0]].append((row[1], row[2], row[3], row[4]))
    return turns


def current_texts(conn: Connection, area: str | None, ids: list[int] | None) -> Iterator[Any]:
    """The current documents (id, title, area, case, text) by area and title, streamed."""
    yield from conn.execute(
        select(d.c.id, d.c.title, a.c.name.label("area"), cs.c.name.label("case"), d.c.text)
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(cs, cs.c.id == d.c.case_id)
        .where(*_current(area, ids))
        .order_by(a.c.name, d.c.title)
    )


def coded_spans(
    conn: Connection, ids: Iterable[int], code_id: int, coder_id: int | None
) -> set[tuple[int, int, int]]:
    """(document, start, end) of the coder's codings with this code on these documents."""
    if coder_id is None:
        return set()
    out: set[tuple[int, int, int]] = set()
    for chunk in in_chunks(sorted(set(ids))):
        out.update(
            (r[0], r[1], r[2])
            for r in conn.execute(
                select(k.c.document_id, k.c.start, k.c.end).where(
                    k.c.document_id.in_(chunk), k.c.code_id == code_id, k.c.coder_id == coder_id
                )
            )
        )
    return out


def document_length(conn: Connection, document_id: int) -> int | None:
    """A document version's length in characters, or None when there is no such id."""
    return conn.execute(select(d.c.length).where(d.c.id == document_id)).scalar_one_or_none()


def coder_row(conn: Connection, name: str) -> Any:
    """A coder's (id, role), or None when nobody has used the name."""
    t = schema.coders
    return conn.execute(select(t.c.id, t.c.role).where(t.c.name == name)).first()
