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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, or_, select, tuple_

from qualcode.errors import CodingError, NotFoundError, QualcodeError
from qualcode.store import audit, schema
from qualcode.store.stamps import new_guid, now

if TYPE_CHECKING:
    from qualcode.project import DocumentRef, Project

r = schema.rounds


class RoundOpenError(QualcodeError):
    """Agreement or consensus asked for while a blind round on those documents is open."""


@dataclass(frozen=True)
class Round:
    """One blind coding round, as stored."""

    id: int
    guid: str
    name: str
    lead: str
    coders: tuple[str, ...]
    documents: tuple[int, ...]
    status: str
    note: str | None
    opened_at: str
    closed_at: str | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def open_round(
    project: Project,
    name: str,
    *,
    coders: Sequence[str],
    lead: str,
    documents: Sequence[DocumentRef] | None = None,
    area: str | None = None,
    note: str | None = None,
) -> Round:
    """Open a blind round on `documents` (or every current document of `area`) for `coders`."""
    from qualcode.project import _name, require_area

    name = _name(name, "round name")
    lead = _person(lead, "lead")
    if isinstance(coders, str):
        raise QualcodeError(f"coders is a list of names, e.g. coders=[{coders!r}, 'another']")
    people = list(dict.fromkeys(_person(c, "coder") for c in coders))
    if len(people) < 2:
        raise QualcodeError(
            f"round {name!r}: a blind round needs at least two coders, got "
            f"{', '.join(people) or 'none'}"
        )
    if (documents is None) == (area is None):
        raise QualcodeError(f"round {name!r}: give documents=[...] or area='...', one of them")
    with project.writing() as conn:
        if area is not None:
            d = schema.documents
            doc_ids = list(
                conn.execute(
                    select(d.c.id)
                    .where(d.c.area_id == require_area(conn, area), d.c.is_current == 1)
                    .order_by(d.c.title)
                ).scalars()
            )
        else:
            doc_ids = list(dict.fromkeys(project._document_span(conn, ref)[0] for ref in documents))
        if not doc_ids:
            raise QualcodeError(f"round {name!r}: no documents to code")
        same = conn.execute(select(r.c.status).where(r.c.name == name)).scalar_one_or_none()
        if same is not None:
            raise QualcodeError(f"a round named {name!r} exists ({same}); choose another name")
        _refuse_overlap(conn, name, doc_ids)
        stamp = now()
        round_id = conn.execute(
            r.insert().values(
                guid=new_guid(),
                name=name,
                lead=lead,
                coders=people,
                documents=doc_ids,
                status="open",
                note=note,
                opened_at=stamp,
            )
        ).inserted_primary_key[0]
        audit.record(
            conn,
            actor=lead,
            action="add",
            object="round",
            object_id=round_id,
            after={"name": name, "coders": people, "documents": doc_ids, "status": "open"},
        )
        return _round(conn, name)


def close_round(project: Project, name: str, *, lead: str) -> Round:
    """Close an open round, revealing every coder's codings; only its lead may close it."""
    with project.writing() as conn:
        found = _round(conn, name)
        if not found.is_open:
            raise QualcodeError(f"round {name!r} is already closed (at {found.closed_at})")
        if lead != found.lead:
            raise CodingError(
                f"only {found.lead}, who leads round {name!r}, can close it (not {lead})"
            )
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
        return _round(conn, name)


def get_round(project: Project, name: str) -> Round:
    """A round by name, or a clear error listing the rounds there are."""
    with project.reading() as conn:
        return _round(conn, name)


def open_round_of(project: Project, document_id: int) -> Round | None:
    """The open round a document (any of its versions) belongs to, if any."""
    with project.reading() as conn:
        for row, ids in _open_rounds(conn):
            if document_id in ids:
                return _round(conn, row.name)
    return None


def rounds_df(project: Project) -> pd.DataFrame:
    """Every round: name, status, lead, coders, number of documents, when opened and closed."""
    with project.reading() as conn:
        rows = conn.execute(select(r).order_by(r.c.id)).all()
    return pd.DataFrame(
        [
            {
                "name": row.name,
                "status": row.status,
                "lead": row.lead,
                "coders": list(row.coders),
                "documents": len(row.documents),
                "opened_at": row.opened_at,
                "closed_at": row.closed_at,
                "note": row.note,
            }
            for row in rows
        ],
        columns=["name", "status", "lead", "coders", "documents", "opened_at", "closed_at", "note"],
    )


def round_progress(project: Project, name: str) -> pd.DataFrame:
    """Per coder of a round: documents they have coded and codings made, as counts only, so a
    lead can see who has finished without seeing anybody's codes."""
    c, k = schema.codings, schema.coders
    with project.reading() as conn:
        found = _round(conn, name)
        ids = _all_versions(conn, list(found.documents))
        rows = conn.execute(
            select(k.c.name, c.c.document_id)
            .join(k, k.c.id == c.c.coder_id)
            .where(c.c.document_id.in_(ids), k.c.name.in_(found.coders))
        ).all()
    frame = pd.DataFrame(rows, columns=["coder", "document_id"])
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


def visible_codings(conn: Connection, viewer: str) -> Any | None:
    """A condition on `codings` rows that hides, on documents of open rounds, every coding
    but the viewer's own; None when no round is open (nothing to hide)."""
    hidden = set().union(*(ids for _, ids in _open_rounds(conn)))
    if not hidden:
        return None
    c, k = schema.codings, schema.coders
    ids = sorted(hidden)
    viewer_id = conn.execute(select(k.c.id).where(k.c.name == viewer)).scalar_one_or_none()
    outside = c.c.document_id.not_in(ids)
    return outside if viewer_id is None else or_(outside, c.c.coder_id == viewer_id)


def require_revealed(conn: Connection, document_ids: Sequence[int], what: str) -> None:
    """Refuse `what` (agreement, consensus) on documents of a round that is still open."""
    if not document_ids:
        return
    for row, ids in _open_rounds(conn):
        if ids & set(document_ids):
            raise RoundOpenError(
                f"{what} would show the coders of blind round {row.name!r} each other's "
                f"codings while it is open; {row.lead} closes it with "
                f"p.close_round({row.name!r}, lead={row.lead!r}) when everyone has finished"
            )


def _open_rounds(conn: Connection) -> list[tuple[Any, set[int]]]:
    """Each open round, with the ids of every version of its documents."""
    return [
        (row, set(_all_versions(conn, list(row.documents))))
        for row in conn.execute(select(r).where(r.c.status == "open")).all()
    ]


def _all_versions(conn: Connection, doc_ids: list[int]) -> list[int]:
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
    for row, ids in _open_rounds(conn):
        shared = ids & set(doc_ids)
        if shared:
            titles = conn.execute(select(d.c.title).where(d.c.id.in_(sorted(shared)))).scalars()
            raise QualcodeError(
                f"round {name!r}: {', '.join(sorted(set(titles)))} already in open round "
                f"{row.name!r}; close that round first or leave these documents out"
            )


def _round(conn: Connection, name: str) -> Round:
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


def _person(value: object, what: str) -> str:
    """A person's name: not a machine suggestion coder and not the consensus layer."""
    from qualcode.project import CONSENSUS, _name, is_suggestion

    name = _name(value, what)
    if is_suggestion(name) or name == CONSENSUS:
        raise QualcodeError(f"{name!r} cannot be a round's {what}; a {what} is a person")
    return name
