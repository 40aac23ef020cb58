"""Project: the one object a notebook holds (areas, documents, codebook, coders, codings).

Every change is one transaction with one audit row, written at once: there is no save step,
and a kernel restart loses nothing. Every DataFrame is a view computed from the store.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import views
from qualcode.codebook import Codebook
from qualcode.errors import NotFoundError, QualcodeError, StoreError
from qualcode.ingest.add import add_document
from qualcode.ingest.speakers import SpeakerReport, speaker_report
from qualcode.memos import Memos
from qualcode.model import (
    CONSENSUS,
    Code,
    Coding,
    CodingRef,
    Document,
    DocumentRef,
    Round,
    clean_name,
)
from qualcode.progress import Progress
from qualcode.spans import Rewrite
from qualcode.store import coder_actions as actions
from qualcode.store import coders as coder_store
from qualcode.store import codes as code_store
from qualcode.store import connect, meta, migrate, resolve_url, rounds
from qualcode.store import speakers as speaker_store
from qualcode.store.codings import delete_own_codings
from qualcode.store.documents import (
    current_document,
    document_from_row,
    document_row,
    document_span,
    insert_revision,
)
from qualcode.store.engine import reading, store_label, write_transaction
from qualcode.store.identity import require_area
from qualcode.store.progress import carry_done
from qualcode.views import coders as coder_views
from qualcode.views import objects
from qualcode.views import rounds as round_views

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Connection, Engine

    from qualcode.ingest import IngestReport
    from qualcode.ingest.source import Unit


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


class Project(Progress, Memos):
    """A qualitative coding project stored in SQLite or PostgreSQL (done marks: `Progress`)."""

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
        return store_label(self.engine)

    @property
    def guid(self) -> str:
        """The project's guid (set when the store was made; stable for its life): the key of
        pseudonymous case ids and of the cache folder of a server store."""
        with self.reading() as conn:
            guid = meta.read(conn, "project_guid")
        if guid is None:
            raise StoreError(f"{self.location} has no project guid; it is not a qualcode store")
        return guid

    def close(self) -> None:
        """Release database connections (the store itself is always up to date)."""
        self.engine.dispose()

    # transactions ---------------------------------------------------------------------------

    def reading(self) -> Any:
        """A read-only connection, for passing to `qualcode.views` (features never run SQL)."""
        return reading(self.engine)

    def writing(self, staged: Connection | None = None) -> Any:
        """One write transaction (with the writer lock), for passing to `qualcode.store`
        writers: everything inside lands together with its audit rows, or nothing does.
        Others' writes wait for it; a wait that runs out is a plain StoreError ("the project
        is busy ... press again"). `staged`: a connection from `reading()` that staged rows
        outside the lock (`store.documents.stage_units`), so the lock is held only to copy
        them in."""
        return write_transaction(staged if staged is not None else self.engine)

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
        document, _status = add_document(
            self,
            text,
            area=area,
            title=title,
            case=case,
            attributes=attributes,
            format=format,
            source=source,
            meta=meta,
            turns=turns,
        )
        return document

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
        by = clean_name(by, "reviser")
        with self.writing() as conn:
            old = document_row(conn, document)
            if not old.is_current:
                raise QualcodeError(
                    f"document {old.title!r} version {old.version} is not the current version; "
                    "revise the current one"
                )
            try:
                rewrite = Rewrite(old.text, replacements)
            except ValueError as exc:
                raise QualcodeError(f"document {old.title!r}: {exc}") from exc
            doc_id, carried = insert_revision(
                conn,
                old,
                rewrite,
                by=by,
                meta=meta,
                speakers=speakers,
                replacements=len(replacements),
            )
            carry_done(conn, old.id, doc_id, actor=by)
            new = document_from_row(document_row(conn, doc_id))
        return new, carried

    def document(self, ref: DocumentRef) -> Document:
        """A document by object, id, guid or title (a title must be unique across areas)."""
        with self.reading() as conn:
            return document_from_row(document_row(conn, ref))

    def current_version(self, ref: DocumentRef) -> Document:
        """The newest version of a document (itself when it is current): what a coder who
        opened an older version should be looking at now (after pseudonymisation, say). Given
        a Document, only the check is read (the Coder asks on every key press)."""
        with self.reading() as conn:
            doc = ref if isinstance(ref, Document) else document_from_row(document_row(conn, ref))
            newest = current_document(conn, doc.area, doc.title)
            if newest is None or newest.id == doc.id:
                return doc
            return document_from_row(document_row(conn, newest.id))

    def documents(
        self, *, area: str | None = None, question: str | Sequence[str] | None = None
    ) -> list[Document]:
        """The current version of every document, optionally of one area, or only the
        answers to a questionnaire's `question` (one or several), by area and title."""
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            docs = objects.current_documents(conn, area)
            if question is not None:
                answers = objects.answering(conn, question, area)
                docs = [doc for doc in docs if doc.id in answers]
            return docs

    def areas(self) -> list[str]:
        """Area names, sorted."""
        with self.reading() as conn:
            return objects.area_names(conn)

    def ingest(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        area: str,
        text_column: str | Sequence[str] | None = None,
        max_mb: float | None = None,
        progress: bool = True,
        interviewer: str | None = None,
    ) -> IngestReport:
        """Read files and folders into an area; see `qualcode.ingest.ingest`. `interviewer`
        names the interviewer's speaker label in every transcript (over participants.csv's
        `interviewer` column and over inference); the report lists each file's speakers."""
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
            interviewer=interviewer,
        )

    # speakers (see docs/coding.md, "Speakers and roles") ------------------------------------

    def speakers(self, document: DocumentRef) -> SpeakerReport:
        """A document's speakers with their turns, role and words, the rule that decided the
        roles, and warnings of what looks wrong (as ingest prints them)."""
        with self.reading() as conn:
            doc = document_from_row(document_row(conn, document))
            turns = speaker_store.turn_rows(conn, doc.id)
        return speaker_report(doc.title, doc.text, turns, doc.meta.get("roles"), format=doc.format)

    def rename_speaker(self, document: DocumentRef, old: str, new: str) -> int:
        """Call speaker `old` `new` in a document version (audited); its text, turns' spans
        and codings stay as they are. Returns the number of units re-labelled."""
        with self.writing() as conn:
            return speaker_store.rename_speaker(conn, document, old, new, actor=self.user)

    def set_speaker_role(self, document: DocumentRef, speaker: str, role: str) -> int:
        """Make `speaker` the "interviewer" or a "participant" in a document version
        (audited); its text, turns' spans and codings stay as they are."""
        with self.writing() as conn:
            return speaker_store.set_roles(conn, document, {speaker: role}, actor=self.user)

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
        with self.writing() as conn:
            return actions.code_span(conn, document, start, end, code, coder=coder, memo=memo)

    def uncode(self, coding: CodingRef, *, coder: str | None = None) -> None:
        """Remove a coding. With `coder`, refuse to remove another coder's coding."""
        with self.writing() as conn:
            actions.uncode(conn, _coding_id(coding), coder=coder, actor=self.user)

    def uncode_many(self, codings: Iterable[CodingRef], *, coder: str) -> int:
        """Remove many of `coder`'s own codings (an auto-coding's `added`) in one transaction;
        refused, removing nothing, if any belongs to another coder; ids already removed are
        passed over. Returns how many went."""
        ids = sorted({c.id if isinstance(c, Coding) else c for c in codings})
        with self.writing() as conn:
            coder = coder_store.known_name(conn, clean_name(coder, "coder"))
            return delete_own_codings(conn, ids, coder=coder)

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
        with self.writing() as conn:
            coding_id = actions.adjudicate(
                conn, document, start, end, code, adjudicator=adjudicator, layer=layer
            )
        return self.coding(coding_id)

    def unadjudicate(self, coding: CodingRef, *, adjudicator: str) -> None:
        """Remove a coding from an adjudicated layer, as `adjudicator` (audited)."""
        with self.writing() as conn:
            actions.unadjudicate(conn, _coding_id(coding), adjudicator=adjudicator)

    def review_suggestion(
        self, suggestion: CodingRef, *, accept: bool, coder: str
    ) -> Coding | None:
        """Accept or reject a machine suggestion (a coding by a `suggest:...` coder).

        Accepting makes the same span and code `coder`'s own coding, with a memo saying where
        it came from; either way the suggestion is removed. One transaction, one audit row
        ("accept" or "reject") naming both, so machine output never passes as human coding.
        """
        with self.writing() as conn:
            accepted = actions.review(conn, _coding_id(suggestion), accept=accept, coder=coder)
        return None if accepted is None else self.coding(accepted)

    def set_memo(self, coding: CodingRef, memo: str | None, *, coder: str) -> Coding:
        """Write (or clear, with None or "") the memo on one of `coder`'s own codings."""
        with self.writing() as conn:
            actions.write_memo(conn, _coding_id(coding), memo, coder=coder)
        return self.coding(coding)

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
            return objects.codings(
                conn,
                viewer=viewer or self.user,
                document_id=None if document is None else document_span(conn, document)[0],
                coder=None if coder is None else coder_store.known_name(conn, coder),
            )

    def coding(self, ref: CodingRef) -> Coding:
        """One coding by object or id, read in one query (not by listing its document's)."""
        coding_id = ref.id if isinstance(ref, Coding) else ref
        with self.reading() as conn:
            found = objects.codings(conn, viewer=None, coding_id=coding_id)
        if not found:
            raise NotFoundError(f"no coding with id {coding_id}; it may have been removed")
        return found[0]

    # blind rounds (counts and agreement on a round: qualcode.coding.rounds) -----------------

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
        codings of these documents (or of every current document in `area`)."""
        with self.writing() as conn:
            return rounds.open_round(
                conn, name, coders=coders, lead=lead, documents=documents, area=area, note=note
            )

    def close_round(self, name: str, *, lead: str) -> Round:
        """Close a round and reveal its codings; agreement and consensus can then open on it."""
        with self.writing() as conn:
            return rounds.close_round(conn, name, lead=lead)

    def rounds_df(self) -> pd.DataFrame:
        """Every blind round with its status, lead, coders and dates."""
        with self.reading() as conn:
            return round_views.rounds_df(conn)

    # coders and leads (see docs/coding.md, "Coders and leads") ------------------------------

    def coders_df(self) -> pd.DataFrame:
        """Every coder with role, whether a lead, codings and memos (`qualcode coder list`)."""
        with self.reading() as conn:
            return coder_views.coders_table(conn, coder_store.leads(conn))

    def leads(self) -> list[str]:
        """The project's leads, in the order they were made leads."""
        with self.reading() as conn:
            return coder_store.leads(conn)

    def add_lead(self, name: str, *, by: str) -> list[str]:
        """Make `name` a lead: anyone names the first lead, later only a lead; the leads."""
        with self.writing() as conn:
            return coder_store.add_lead(conn, name, by=by)

    def rename_coder(self, old: str, new: str, *, by: str) -> str:
        """A lead renames a coder (audited); onto another coder's name is a merge, refused."""
        with self.writing() as conn:
            return coder_store.rename_coder(conn, old, new, by=by)

    def merge_coders(self, source: str, *, into: str, by: str) -> dict[str, Any]:
        """A lead folds coder `source` into `into`: codings (identical ones once), memos and
        rounds move, audited; returns what moved."""
        with self.writing() as conn:
            return coder_store.merge_coder(conn, source, into, by=by)

    def restore_code(self, ref: str, *, by: str) -> Code:
        """Bring back a deleted code and its codings from the audit log (`Codebook.restore`)."""
        return self.codebook.restore(ref, by=by)

    # views ----------------------------------------------------------------------------------

    def documents_df(
        self,
        *,
        area: str | None = None,
        all_versions: bool = False,
        question: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per document: area, case, title, question (of a questionnaire answer),
        format, version, words, units, codings and case attributes; with `question`, only
        the answers to it."""
        with self.reading() as conn:
            if area is not None:
                require_area(conn, area)
            if question is not None:
                objects.answering(conn, question, area)  # a mistyped question is an error
            return views.documents_df(conn, area=area, all_versions=all_versions, question=question)

    def codes_df(self) -> pd.DataFrame:
        """The codebook as a tree (depth-first), with how often each code is used."""
        with self.reading() as conn:
            return views.codes_df(conn, code_store.tree(conn))

    def codings_df(
        self,
        *,
        area: str | None = None,
        coder: str | Sequence[str] | None = None,
        code: Code | int | str | None = None,
        all_versions: bool = False,
        viewer: str | None = None,
        question: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Every coding with its text, code path, coder, area, question (of a questionnaire
        answer) and case attributes, on the current version of each document
        (`all_versions=True` adds earlier versions'); with `question`, only the codings of
        its answers. On documents of an open blind round only the viewer's (default:
        `p.user`) own are listed."""
        coders = [coder] if isinstance(coder, str) else coder
        with self.reading() as conn:
            if coders is not None:  # "amina" is "Amina"
                coders = [coder_store.known_name(conn, name) for name in coders]
            if area is not None:
                require_area(conn, area)
            if question is not None:
                objects.answering(conn, question, area)  # a mistyped question is an error
            code_id = code_store.resolve(conn, code).id if code is not None else None
            return views.codings_df(
                conn,
                code_store.tree(conn),
                area=area,
                coders=coders,
                code_id=code_id,
                all_versions=all_versions,
                viewer=viewer or self.user,
                question=question,
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
            doc_id = document_span(conn, document)[0] if document is not None else None
            return views.units_df(conn, unit, area=area, document_id=doc_id)

    def audit_df(
        self, *, document: DocumentRef | None = None, actor: str | None = None
    ) -> pd.DataFrame:
        """The audit log (who, what, when, before/after), optionally for a document or person."""
        with self.reading() as conn:
            doc_id = document_span(conn, document)[0] if document is not None else None
            return views.audit_df(conn, document_id=doc_id, actor=actor)

    def status(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per area: documents, words, units, codings; per area and coder: codings)."""
        with self.reading() as conn:
            return views.status(conn)


# helpers shared by the methods above ------------------------------------------------------------


def _coding_id(coding: CodingRef) -> int:
    return coding.id if isinstance(coding, Coding) else coding


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
