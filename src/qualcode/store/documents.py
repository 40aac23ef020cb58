"""Documents: a version enters with its units and audit row; a new version retires the old."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, and_, select

from qualcode.errors import NotFoundError
from qualcode.model import Document, DocumentRef
from qualcode.store import audit, schema
from qualcode.store.bulk import insert_rows

UNIT_COLUMNS = ("document_id", "kind", "start", "end", "speaker", "role", "meta")


def insert_document(
    conn: Connection,
    values: dict[str, Any],
    units: list[tuple[Any, ...]],
    *,
    actor: str,
    action: str = "add",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Insert a document version with its units (kind, start, end, speaker, role, meta) and
    its audit row: the one way a document enters the store (ingest, revision, REFI import)."""
    doc_id = conn.execute(schema.documents.insert().values(**values)).inserted_primary_key[0]
    insert_rows(conn, schema.units, UNIT_COLUMNS, [(doc_id, *unit) for unit in units])
    audit.record(
        conn,
        actor=actor,
        action=action,
        object="document",
        object_id=doc_id,
        document_id=doc_id,
        before=before,
        after=after
        if after is not None
        else {k: v for k, v in values.items() if k not in ("text", "meta")},
    )
    return doc_id


def document_by_guid(conn: Connection, guid: str) -> Row[Any] | None:
    """Id, hash and title of the document version with this GUID, or None."""
    d = schema.documents
    return conn.execute(select(d.c.id, d.c.sha256, d.c.title).where(d.c.guid == guid)).first()


def area_titles(conn: Connection, area_id: int) -> set[str]:
    """Every title an area's documents (any version) use: a new document needs another."""
    d = schema.documents
    return set(conn.execute(select(d.c.title).where(d.c.area_id == area_id)).scalars())


def documents_select() -> Any:
    d, a, c = schema.documents, schema.areas, schema.cases
    return (
        select(d, a.c.name.label("area"), c.c.name.label("case"))
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(c, c.c.id == d.c.case_id)
    )


def current_document(conn: Connection, area: str, title: str) -> Row[Any] | None:
    """Id, version and hash of the current version of a document (not its text)."""
    d, a = schema.documents, schema.areas
    return conn.execute(
        select(d.c.id, d.c.version, d.c.sha256)
        .join(a, a.c.id == d.c.area_id)
        .where(and_(a.c.name == area, d.c.title == title, d.c.is_current == 1))
    ).first()


def document_row(conn: Connection, ref: DocumentRef) -> Row[Any]:
    """A document version's row (with area and case names) by object, id, guid or current
    title; a title must be unique across areas."""
    d = schema.documents
    query = documents_select()
    if isinstance(ref, Document):
        query = query.where(d.c.id == ref.id)
    elif isinstance(ref, int) and not isinstance(ref, bool):
        query = query.where(d.c.id == ref)
    elif isinstance(ref, str):
        rows = (
            conn.execute(query.where(d.c.guid == ref)).all()
            or conn.execute(query.where(d.c.title == ref, d.c.is_current == 1)).all()
        )
        if len(rows) > 1:
            where = ", ".join(f"{r.area} (id {r.id})" for r in rows)
            raise NotFoundError(
                f"more than one document is titled {ref!r}: {where}; "
                "pass the document or its id"
            )
        if rows:
            return rows[0]
        raise NotFoundError(f"no document titled {ref!r}; see p.documents_df() for titles")
    else:
        raise TypeError(f"a document is a Document, an id or a title, not {type(ref).__name__}")
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no document with id {getattr(ref, 'id', ref)} in {location(conn)}")
    return row


def document_from_row(row: Row[Any]) -> Document:
    """The `Document` a row of `documents_select` describes."""
    return Document(
        id=row.id,
        guid=row.guid,
        area=row.area,
        title=row.title,
        text=row.text,
        case=row.case,
        version=row.version,
        format=row.format,
        sha256=row.sha256,
        source=row.source,
        meta=row.meta or {},
    )


def document_span(conn: Connection, ref: DocumentRef) -> tuple[int, int]:
    """(id, length) of a document, with one small query when given an id."""
    if isinstance(ref, Document):
        return ref.id, len(ref.text)
    if isinstance(ref, int) and not isinstance(ref, bool):
        d = schema.documents
        row = conn.execute(select(d.c.id, d.c.length).where(d.c.id == ref)).first()
        if row is None:
            raise NotFoundError(f"no document with id {ref}; see p.documents_df() for ids")
        return row.id, row.length
    row = document_row(conn, ref)
    return row.id, row.length


def location(conn: Connection) -> str:
    """The file path of a SQLite store, or the URL (password hidden) of a server store."""
    url = conn.engine.url
    return url.database or "" if url.get_backend_name() == "sqlite" else str(url)


def current_ids(conn: Connection, area_id: int) -> list[int]:
    """Ids of the current version of every document of an area, by title."""
    d = schema.documents
    return list(
        conn.execute(
            select(d.c.id)
            .where(d.c.area_id == area_id, d.c.is_current == 1)
            .order_by(d.c.title)
        ).scalars()
    )
