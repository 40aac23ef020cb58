"""Documents: a version enters with its units and audit row; a new version retires the old.

A big document's units are staged first, outside the write lock, in a temporary table only
the ingesting connection sees (`stage_units`); inside the lock one INSERT ... SELECT copies
them, so coders wait a fraction of a second, not the seconds that binding every row takes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    and_,
    func,
    literal,
    select,
)

from qualcode.errors import NotFoundError
from qualcode.model import Document, DocumentRef, check_name
from qualcode.spans import Rewrite
from qualcode.store import audit, schema
from qualcode.store.bulk import insert_rows
from qualcode.store.codings import CODING_COLUMNS
from qualcode.store.engine import store_label
from qualcode.store.stamps import new_guid, now

UNIT_COLUMNS = ("document_id", "kind", "start", "end", "speaker", "role", "meta")
STAGED_COLUMNS = UNIT_COLUMNS[1:]
_staged = Table(  # per connection, never in the store's schema
    "qualcode_staged_units",
    MetaData(),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", String(200)),
    Column("role", String(32)),
    Column("meta", JSON),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class StagedUnits:
    """A document's units waiting in a temporary table of `conn` (see `stage_units`)."""

    conn: Connection
    count: int


def stage_units(conn: Connection, units: list[tuple[Any, ...]]) -> StagedUnits:
    """Put units (kind, start, end, speaker, role, meta) in a temporary table of this
    connection, which only it sees, so no write lock is needed; commits. Pass the result to
    `insert_document` in a write transaction on the same connection."""
    discard_staged(conn)
    _staged.create(conn)
    insert_rows(conn, _staged, STAGED_COLUMNS, units)
    conn.commit()
    _check_foreign_keys(conn, on=False)  # see `_copy_staged`; `discard_staged` turns it on
    return StagedUnits(conn, len(units))


def discard_staged(conn: Connection) -> None:
    """Drop this connection's staged units, if any (copied in, or the document was found
    unchanged after all), and check foreign keys on it again; call it when the insert is
    done or failed."""
    try:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_staged.name}")
        conn.commit()
    finally:
        conn.rollback()
        _check_foreign_keys(conn, on=True)


def _check_foreign_keys(conn: Connection, *, on: bool) -> None:
    """SQLite's foreign key checks on this connection (outside any transaction). Copying
    staged units runs without them: their one key is the document inserted just before, and
    checking it for each of 300,000 rows doubles the time coders wait."""
    if conn.engine.url.get_backend_name() == "sqlite":
        conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]


def insert_document(
    conn: Connection,
    values: dict[str, Any],
    units: list[tuple[Any, ...]] | StagedUnits,
    *,
    actor: str,
    action: str = "add",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Insert a document version with its units (kind, start, end, speaker, role, meta, or
    staged on this connection) and its audit row: the one way a document enters the store
    (ingest, revision, REFI import)."""
    doc_id = conn.execute(schema.documents.insert().values(**values)).inserted_primary_key[0]
    if isinstance(units, StagedUnits):
        _copy_staged(conn, units, doc_id)
    else:
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


def _copy_staged(conn: Connection, staged: StagedUnits, doc_id: int) -> None:
    if staged.conn is not conn:
        raise ValueError("staged units belong to another connection; stage them on this one")
    columns = [_staged.c[name] for name in STAGED_COLUMNS]
    rows = select(literal(doc_id, Integer), *columns).order_by(_staged.c.seq)
    conn.execute(schema.units.insert().from_select(UNIT_COLUMNS, rows))  # dropped after the lock


def document_by_guid(conn: Connection, guid: str) -> Row[Any] | None:
    """Id, hash and title of the document version with this GUID, or None."""
    d = schema.documents
    return conn.execute(select(d.c.id, d.c.sha256, d.c.title).where(d.c.guid == guid)).first()


def area_titles(conn: Connection, area_id: int) -> set[str]:
    """Every title an area's documents (any version) use: a new document needs another."""
    d = schema.documents
    return set(conn.execute(select(d.c.title).where(d.c.area_id == area_id)).scalars())


def retire_version(conn: Connection, document_id: int) -> None:
    """Mark a version as no longer the current one (a newer version is being added)."""
    d = schema.documents
    conn.execute(d.update().where(d.c.id == document_id).values(is_current=0))


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
    elif isinstance(ref, Integral) and not isinstance(ref, bool):  # numpy ids from a DataFrame too
        query = query.where(d.c.id == int(ref))
    elif isinstance(ref, str):
        rows = (
            conn.execute(query.where(d.c.guid == ref)).all()
            or conn.execute(query.where(d.c.title == ref, d.c.is_current == 1)).all()
        )
        if len(rows) > 1:
            where = ", ".join(f"{r.area} (id {r.id})" for r in rows)
            raise NotFoundError(
                f"more than one document is titled {ref!r}: {where}; pass the document or its id"
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
    if isinstance(ref, Integral) and not isinstance(ref, bool):
        d = schema.documents
        row = conn.execute(select(d.c.id, d.c.length).where(d.c.id == int(ref))).first()
        if row is None:
            raise NotFoundError(f"no document with id {ref}; see p.documents_df() for ids")
        return row.id, row.length
    row = document_row(conn, ref)
    return row.id, row.length


def location(conn: Connection) -> str:
    """The file path of a SQLite store, or the URL (password hidden) of a server store."""
    return store_label(conn)


def current_ids(conn: Connection, area_id: int) -> list[int]:
    """Ids of the current version of every document of an area, by title."""
    d = schema.documents
    return list(
        conn.execute(
            select(d.c.id).where(d.c.area_id == area_id, d.c.is_current == 1).order_by(d.c.title)
        ).scalars()
    )


def document_values(
    *,
    area_id: int,
    case_id: int | None,
    title: str,
    text: str,
    sha256: str,
    format: str,
    source: str | None,
    meta: dict[str, Any],
    previous: Any | None,
    words: int | None = None,
) -> dict[str, Any]:
    """The row of a new document version (the next after `previous`, a row with id and
    version, if there is one). `words`, if counted already (outside the write lock)."""
    check_name(title, "document title")
    return {
        "guid": new_guid(),
        "area_id": area_id,
        "case_id": case_id,
        "title": title,
        "version": previous.version + 1 if previous is not None else 1,
        "previous_id": previous.id if previous is not None else None,
        "is_current": 1,
        "format": format,
        "source": source,
        "sha256": sha256,
        "text": text,
        "length": len(text),
        "words": len(text.split()) if words is None else words,
        "meta": meta,
        "created_at": now(),
    }


def insert_revision(
    conn: Connection,
    old: Row[Any],
    rewrite: Rewrite,
    *,
    by: str,
    meta: dict[str, Any] | None,
    speakers: dict[str, str] | None,
    replacements: int,
) -> tuple[int, int]:
    """A new version of `old` (a `document_row`) with the rewritten text, its units and every
    coder's codings carried over with offsets mapped, audited as one "revise"; the old version
    is retired. Returns (new id, codings carried)."""
    text = rewrite.text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    retire_version(conn, old.id)
    values = document_values(
        area_id=old.area_id,
        case_id=old.case_id,
        title=old.title,
        text=text,
        sha256=digest,
        format=old.format,
        source=old.source,
        meta=_renamed_roles({**(old.meta or {}), **(meta or {})}, speakers),
        previous=old,
    )
    u, k = schema.units, schema.codings
    units = []
    for x in conn.execute(select(u).where(u.c.document_id == old.id)):
        start, end = rewrite.start(x.start), rewrite.end(x.end)
        if start < end:
            units.append((x.kind, start, end, _renamed(x.speaker, speakers), x.role, x.meta))
    codings = conn.execute(select(k).where(k.c.document_id == old.id)).all()
    doc_id = insert_document(
        conn,
        values,
        units,
        actor=by,
        action="revise",
        before={"document": old.id, "version": old.version, "sha256": old.sha256},
        after={
            "version": old.version + 1,
            "sha256": digest,
            "replacements": replacements,
            "codings": len(codings),
        },
    )
    stamp = now()
    carried = [
        (
            new_guid(),
            doc_id,
            rewrite.start(c.start),
            rewrite.end(c.end),
            c.code_id,
            c.coder_id,
            c.memo,
            c.created_at,
            stamp,
        )
        for c in codings
    ]
    insert_rows(conn, k, CODING_COLUMNS, carried)
    return doc_id, len(codings)


def text_slice(conn: Connection, document_id: int, start: int, end: int) -> str:
    """text[start:end] of a document, read without loading the whole text."""
    d = schema.documents
    return conn.execute(
        select(func.substr(d.c.text, start + 1, end - start)).where(d.c.id == document_id)
    ).scalar_one()


def document_text(conn: Connection, document_id: int) -> str:
    """A document version's whole text."""
    d = schema.documents
    return conn.execute(select(d.c.text).where(d.c.id == document_id)).scalar_one()


def _renamed(label: str | None, names: dict[str, str] | None) -> str | None:
    """A speaker label with whole-word names replaced (for pseudonymised versions)."""
    for old, new in (names or {}).items():
        if label:
            label = re.sub(rf"\b{re.escape(old)}\b", new, label)
    return label


def _renamed_roles(meta: dict[str, Any], names: dict[str, str] | None) -> dict[str, Any]:
    """Document meta with the speakers named in its roles record (`ingest.roles`) renamed as
    the units' labels are, so a pseudonymised version does not keep the original names."""
    roles = meta.get("roles")
    if not roles or not names:
        return meta
    renamed = {
        k: [_renamed(v, names) for v in value] if isinstance(value, list) else value
        for k, value in roles.items()
    }
    return {**meta, "roles": renamed}


def question_of(meta: dict[str, Any] | None) -> str:
    """The questionnaire question a document answers ("" for a transcript)."""
    return str((meta or {}).get("question") or "")


@dataclass(frozen=True)
class IncomingDocument:
    """What identifies a document arriving from another project, besides its area."""

    guid: str
    title: str
    sha256: str
    case: str = ""  # the case's name, "" for none
    question: str = ""  # `question_of` its meta


@dataclass(frozen=True)
class DocumentVersion:
    """One version of one of our documents: its id, version number and text's hash."""

    id: int
    version: int
    sha256: str


@dataclass
class KnownDocuments:
    """Our documents, to recognise a text arriving from another project (a merge, a .qdpx).

    The same document is, in order: the version with the same GUID and text (it came from
    here, or ours from there); else the same text under the same title in the same area; else
    the one document in that area with that text, case and question (a renamed title); else
    the one document with that text and title in another area (a .qdpx merged into "imported"
    before). Never by text alone: two respondents who both answered "n/a" are two documents.
    With `areas_known=False` (a .qdpx has no areas) "the same area" is any area.
    """

    areas_known: bool
    by_guid: dict[str, tuple[int, str]] = field(default_factory=dict)  # guid -> (id, sha256)
    by_title: dict[tuple[str | None, str, str], int] = field(default_factory=dict)
    by_text: dict[tuple[str | None, str, str, str], list[int]] = field(default_factory=dict)
    elsewhere: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    latest: dict[tuple[str, str], DocumentVersion] = field(default_factory=dict)
    titled: dict[str, list[str]] = field(default_factory=dict)  # title -> areas holding it
    case_of: dict[int, int | None] = field(default_factory=dict)  # document id -> case id
    purged: set[int] = field(default_factory=set)  # versions whose original text was purged
    claimed: set[int] = field(default_factory=set)  # ours already matched or added this merge

    @classmethod
    def load(cls, conn: Connection, *, areas_known: bool) -> KnownDocuments:
        d, a, c = schema.documents, schema.areas, schema.cases
        rows = conn.execute(
            select(
                d.c.id,
                d.c.guid,
                a.c.name.label("area"),
                d.c.case_id,
                c.c.name.label("case"),
                d.c.title,
                d.c.version,
                d.c.sha256,
                d.c.length,
                d.c.meta,
            )
            .join(a, a.c.id == d.c.area_id)
            .outerjoin(c, c.c.id == d.c.case_id)
        ).all()
        known = cls(areas_known)
        for r in rows:
            area = r.area if areas_known else None
            known.by_guid[r.guid] = (r.id, r.sha256)
            known.by_title.setdefault((area, r.title, r.sha256), r.id)
            text_key = (area, r.sha256, r.case or "", question_of(r.meta))
            known.by_text.setdefault(text_key, []).append(r.id)
            known.elsewhere.setdefault((r.title, r.sha256), []).append(r.id)
            newest = known.latest.get((r.area, r.title))
            if newest is None or r.version > newest.version:
                known.latest[(r.area, r.title)] = DocumentVersion(r.id, r.version, r.sha256)
            known.case_of[r.id] = r.case_id
            if r.length == 0 and (r.meta or {}).get("purged_at"):  # qualcode redact purge
                known.purged.add(r.id)
        for area, title in known.latest:
            known.titled.setdefault(title, []).append(area)
        return known

    def same(self, area: str | None, theirs: IncomingDocument) -> int | None:
        """The id of our version that is their document (area None: a .qdpx's), else None.
        A match other than by GUID or title takes only a document no other of theirs has
        matched or become in this merge."""
        found = None
        by_guid = self.by_guid.get(theirs.guid)
        if by_guid is not None and by_guid[1] == theirs.sha256:
            found = by_guid[0]
        if found is None:
            found = self.by_title.get((area, theirs.title, theirs.sha256))
        if found is None:
            text_key = (area, theirs.sha256, theirs.case, theirs.question)
            found = self._only_unclaimed(self.by_text.get(text_key, []))
        if found is None:
            found = self._only_unclaimed(self.elsewhere.get((theirs.title, theirs.sha256), []))
        if found is not None:
            self.claimed.add(found)
        return found

    def _only_unclaimed(self, ids: list[int]) -> int | None:
        return ids[0] if len(ids) == 1 and ids[0] not in self.claimed else None

    def area_of_title(self, title: str, default: str) -> str:
        """Where a new text from a .qdpx goes: the one area holding its title, else `default`."""
        places = self.titled.get(title, [])
        return places[0] if len(places) == 1 else default

    def newest(self, area: str, title: str) -> DocumentVersion | None:
        """Our newest version of a title in an area (including versions just added)."""
        return self.latest.get((area, title))

    def add(self, area: str, theirs: IncomingDocument, version: DocumentVersion) -> None:
        """Count in a version just added, so later texts are matched against it too."""
        mapped = area if self.areas_known else None
        self.claimed.add(version.id)
        self.by_title[(mapped, theirs.title, version.sha256)] = version.id
        text_key = (mapped, version.sha256, theirs.case, theirs.question)
        self.by_text.setdefault(text_key, []).append(version.id)
        title = theirs.title
        if (area, title) not in self.latest:
            self.titled.setdefault(title, []).append(area)
        self.latest[(area, title)] = version
