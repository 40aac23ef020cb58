"""Project: the one object a notebook holds (areas, documents, codebook, coders, codings).

Every change is one transaction with one audit row, written at once: there is no save step,
and a kernel restart loses nothing. Every DataFrame is a view computed from the store.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Row, and_, func, select

from qualcode import views
from qualcode.coding.codebook import Codebook
from qualcode.errors import CodingError, NotFoundError, QualcodeError, StoreError
from qualcode.model import Code, Coding, Document
from qualcode.store import audit, connect, migrate, new_guid, now, resolve_url, schema, writer
from qualcode.store.bulk import in_chunks, insert_rows

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.coding.rounds import Round
    from qualcode.ingest import IngestReport
    from qualcode.ingest.source import Source, Unit
    from qualcode.interop.merge import MergeReport

DocumentRef = Document | int | str
CodingRef = Coding | int

CODER_ROLES = ("coder", "adjudicator", "model")


UNIT_COLUMNS = ("document_id", "kind", "start", "end", "speaker", "role", "meta")
CODING_COLUMNS = (  # a coding's columns in the order bulk inserts give them
    "guid",
    "document_id",
    "start",
    "end",
    "code_id",
    "coder_id",
    "memo",
    "created_at",
    "updated_at",
)
SUGGESTION_PREFIX = "suggest:"  # machine suggestions belong to coders named suggest:<model>
CONSENSUS = "consensus"  # the default adjudicated layer


def open_project(
    path_or_url: str | os.PathLike[str] | None = None,
    *,
    user: str | None = None,
    create: bool = True,
) -> Project:
    """Open (or create) a project store: a file path (SQLite) or a database URL.

    With no argument, the `QUALCODE_DB` environment variable names the store. `user` is who the
    audit log names for changes not made as a coder (default: `QUALCODE_USER` or the login).
    With `create=False` a SQLite file must exist already (commands and notebooks that read a
    project, where a mistyped path would otherwise quietly make an empty one).
    """
    target = path_or_url if path_or_url is not None else os.environ.get("QUALCODE_DB")
    if not target:
        raise QualcodeError(
            "no project named: pass a path such as data/coded/sample.qualcode, "
            "or set QUALCODE_DB to a path or postgresql:// URL"
        )
    if not create:
        require_store_file(os.fspath(target))
    url = resolve_url(target)
    engine = connect(url)
    try:
        migrate(engine)
    except Exception:
        engine.dispose()
        raise
    return Project(engine, user=user)


def require_store_file(target: str) -> None:
    """Refuse a SQLite path with no store behind it (a URL is the server's to check)."""
    if "://" not in target and not Path(target).expanduser().is_file():
        raise StoreError(
            f"no project store at {target}: check the path, or build it first "
            f"(`qualcode init --project {target}`, then `qualcode ingest`); name it with "
            "--project or QUALCODE_DB"
        )


class Project:
    """A qualitative coding project stored in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, *, user: str | None = None) -> None:
        self.engine = engine
        self.user = user or os.environ.get("QUALCODE_USER") or _login()
        self.codebook = Codebook(self)

    def __repr__(self) -> str:
        return f"<Project {self.location}>"

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        """The file path of a SQLite store, or the URL (password hidden) of a server store."""
        url = self.engine.url
        return url.database or "" if url.get_backend_name() == "sqlite" else str(url)

    @property
    def guid(self) -> str:
        """The project's guid (set when the store was made; stable for its life): the key of
        pseudonymous case ids and of the cache folder of a server store."""
        with self.reading() as conn:
            return conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "project_guid")
            ).scalar_one()

    def close(self) -> None:
        """Release database connections (the store itself is always up to date)."""
        self.engine.dispose()

    # transactions ---------------------------------------------------------------------------

    def reading(self) -> Any:
        """A read-only connection, for passing to `qualcode.views` (features never run SQL)."""
        return self.engine.connect()

    def writing(self) -> Any:
        """One write transaction (with the writer lock), for passing to `qualcode.store`
        writers: everything inside lands together with its audit rows, or nothing does."""
        return writer(self.engine).begin()

    # documents ------------------------------------------------------------------------------

    def add_document(
        self,
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
    ) -> Document:
        """Add a document's text to an area; units (sentences, turns, paragraphs) are found now.

        The case defaults to the title (one interview, one participant); `attributes` are the
        case's (population group, age band, ...). Adding the same text under the same title
        again changes nothing; different text becomes a new version, and codings stay on the
        version they were made on.
        """
        document, _status = self._add(
            text,
            area=area,
            title=title,
            case=case,
            attributes=attributes or {},
            format=format,
            source=source,
            meta=meta or {},
            turns=turns,
        )
        return document

    def _add_source(self, source: Source, *, area: str) -> tuple[Document, str]:
        return self._add(
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

    def _add(
        self,
        text: str,
        *,
        area: str,
        title: str,
        case: str | None,
        attributes: dict[str, Any],
        format: str,
        source: str | None,
        meta: dict[str, Any],
        turns: list[Unit] | None,
    ) -> tuple[Document, str]:
        """Add or re-add one document; returns it and "added", "new version" or "unchanged"."""
        from qualcode.ingest.decode import normalise
        from qualcode.ingest.segment import Segmenter
        from qualcode.ingest.turns import assign_roles, find_turns

        area, title = _name(area, "area"), _name(title, "document title")
        text = normalise(text)
        if not text.strip():
            raise QualcodeError(f"document {title!r} in area {area!r} is empty; nothing was added")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        turns = assign_roles(
            find_turns(text) if turns is None else turns,
            text,
            interviewer=(attributes or {}).get("interviewer"),
        )
        case_name = _name(case, "case") if case else title
        with self.reading() as conn:
            latest = _current_document(conn, area, title)
        units = (
            None
            if latest is not None and latest.sha256 == digest
            else (Segmenter().units(text, turns))
        )
        with self.writing() as conn:
            area_id = _area_id(conn, area)
            case_id = self._case_id(conn, area_id, case_name, attributes)
            latest = _current_document(conn, area, title)  # again, inside the lock
            if latest is not None and latest.sha256 == digest:
                return self._document_from_row(conn, self._document_row(conn, latest.id)), (
                    "unchanged"
                )
            if units is None:  # another process changed it between our read and this write
                units = Segmenter().units(text, turns)
            values = {
                "guid": new_guid(),
                "area_id": area_id,
                "case_id": case_id,
                "title": title,
                "version": latest.version + 1 if latest is not None else 1,
                "previous_id": latest.id if latest is not None else None,
                "is_current": 1,
                "format": format,
                "source": source,
                "sha256": digest,
                "text": text,
                "length": len(text),
                "words": len(text.split()),
                "meta": meta,
                "created_at": now(),
            }
            if latest is not None:
                conn.execute(
                    schema.documents.update()
                    .where(schema.documents.c.id == latest.id)
                    .values(is_current=0)
                )
            doc_id = insert_document(
                conn,
                values,
                [(u.kind, u.start, u.end, u.speaker, u.role, u.meta) for u in units],
                actor=self.user,
            )
            status = "new version" if latest is not None else "added"
            return Document(
                id=doc_id,
                guid=values["guid"],
                area=area,
                title=title,
                text=text,
                case=case_name,
                version=values["version"],
                format=format,
                sha256=digest,
                source=source,
                meta=meta,
            ), status

    def revise(
        self,
        document: DocumentRef,
        replacements: list[tuple[int, int, str]],
        *,
        by: str,
        meta: dict[str, Any] | None = None,
        speakers: dict[str, str] | None = None,
    ) -> tuple[Document, int]:
        """A new version of `document` with text[start:end] replaced (pseudonymisation), with
        its units and every coder's codings carried over, offsets mapped; one transaction.

        `speakers` renames words in the units' speaker labels (a named speaker's pseudonym).
        Returns the new version and the number of codings carried. Refused if the document
        is not the current version (someone revised or re-ingested it meanwhile).
        """
        from qualcode.coding.spans import Rewrite

        by = _name(by, "reviser")
        with self.writing() as conn:
            old = self._document_row(conn, document)
            if not old.is_current:
                raise QualcodeError(
                    f"document {old.title!r} version {old.version} is not the current version; "
                    "revise the current one"
                )
            try:
                rewrite = Rewrite(old.text, replacements)
            except ValueError as exc:
                raise QualcodeError(f"document {old.title!r}: {exc}") from exc
            text = rewrite.text
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            d = schema.documents
            conn.execute(d.update().where(d.c.id == old.id).values(is_current=0))
            values = {
                "guid": new_guid(),
                "area_id": old.area_id,
                "case_id": old.case_id,
                "title": old.title,
                "version": old.version + 1,
                "previous_id": old.id,
                "is_current": 1,
                "format": old.format,
                "source": old.source,
                "sha256": digest,
                "text": text,
                "length": len(text),
                "words": len(text.split()),
                "meta": {**(old.meta or {}), **(meta or {})},
                "created_at": now(),
            }
            u, k = schema.units, schema.codings
            units = []
            for x in conn.execute(select(u).where(u.c.document_id == old.id)):
                start, end = rewrite.start(x.start), rewrite.end(x.end)
                if start < end:
                    units.append(
                        (x.kind, start, end, _renamed(x.speaker, speakers), x.role, x.meta)
                    )
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
                    "replacements": len(replacements),
                    "codings": len(codings),
                },
            )
            stamp = now()
            insert_rows(
                conn,
                k,
                CODING_COLUMNS,
                [
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
                ],
            )
            new = self._document_from_row(conn, self._document_row(conn, doc_id))
        return new, len(codings)

    def _case_id(
        self, conn: Connection, area_id: int, name: str, attributes: dict[str, Any]
    ) -> int:
        """Find or create a case; new attribute values are merged in (and audited)."""
        t = schema.cases
        row = conn.execute(
            select(t.c.id, t.c.attributes).where(t.c.area_id == area_id, t.c.name == name)
        ).first()
        attributes = {str(k): v for k, v in attributes.items() if v not in (None, "")}
        if row is None:
            case_id = conn.execute(
                t.insert().values(
                    guid=new_guid(),
                    area_id=area_id,
                    name=name,
                    attributes=attributes,
                    created_at=now(),
                )
            ).inserted_primary_key[0]
            audit.record(
                conn,
                actor=self.user,
                action="add",
                object="case",
                object_id=case_id,
                after={"name": name, "attributes": attributes},
            )
            return case_id
        merge_case_attributes(conn, row, attributes, actor=self.user)
        return row.id

    def document(self, ref: DocumentRef) -> Document:
        """A document by object, id, guid or title (a title must be unique across areas)."""
        with self.reading() as conn:
            return self._document_from_row(conn, self._document_row(conn, ref))

    def current_version(self, ref: DocumentRef) -> Document:
        """The newest version of a document (itself when it is current): what a coder who
        opened an older version should be looking at now (after pseudonymisation, say). Given
        a Document, only the check is read (the Coder asks on every key press)."""
        with self.reading() as conn:
            doc = (
                ref
                if isinstance(ref, Document)
                else self._document_from_row(conn, self._document_row(conn, ref))
            )
            newest = _current_document(conn, doc.area, doc.title)
            if newest is None or newest.id == doc.id:
                return doc
            return self._document_from_row(conn, self._document_row(conn, newest.id))

    def documents(self, *, area: str | None = None) -> list[Document]:
        """The current version of every document, optionally of one area, by area and title."""
        with self.reading() as conn:
            query = _documents_select().where(schema.documents.c.is_current == 1)
            if area is not None:
                require_area(conn, area)
                query = query.where(schema.areas.c.name == area)
            rows = conn.execute(query.order_by(schema.areas.c.name, schema.documents.c.title))
            return [self._document_from_row(conn, row) for row in rows]

    def areas(self) -> list[str]:
        """Area names, sorted."""
        with self.reading() as conn:
            return list(
                conn.execute(select(schema.areas.c.name).order_by(schema.areas.c.name)).scalars()
            )

    def ingest(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        area: str,
        text_column: str | None = None,
        max_mb: float | None = None,
        progress: bool = True,
    ) -> IngestReport:
        """Read files and folders into an area; see `qualcode.ingest.ingest`."""
        from qualcode.ingest import ingest

        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        return ingest(
            self,
            [Path(p) for p in paths],
            area=area,
            text_column=text_column,
            max_mb=max_mb,
            progress=progress,
        )

    def _document_row(self, conn: Connection, ref: DocumentRef) -> Row[Any]:
        d = schema.documents
        query = _documents_select()
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
            raise NotFoundError(f"no document with id {getattr(ref, 'id', ref)} in {self.location}")
        return row

    @staticmethod
    def _document_from_row(conn: Connection, row: Row[Any]) -> Document:
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

    # coding ---------------------------------------------------------------------------------

    def code(
        self,
        document: DocumentRef,
        start: int,
        end: int,
        code: Code | int | str,
        *,
        coder: str,
        memo: str | None = None,
    ) -> Coding:
        """Apply `code` to text[start:end] of `document` as `coder`; saved at once."""
        coder = _name(coder, "coder")
        if not (isinstance(start, int) and isinstance(end, int)):
            raise CodingError(f"start and end are character offsets (int), got {start!r}, {end!r}")
        with self.writing() as conn:
            doc_id, length = self._document_span(conn, document)
            if not 0 <= start < end <= length:
                raise CodingError(
                    f"span [{start}:{end}] is not inside document {doc_id} "
                    f"(0 to {length} characters); start must be before end"
                )
            c = self.codebook._resolve(conn, code)
            coder_id = coder_id_for(conn, coder)
            text = conn.execute(
                select(func.substr(schema.documents.c.text, start + 1, end - start)).where(
                    schema.documents.c.id == doc_id
                )
            ).scalar_one()
            return insert_coding(
                conn, doc_id, start, end, c, coder=coder, coder_id=coder_id, memo=memo, text=text
            )

    def uncode(self, coding: CodingRef, *, coder: str | None = None) -> None:
        """Remove a coding. With `coder`, refuse to remove another coder's coding."""
        coding_id = coding.id if isinstance(coding, Coding) else coding
        with self.writing() as conn:
            row = _coding_rows(conn, [schema.codings.c.id == coding_id]).first()
            if row is None:
                raise NotFoundError(f"no coding with id {coding_id}; it may already be removed")
            if coder is not None and row.coder != coder:
                raise CodingError(
                    f"coding {coding_id} belongs to {row.coder}, not {coder}; "
                    "a coder can remove only their own codings"
                )
            delete_codings(conn, [row], actor=coder or self.user)

    # auto-coding by search (qualcode.coding.autocode) -------------------------------------

    def autocode(
        self,
        query: str | None,
        code: Code | int | str,
        *,
        coder: str,
        mode: str = "text",
        expand: str = "match",
        area: str | None = None,
        speaker: str | None = None,
        interviewer: bool = False,
        documents: Iterable[DocumentRef] | None = None,
        max_hits: int | None = None,
        preview: bool = False,
    ) -> Any:
        """Code every hit of `query` in the current documents as `coder`, in one transaction.

        `mode`: "text" (words or a phrase, any case, whole words), "regex" (a Python regular
        expression, as written) or "lemma" (every form of the words: "wait" finds "waited").
        `expand`: code the "match", or the "sentence" or "turn" holding it (one coding per
        unit). `speaker` keeps the turns of one speaker label or role; with no query, every
        such turn is coded. Interviewer turns are left out unless `interviewer=True` or
        `speaker` names them. `preview=True` returns the hits in context as a DataFrame and
        writes nothing; otherwise an `AutocodeResult` (`added` ids, `skipped`, `.undo(p)`).
        Identical codings are never doubled; more than `max_hits` (10,000) hits is an error.
        """
        from qualcode.coding.autocode import autocode

        return autocode(
            self,
            query,
            code,
            coder=coder,
            mode=mode,
            expand=expand,
            area=area,
            speaker=speaker,
            interviewer=interviewer,
            documents=documents,
            max_hits=max_hits,
            preview=preview,
        )

    def uncode_many(self, codings: Iterable[CodingRef], *, coder: str) -> int:
        """Remove many of `coder`'s own codings (an auto-coding's `added`) in one transaction;
        refused, removing nothing, if any belongs to another coder. Returns how many went."""
        from qualcode.coding.autocode import uncode_many

        return uncode_many(self, codings, coder=coder)

    def adjudicate(
        self,
        document: DocumentRef,
        start: int,
        end: int,
        code: Code | int | str,
        *,
        adjudicator: str,
        layer: str = CONSENSUS,
    ) -> Coding:
        """Write a coding into an adjudicated layer (the consensus), as `adjudicator`.

        The layer is a coder of its own (role "adjudicator"), so analysis can use it as the
        final coding; the audit row names the person. An identical coding is not doubled.
        """
        from qualcode.coding.rounds import require_revealed

        adjudicator = _name(adjudicator, "adjudicator")
        with self.writing() as conn:
            doc_id, length = self._document_span(conn, document)
            require_revealed(conn, [doc_id], "adjudicating")
            if not 0 <= start < end <= length:
                raise CodingError(
                    f"span [{start}:{end}] is not inside document {doc_id} (0 to {length})"
                )
            c = self.codebook._resolve(conn, code)
            layer_id = coder_id_for(conn, layer, "adjudicator")
            k = schema.codings
            same = conn.execute(
                select(k.c.id).where(
                    k.c.document_id == doc_id,
                    k.c.start == start,
                    k.c.end == end,
                    k.c.code_id == c.id,
                    k.c.coder_id == layer_id,
                )
            ).scalar_one_or_none()
            if same is None:
                same = insert_coding(
                    conn,
                    doc_id,
                    start,
                    end,
                    c,
                    coder=layer,
                    coder_id=layer_id,
                    memo=None,
                    text="",
                    actor=adjudicator,
                    action="adjudicate",
                ).id
        return self.coding(same)

    def unadjudicate(self, coding: CodingRef, *, adjudicator: str) -> None:
        """Remove a coding from an adjudicated layer, as `adjudicator` (audited)."""
        coding_id = coding.id if isinstance(coding, Coding) else coding
        with self.writing() as conn:
            row = _coding_rows(conn, [schema.codings.c.id == coding_id]).first()
            if row is None:
                raise NotFoundError(f"no coding with id {coding_id}; it may already be removed")
            if row.coder_role != "adjudicator":
                raise CodingError(
                    f"coding {coding_id} is {row.coder}'s own coding, not part of a consensus"
                )
            delete_codings(conn, [row], actor=_name(adjudicator, "adjudicator"))

    def review_suggestion(
        self, suggestion: CodingRef, *, accept: bool, coder: str
    ) -> Coding | None:
        """Accept or reject a machine suggestion (a coding by a `suggest:...` coder).

        Accepting makes the same span and code `coder`'s own coding, with a memo saying where
        it came from; either way the suggestion is removed. One transaction, one audit row
        ("accept" or "reject") naming both, so machine output never passes as human coding.
        """
        coder = _name(coder, "coder")
        if is_suggestion(coder):
            raise CodingError("suggestions are reviewed by a person; give your own coder name")
        suggestion_id = suggestion.id if isinstance(suggestion, Coding) else suggestion
        with self.writing() as conn:
            row = _coding_rows(conn, [schema.codings.c.id == suggestion_id]).first()
            if row is None:
                raise NotFoundError(f"no suggestion with id {suggestion_id}; it may be reviewed")
            if not is_suggestion(row.coder):
                raise CodingError(
                    f"coding {suggestion_id} is {row.coder}'s own coding, not a suggestion"
                )
            accepted = None
            if accept:
                stamp = now()
                values = {
                    "guid": new_guid(),
                    "document_id": row.document_id,
                    "start": row.start,
                    "end": row.end,
                    "code_id": row.code_id,
                    "coder_id": coder_id_for(conn, coder),
                    "memo": f"accepted from {row.coder}" + (f": {row.memo}" if row.memo else ""),
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                accepted = conn.execute(
                    schema.codings.insert().values(**values)
                ).inserted_primary_key[0]
            delete_codings(
                conn,
                [row],
                actor=coder,
                action="accept" if accept else "reject",
                after={"coding": accepted, "coder": coder} if accepted else None,
            )
        if accepted is None:
            return None
        return self.coding(accepted)

    def set_memo(self, coding: CodingRef, memo: str | None, *, coder: str) -> Coding:
        """Write (or clear, with None or "") the memo on one of `coder`'s own codings."""
        coding_id = coding.id if isinstance(coding, Coding) else coding
        memo = (memo or "").strip() or None
        with self.writing() as conn:
            row = _coding_rows(conn, [schema.codings.c.id == coding_id]).first()
            if row is None:
                raise NotFoundError(f"no coding with id {coding_id}; it may have been removed")
            if row.coder != coder:
                raise CodingError(
                    f"coding {coding_id} belongs to {row.coder}, not {coder}; "
                    "a coder can write memos only on their own codings"
                )
            conn.execute(
                schema.codings.update()
                .where(schema.codings.c.id == coding_id)
                .values(memo=memo, updated_at=now())
            )
            audit.record(
                conn,
                actor=coder,
                action="update",
                object="coding",
                object_id=coding_id,
                document_id=row.document_id,
                before={"memo": row.memo},
                after={"memo": memo},
            )
        return self.coding(coding_id)

    def codings(
        self,
        document: DocumentRef | None = None,
        *,
        coder: str | None = None,
        viewer: str | None = None,
    ) -> list[Coding]:
        """Codings as objects, in text order (for DataFrames use `codings_df`). On documents
        of an open blind round only the viewer's (default: `p.user`) own are listed."""
        with self.reading() as conn:
            conditions = self._visible(conn, viewer)
            if document is not None:
                conditions.append(
                    schema.codings.c.document_id == self._document_span(conn, document)[0]
                )
            if coder is not None:
                conditions.append(schema.coders.c.name == coder)
            return self._codings_where(conn, conditions)

    def coding(self, ref: CodingRef) -> Coding:
        """One coding by object or id, read in one query (not by listing its document's)."""
        coding_id = ref.id if isinstance(ref, Coding) else ref
        with self.reading() as conn:
            found = self._codings_where(conn, [schema.codings.c.id == coding_id])
        if not found:
            raise NotFoundError(f"no coding with id {coding_id}; it may have been removed")
        return found[0]

    def _visible(self, conn: Connection, viewer: str | None) -> list[Any]:
        """The condition that keeps a blind round blind for `viewer` (none if no round is open)."""
        from qualcode.coding.rounds import visible_codings

        condition = visible_codings(conn, viewer or self.user)
        return [] if condition is None else [condition]

    def _codings_where(self, conn: Connection, conditions: list[Any]) -> list[Coding]:
        """Codings matching `conditions`, with code paths and texts, in text order."""
        paths = self.codebook._paths(conn)
        texts: dict[int, str] = {}
        result = []
        for row in _coding_rows(conn, conditions):
            if row.document_id not in texts:
                texts[row.document_id] = conn.execute(
                    select(schema.documents.c.text).where(schema.documents.c.id == row.document_id)
                ).scalar_one()
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

    def _document_span(self, conn: Connection, ref: DocumentRef) -> tuple[int, int]:
        """(id, length) of a document, with one small query when given an id."""
        if isinstance(ref, Document):
            return ref.id, len(ref.text)
        if isinstance(ref, int) and not isinstance(ref, bool):
            d = schema.documents
            row = conn.execute(select(d.c.id, d.c.length).where(d.c.id == ref)).first()
            if row is None:
                raise NotFoundError(f"no document with id {ref}; see p.documents_df() for ids")
            return row.id, row.length
        row = self._document_row(conn, ref)
        return row.id, row.length

    # blind rounds (see qualcode.coding.rounds) ----------------------------------------------

    def open_round(
        self,
        name: str,
        *,
        coders: Sequence[str],
        lead: str,
        documents: Sequence[DocumentRef] | None = None,
        area: str | None = None,
        note: str | None = None,
    ) -> Round:
        """Open a blind coding round: until `lead` closes it, each coder sees only their own
        codings of these documents (or of every document in `area`)."""
        from qualcode.coding.rounds import open_round

        return open_round(
            self, name, coders=coders, lead=lead, documents=documents, area=area, note=note
        )

    def close_round(self, name: str, *, lead: str) -> Round:
        """Close a round and reveal its codings; agreement and consensus can then open on it."""
        from qualcode.coding.rounds import close_round

        return close_round(self, name, lead=lead)

    def rounds_df(self) -> pd.DataFrame:
        """Every blind round with its status, lead, coders and dates."""
        from qualcode.coding.rounds import rounds_df

        return rounds_df(self)

    # merging another laptop's work ----------------------------------------------------------

    def merge(
        self,
        other: Project | str | os.PathLike[str],
        *,
        same_coders: Sequence[str] = (),
        rename_coders: dict[str, str] | None = None,
        keep: str | None = None,
        keep_codes: dict[str, str] | None = None,
        new_versions: Sequence[str] = (),
        area: str | None = None,
        dry_run: bool = False,
    ) -> MergeReport:
        """Bring in a project coded elsewhere (a .qualcode file, a .qdpx, a PostgreSQL URL or
        a Project), all or nothing; merging the same work twice adds nothing. Conflicts refuse
        the merge (`MergeConflict`, listing each and the option that settles it):
        `same_coders` / `rename_coders` for a coder name used on both sides, `keep`
        ("ours"/"theirs", or per code path in `keep_codes`) for codes or case attributes that
        differ, `new_versions` (titles) to take their different text as our newest version.
        `area` is where a .qdpx's new documents go. `dry_run` returns the plan and writes
        nothing."""
        from qualcode.interop.merge import merge_project

        return merge_project(
            self,
            other,
            same_coders=same_coders,
            rename_coders=rename_coders,
            keep=keep,
            keep_codes=keep_codes,
            new_versions=new_versions,
            area=area,
            dry_run=dry_run,
        )

    # memos ----------------------------------------------------------------------------------

    def add_memo(
        self,
        text: str,
        *,
        coder: str,
        title: str | None = None,
        document: DocumentRef | None = None,
        code: Code | int | str | None = None,
    ) -> int:
        """Write a memo, the analytic note a coder keeps as they go: on a document, on a code,
        on both, or free (neither). Returns its id; `memo_table` lists memos with what they
        are attached to, and a .qdpx carries them as Notes. The title defaults to the text's
        first line."""
        coder = _name(coder, "coder")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise QualcodeError("a memo needs some text; nothing was written")
        title = (title or "").strip() or " ".join(text.splitlines()[0].split())[:80]
        with self.writing() as conn:
            doc_id = self._document_span(conn, document)[0] if document is not None else None
            code_id = self.codebook._resolve(conn, code).id if code is not None else None
            coder_id = coder_id_for(conn, coder)
            stamp = now()
            memo_id: int = conn.execute(
                schema.memos.insert().values(
                    guid=new_guid(),
                    coder_id=coder_id,
                    title=title[:500],
                    text=text,
                    document_id=doc_id,
                    code_id=code_id,
                    created_at=stamp,
                    updated_at=stamp,
                )
            ).inserted_primary_key[0]
            audit.record(
                conn,
                actor=coder,
                action="add",
                object="memo",
                object_id=memo_id,
                document_id=doc_id,
                after={"title": title, "code_id": code_id},
            )
        return memo_id

    def delete_memo(self, memo: int, *, coder: str) -> None:
        """Remove one of `coder`'s own memos (by id, as `add_memo` and `memo_table` give it)."""
        m, k = schema.memos, schema.coders
        with self.writing() as conn:
            row = conn.execute(
                select(m, k.c.name.label("coder"))
                .join(k, k.c.id == m.c.coder_id)
                .where(m.c.id == memo)
            ).first()
            if row is None:
                raise NotFoundError(f"no memo with id {memo}; it may have been removed")
            if row.coder != coder:
                raise CodingError(
                    f"memo {memo} was written by {row.coder}, not {coder}; "
                    "a coder can remove only their own memos"
                )
            conn.execute(m.delete().where(m.c.id == memo))
            audit.record(
                conn,
                actor=coder,
                action="delete",
                object="memo",
                object_id=memo,
                document_id=row.document_id,
                before={"title": row.title, "text": row.text, "code_id": row.code_id},
            )

    # views ----------------------------------------------------------------------------------

    def documents_df(self, *, area: str | None = None, all_versions: bool = False) -> pd.DataFrame:
        """One row per document: area, case, title, format, version, words, units, codings."""
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            return views.documents_df(conn, area=area, all_versions=all_versions)

    def codes_df(self) -> pd.DataFrame:
        """The codebook as a tree (depth-first), with how often each code is used."""
        with self.reading() as conn:
            return views.codes_df(conn, self.codebook._tree(conn))

    def codings_df(
        self,
        *,
        area: str | None = None,
        coder: str | Sequence[str] | None = None,
        code: Code | int | str | None = None,
        all_versions: bool = False,
        viewer: str | None = None,
    ) -> pd.DataFrame:
        """Every coding with its text, code path, coder, area and case attributes, on the
        current version of each document (`all_versions=True` adds earlier versions'). On
        documents of an open blind round only the viewer's (default: `p.user`) own are listed."""
        coders = [coder] if isinstance(coder, str) else coder
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            code_id = self.codebook._resolve(conn, code).id if code is not None else None
            return views.codings_df(
                conn,
                self.codebook._tree(conn),
                area=area,
                coders=coders,
                code_id=code_id,
                all_versions=all_versions,
                where=self._visible(conn, viewer),
            )

    def units_df(
        self,
        unit: str = "sentence",
        *,
        area: str | None = None,
        document: DocumentRef | None = None,
    ) -> pd.DataFrame:
        """Units of one kind (sentence, turn or paragraph) with their text and speaker."""
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            doc_id = self._document_span(conn, document)[0] if document is not None else None
            return views.units_df(conn, unit, area=area, document_id=doc_id)

    def audit_df(
        self, *, document: DocumentRef | None = None, actor: str | None = None
    ) -> pd.DataFrame:
        """The audit log (who, what, when, before/after), optionally for a document or person."""
        with self.reading() as conn:
            doc_id = self._document_span(conn, document)[0] if document is not None else None
            return views.audit_df(conn, document_id=doc_id, actor=actor)

    def status(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per area: documents, words, units, codings; per area and coder: codings)."""
        with self.reading() as conn:
            return views.status(conn)


# helpers shared by the methods above ------------------------------------------------------------


def is_suggestion(coder: str) -> bool:
    """Machine suggestions belong to coders named `suggest:<model>` (role "model")."""
    return coder.startswith(SUGGESTION_PREFIX)


def coder_role(name: str) -> str:
    """The role a new coder name gets: `suggest:*` coders are models, everyone else a person."""
    return "model" if is_suggestion(name) else "coder"


def coder_id_for(conn: Connection, name: str, role: str | None = None) -> int:
    """The id of a coder, created on first use (with `role`, else `coder_role(name)`). An
    adjudicated layer (role "adjudicator", such as "consensus") is written only through
    `Project.adjudicate`."""
    role = role or coder_role(name)
    t = schema.coders
    found = conn.execute(select(t.c.id, t.c.role).where(t.c.name == name)).first()
    layer = found is not None and found.role == "adjudicator"
    if (layer or (found is None and name == CONSENSUS)) and role != "adjudicator":
        raise CodingError(
            f"{name!r} is an adjudicated layer, not a coder; write it with "
            f"p.adjudicate(..., adjudicator='your name')"
        )
    if found is not None:
        return found.id
    if role not in CODER_ROLES:
        raise QualcodeError(f"coder role {role!r} is not one of {', '.join(CODER_ROLES)}")
    return conn.execute(
        t.insert().values(guid=new_guid(), name=name, role=role, created_at=now())
    ).inserted_primary_key[0]


def delete_codings(
    conn: Connection,
    rows: Sequence[Any],
    *,
    actor: str,
    action: str = "delete",
    after: dict[str, Any] | None = None,
) -> None:
    """Delete codings (rows of `_coding_rows`) with one audit row each saying what went, in
    the caller's transaction: the one way a coding is removed (by its coder, from a consensus,
    a reviewed suggestion, an undone auto-coding)."""
    k = schema.codings
    ids = [row.id for row in rows]
    for chunk in in_chunks(ids):
        conn.execute(k.delete().where(k.c.id.in_(chunk)))
    stamp = now()
    insert_rows(
        conn,
        schema.audit,
        audit.COLUMNS,
        [
            (
                stamp,
                actor,
                action,
                "coding",
                row.id,
                row.document_id,
                {
                    "start": row.start,
                    "end": row.end,
                    "code": row.code_id,
                    "coder": row.coder,
                    "memo": row.memo,
                },
                after,
            )
            for row in rows
        ],
    )


def insert_codings(
    conn: Connection,
    rows: Sequence[tuple[Any, ...]],
    *,
    actor: str,
    after: Callable[[tuple[Any, ...]], dict[str, Any]],
) -> list[int]:
    """Insert many codings (tuples in `CODING_COLUMNS` order) with one audit row each, whose
    `after` is `after(row)`, in the caller's transaction; their ids, in order. The bulk twin
    of `insert_coding` (an auto-coding, a merge)."""
    if not rows:
        return []
    k = schema.codings
    insert_rows(conn, k, CODING_COLUMNS, rows)
    guids = [row[0] for row in rows]
    ids: dict[str, int] = {}
    for chunk in in_chunks(guids):
        ids.update(
            (guid, coding_id)
            for guid, coding_id in conn.execute(select(k.c.guid, k.c.id).where(k.c.guid.in_(chunk)))
        )
    stamp = now()
    insert_rows(
        conn,
        schema.audit,
        audit.COLUMNS,
        [(stamp, actor, "add", "coding", ids[row[0]], row[1], None, after(row)) for row in rows],
    )
    return [ids[guid] for guid in guids]


def insert_coding(
    conn: Connection,
    document_id: int,
    start: int,
    end: int,
    code: Code,
    *,
    coder: str,
    coder_id: int,
    memo: str | None,
    text: str,
    actor: str | None = None,
    action: str = "add",
) -> Coding:
    """Insert one coding (offsets already checked) with its audit row, in the caller's
    transaction: the one way a coding is added (by hand, a model's proposals, or into a
    consensus, where `actor` is the adjudicator and `coder` the layer)."""
    stamp, guid = now(), new_guid()
    coding_id = conn.execute(
        schema.codings.insert().values(
            guid=guid,
            document_id=document_id,
            start=start,
            end=end,
            code_id=code.id,
            coder_id=coder_id,
            memo=memo,
            created_at=stamp,
            updated_at=stamp,
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        actor=actor or coder,
        action=action,
        object="coding",
        object_id=coding_id,
        document_id=document_id,
        after={"start": start, "end": end, "code": code.path, "coder": coder, "memo": memo},
    )
    return Coding(
        id=coding_id,
        guid=guid,
        document_id=document_id,
        start=start,
        end=end,
        code_id=code.id,
        code=code.path,
        coder=coder,
        text=text,
        memo=memo,
        created_at=stamp,
    )


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


def merge_case_attributes(
    conn: Connection, row: Row[Any], attributes: dict[str, Any], *, actor: str
) -> None:
    """Add new attribute values to an existing case (a row with id and attributes), audited;
    nothing happens when they change nothing."""
    merged = {**(row.attributes or {}), **attributes}
    if merged != (row.attributes or {}):
        t = schema.cases
        conn.execute(t.update().where(t.c.id == row.id).values(attributes=merged))
        audit.record(
            conn,
            actor=actor,
            action="update",
            object="case",
            object_id=row.id,
            before={"attributes": row.attributes},
            after={"attributes": merged},
        )


def _renamed(label: str | None, names: dict[str, str] | None) -> str | None:
    """A speaker label with whole-word names replaced (for pseudonymised versions)."""
    for old, new in (names or {}).items():
        if label:
            label = re.sub(rf"\b{re.escape(old)}\b", new, label)
    return label


def _documents_select() -> Any:
    d, a, c = schema.documents, schema.areas, schema.cases
    return (
        select(d, a.c.name.label("area"), c.c.name.label("case"))
        .join(a, a.c.id == d.c.area_id)
        .outerjoin(c, c.c.id == d.c.case_id)
    )


def _current_document(conn: Connection, area: str, title: str) -> Row[Any] | None:
    """Id, version and hash of the current version of a document (not its text)."""
    d, a = schema.documents, schema.areas
    return conn.execute(
        select(d.c.id, d.c.version, d.c.sha256)
        .join(a, a.c.id == d.c.area_id)
        .where(and_(a.c.name == area, d.c.title == title, d.c.is_current == 1))
    ).first()


def _coding_rows(conn: Connection, conditions: list[Any]) -> Any:
    c, k = schema.codings, schema.coders
    query = select(c, k.c.name.label("coder"), k.c.role.label("coder_role")).join(
        k, k.c.id == c.c.coder_id
    )
    for condition in conditions:
        query = query.where(condition)
    return conn.execute(query.order_by(c.c.document_id, c.c.start, c.c.end, c.c.id))


def require_area(conn: Connection, name: str) -> int:
    """The id of an existing area, or a clear error naming the areas there are."""
    t = schema.areas
    found = conn.execute(select(t.c.id).where(t.c.name == name)).scalar_one_or_none()
    if found is None:
        names = ", ".join(conn.execute(select(t.c.name).order_by(t.c.name)).scalars())
        raise NotFoundError(f"no area named {name!r}; the areas are: {names or 'none yet'}")
    return found


def require_coders(conn: Connection, names: Sequence[str]) -> None:
    """Refuse coder names nobody has used (a typo would give an empty table); the consensus
    layer is always a name, empty until someone adjudicates."""
    t = schema.coders
    known = set(conn.execute(select(t.c.name)).scalars())
    if unknown := [n for n in names if n not in known and n != CONSENSUS]:
        raise NotFoundError(
            f"no coder named {', '.join(unknown)} in this project "
            f"(coders: {', '.join(sorted(known)) or 'none yet'})"
        )


def _area_id(conn: Connection, name: str) -> int:
    t = schema.areas
    found = conn.execute(select(t.c.id).where(t.c.name == name)).scalar_one_or_none()
    if found is not None:
        return found
    return conn.execute(
        t.insert().values(name=name, config={}, created_at=now())
    ).inserted_primary_key[0]


def _name(value: object, what: str) -> str:
    """A stripped, non-empty name, or a clear error."""
    if not isinstance(value, str) or not value.strip():
        raise QualcodeError(f"a {what} must be a non-empty text, got {value!r}")
    return value.strip()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
