"""Blind rounds as stored: opening, closing, and the rule that keeps an open round blind.

The rule lives here, beside the codings it hides, so every reader (the project's lists,
retrieval, exports, agreement) applies the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, or_, select, tuple_

from qualcode.errors import CodingError, NotFoundError, QualcodeError, RoundOpenError
from qualcode.model import DocumentRef, Round, clean_name, person_name
from qualcode.store import audit, schema
from qualcode.store.coders import coder_row, known_name, same_person
from qualcode.store.documents import current_ids, document_span
from qualcode.store.identity import require_area
from qualcode.store.stamps import new_guid, now

r = schema.rounds


def open_round(
    conn: Connection,
    name: str,
    *,
    coders: Sequence[str],
    lead: str,
    documents: Sequence[DocumentRef] | None,
    area: str | None,
    note: str | None,
) -> Round:
    """Open a round on `documents` (or every current document of `area`) for `coders`, with
    its names checked: the lead and coders are people, at least two coders."""
    name = clean_name(name, "round name")
    lead = known_name(conn, person_name(lead, "lead"))
    if isinstance(coders, str):
        raise QualcodeError(f"coders is a list of names, e.g. coders=[{coders!r}, 'another']")
    # one person, one place, however the name is typed ("Amina", "amina")
    people = list(dict.fromkeys(known_name(conn, person_name(c, "coder")) for c in coders))
    if len(people) < 2:
        raise QualcodeError(
            f"round {name!r}: a blind round needs at least two coders, got "
            f"{', '.join(people) or 'none'}"
        )
    if (documents is None) == (area is None):
        raise QualcodeError(f"round {name!r}: give documents=[...] or area='...', one of them")
    if area is not None:
        doc_ids = current_ids(conn, require_area(conn, area))
    else:
        doc_ids = list(dict.fromkeys(document_span(conn, ref)[0] for ref in documents or ()))
    return insert_round(conn, name, lead=lead, coders=people, document_ids=doc_ids, note=note)


def insert_round(
    conn: Connection,
    name: str,
    *,
    lead: str,
    coders: list[str],
    document_ids: list[int],
    note: str | None,
) -> Round:
    """Open a round (names already checked) with its audit row; refused if the name is taken
    or a document is in another open round."""
    if not document_ids:
        raise QualcodeError(f"round {name!r}: no documents to code")
    same = conn.execute(select(r.c.status).where(r.c.name == name)).scalar_one_or_none()
    if same is not None:
        raise QualcodeError(f"a round named {name!r} exists ({same}); choose another name")
    _refuse_overlap(conn, name, document_ids)
    round_id = conn.execute(
        r.insert().values(
            guid=new_guid(),
            name=name,
            lead=lead,
            coders=coders,
            documents=document_ids,
            status="open",
            note=note,
            opened_at=now(),
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        actor=lead,
        action="add",
        object="round",
        object_id=round_id,
        after={"name": name, "coders": coders, "documents": document_ids, "status": "open"},
    )
    return get_round(conn, name)


def close_round(conn: Connection, name: str, *, lead: str) -> Round:
    """Close an open round, revealing every coder's codings; only its lead may close it."""
    found = get_round(conn, name)
    if not found.is_open:
        raise QualcodeError(f"round {name!r} is already closed (at {found.closed_at})")
    if not same_person(lead, found.lead):
        raise CodingError(f"only {found.lead}, who leads round {name!r}, can close it (not {lead})")
    conn.execute(r.update().where(r.c.id == found.id).values(status="closed", closed_at=now()))
    audit.record(
        conn,
        actor=lead,
        action="update",
        object="round",
        object_id=found.id,
        before={"name": name, "status": "open"},
        after={"name": name, "status": "closed"},
    )
    return get_round(conn, name)


def get_round(conn: Connection, name: str) -> Round:
    """A round by name, or a clear error listing the rounds there are."""
    row = conn.execute(select(r).where(r.c.name == name)).first()
    if row is None:
        names = list(conn.execute(select(r.c.name).order_by(r.c.id)).scalars())
        raise NotFoundError(
            f"no round named {name!r}; rounds: {', '.join(names) or 'none yet'} "
            "(p.open_round opens one)"
        )
    return Round(
        id=row.id,
        guid=row.guid,
        name=row.name,
        lead=row.lead,
        coders=tuple(row.coders),
        documents=tuple(row.documents),
        status=row.status,
        note=row.note,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
    )


def round_rows(conn: Connection) -> list[Any]:
    """Every round's row, oldest first."""
    return conn.execute(select(r).order_by(r.c.id)).all()


def open_round_of(conn: Connection, document_id: int) -> Round | None:
    """The open round a document (any of its versions) belongs to, if any."""
    for row, ids in open_rounds(conn):
        if document_id in ids:
            return get_round(conn, row.name)
    return None


def visible_codings(conn: Connection, viewer: str) -> Any | None:
    """A condition on `codings` rows that hides, on documents of open rounds, every coding
    but the viewer's own; None when no round is open (nothing to hide)."""
    c = schema.codings
    return visible_rows(conn, viewer, c.c.document_id, c.c.coder_id)


def visible_rows(conn: Connection, viewer: str, document_id: Any, coder_id: Any) -> Any | None:
    """The blind rule on any table with a document and a writer (codings, memos): a condition
    hiding, on documents of open rounds, every row but the viewer's own; None when no round
    is open. A row on no document (a code's memo) is never hidden."""
    hidden = set().union(*(ids for _, ids in open_rounds(conn)))
    if not hidden:
        return None
    ids = sorted(hidden)
    viewer_row = coder_row(conn, viewer)
    viewer_id = None if viewer_row is None else viewer_row.id
    outside = or_(document_id.is_(None), document_id.not_in(ids))
    return outside if viewer_id is None else or_(outside, coder_id == viewer_id)


def require_revealed(conn: Connection, document_ids: Sequence[int], what: str) -> None:
    """Refuse `what` (agreement, consensus) on documents of a round that is still open."""
    if not document_ids:
        return
    for row, ids in open_rounds(conn):
        if ids & set(document_ids):
            raise RoundOpenError(
                f"{what} would show the coders of blind round {row.name!r} each other's "
                f"codings while it is open; {row.lead} closes it with "
                f"p.close_round({row.name!r}, lead={row.lead!r}) when everyone has finished"
            )


def open_rounds(conn: Connection) -> list[tuple[Any, set[int]]]:
    """Each open round, with the ids of every version of its documents."""
    return [
        (row, set(all_versions(conn, list(row.documents))))
        for row in conn.execute(select(r).where(r.c.status == "open")).all()
    ]


def all_versions(conn: Connection, doc_ids: list[int]) -> list[int]:
    """Ids of every version of the given documents (same area and title), so a round stays
    blind across a pseudonymised revision made while it is open."""
    d = schema.documents
    if not doc_ids:
        return []
    keys = conn.execute(select(d.c.area_id, d.c.title).where(d.c.id.in_(doc_ids))).all()
    return list(
        conn.execute(
            select(d.c.id).where(tuple_(d.c.area_id, d.c.title).in_([tuple(k) for k in keys]))
        ).scalars()
    )


def _refuse_overlap(conn: Connection, name: str, doc_ids: list[int]) -> None:
    d = schema.documents
    for row, ids in open_rounds(conn):
        shared = ids & set(doc_ids)
        if shared:
            titles = conn.execute(select(d.c.title).where(d.c.id.in_(sorted(shared)))).scalars()
            raise QualcodeError(
                f"round {name!r}: {', '.join(sorted(set(titles)))} already in open round "
                f"{row.name!r}; close that round first or leave these documents out"
            )
