"""What a merge reads: another project's rows in one snapshot, and ours to match them against.

Rows come back as the database gives them (named tuples); the merge maps their ids to ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, inspect, select

from qualcode.store import schema

Key = tuple[int, int, int, int, int]  # a coding's (document, start, end, code, coder)

# the audit actions that remove a row of each kind whose GUID a merge must not bring back
REMOVALS = {
    "coding": ("delete", "accept", "reject"),  # accepted or rejected suggestions go too
    "memo": ("delete",),
    "code": ("delete", "merge"),
}


@dataclass(frozen=True)
class Tombstone:
    """The audit log's record that a coding, memo or code went: when, by whom, how (the
    audit action) and the row as it was (`before`, with its GUID)."""

    at: str
    actor: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any] | None


@dataclass
class ProjectRows:
    """Everything a merge reads from the other project, read in one snapshot."""

    areas: dict[int, str]
    coders: list[Any]
    codes: list[Any]
    cases: dict[int, Any]
    documents: list[Any]
    units: dict[int, list[tuple[Any, ...]]]  # document id -> (kind, start, end, speaker, ...)
    codings: list[Any]
    memos: list[Any]
    recommendations: list[Any]
    tombstones: dict[str, dict[str, Tombstone]] = field(default_factory=dict)  # kind -> guid ->


def project_rows(conn: Connection) -> ProjectRows:
    """Every row a merge brings over, from a connection on the other project's store."""
    s = schema
    tables = set(inspect(conn).get_table_names())
    units: dict[int, list[tuple[Any, ...]]] = {}
    u = s.units
    for row in conn.execute(
        select(u.c.document_id, u.c.kind, u.c.start, u.c.end, u.c.speaker, u.c.role, u.c.meta)
    ):
        units.setdefault(row.document_id, []).append(tuple(row)[1:])
    return ProjectRows(
        areas={r.id: r.name for r in conn.execute(select(s.areas))},
        coders=conn.execute(select(s.coders).order_by(s.coders.c.id)).all(),
        codes=conn.execute(select(s.codes)).all(),
        cases={r.id: r for r in conn.execute(select(s.cases))},
        documents=conn.execute(
            select(s.documents).order_by(
                s.documents.c.area_id, s.documents.c.title, s.documents.c.version
            )
        ).all(),
        units=units,
        codings=conn.execute(select(s.codings).order_by(s.codings.c.id)).all(),
        memos=conn.execute(select(s.memos).order_by(s.memos.c.id)).all(),
        recommendations=conn.execute(
            select(s.recommendations).order_by(s.recommendations.c.id)
        ).all()
        if s.recommendations.name in tables
        else [],
        tombstones={kind: tombstones(conn, kind) for kind in REMOVALS},
    )


def tombstones(conn: Connection, kind: str) -> dict[str, Tombstone]:
    """The last removal of each coding, memo or code (`kind`) by GUID, from the audit log.
    Removals recorded before audit rows carried the GUID cannot be told apart and are left
    out."""
    a = schema.audit
    rows = conn.execute(
        select(a.c.at, a.c.actor, a.c.action, a.c.before, a.c.after)
        .where(a.c.object == kind, a.c.action.in_(REMOVALS[kind]))
        .order_by(a.c.id)
    )
    out: dict[str, Tombstone] = {}
    for r in rows:
        before = r.before if isinstance(r.before, dict) else {}
        guid = before.get("guid")
        if isinstance(guid, str):
            out[guid] = Tombstone(r.at, r.actor, r.action, before, r.after)
    return out


def memo_ids(conn: Connection) -> dict[str, int]:
    """Our memos' ids by GUID."""
    m = schema.memos
    return dict(conn.execute(select(m.c.guid, m.c.id)).all())


def area_ids(conn: Connection) -> dict[str, int]:
    """Our areas' ids by name."""
    return {r.name: r.id for r in conn.execute(select(schema.areas))}


def case_row(conn: Connection, case_id: int) -> Any:
    """A case's row with its area's name (`area`)."""
    t, a = schema.cases, schema.areas
    return conn.execute(
        select(t, a.c.name.label("area")).join(a, a.c.id == t.c.area_id).where(t.c.id == case_id)
    ).one()


def document_title(conn: Connection, document_id: int) -> str:
    """A document version's title, for a message."""
    d = schema.documents
    return conn.execute(select(d.c.title).where(d.c.id == document_id)).scalar_one()


def coding_index(conn: Connection) -> tuple[dict[str, int], dict[Key, int]]:
    """Our codings' ids by GUID and by (document, start, end, code, coder)."""
    c = schema.codings
    by_guid: dict[str, int] = {}
    by_key: dict[Key, int] = {}
    for r in conn.execute(
        select(c.c.id, c.c.guid, c.c.document_id, c.c.start, c.c.end, c.c.code_id, c.c.coder_id)
    ):
        by_guid[r.guid] = r.id
        by_key[(r.document_id, r.start, r.end, r.code_id, r.coder_id)] = r.id
    return by_guid, by_key


def memo_index(
    conn: Connection,
) -> tuple[set[str], set[tuple[int, str, str, int | None, int | None]]]:
    """Our memos' GUIDs, and their (coder, title, text, document, code)."""
    ours = conn.execute(select(schema.memos)).all()
    return {r.guid for r in ours}, {
        (r.coder_id, r.title, r.text, r.document_id, r.code_id) for r in ours
    }


def recommendation_guids(conn: Connection) -> set[str]:
    """Our recommendations' GUIDs."""
    r = schema.recommendations
    return set(conn.execute(select(r.c.guid)).scalars())
