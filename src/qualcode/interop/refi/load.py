"""Writing a read REFI-QDA file into a project, through the store, in one transaction:
everything is written, or nothing is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.interop.refi.errors import RefiError
from qualcode.interop.refi.read import (
    CaseRecord,
    CodeRecord,
    ProjectFile,
    SourceRecord,
    UserRecord,
    read_qdc,
    read_qdpx,
)
from qualcode.interop.refi.xml import MAX_SOURCE_BYTES, MAX_XML_BYTES
from qualcode.model import Code
from qualcode.store import audit, identity, new_guid, now
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import documents as doc_store
from qualcode.store import memos as memo_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project

DEFAULT_AREA = "imported"
UNKNOWN_CODER = "unknown"


@dataclass(frozen=True)
class RefiImportResult:
    """What an import added; `unchanged` counts objects already in the project."""

    coders: int = 0
    codes_added: int = 0
    codes_updated: int = 0
    documents: int = 0
    cases: int = 0
    codings: int = 0
    memos: int = 0
    unchanged: int = 0
    skipped: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (
            f"{self.coders} coders, {self.codes_added} codes added, "
            f"{self.codes_updated} updated, {self.documents} documents, {self.cases} cases, "
            f"{self.codings} codings, {self.memos} memos added; "
            f"{self.unchanged} already in the project"
        )
        if self.skipped:
            text += f"; skipped {len(self.skipped)}: " + "; ".join(self.skipped[:5])
            text += " ..." if len(self.skipped) > 5 else ""
        return text


def import_qdpx(
    path: str | Path,
    project: Project,
    *,
    area: str = DEFAULT_AREA,
    max_xml_bytes: int = MAX_XML_BYTES,
    max_source_bytes: int = MAX_SOURCE_BYTES,
) -> RefiImportResult:
    """Import a `.qdpx` from qualcode or another tool into `area`, all or nothing.

    Coders by GUID (else name), codes by GUID (else path), documents by GUID (the same text
    is reused; different text under a known GUID is refused). Importing a file twice adds
    nothing the second time.
    """
    from qualcode.ingest.add import units_of

    path = Path(path)
    area = _area_name(path, area)
    try:
        data = read_qdpx(path, max_xml_bytes=max_xml_bytes, max_source_bytes=max_source_bytes)
        interviewer = {s: c.attributes.get("interviewer") for c in data.cases for s in c.sources}
        for source in data.sources:  # segmenting is slow: do it before taking the write lock
            source.units = units_of(
                source.text,
                None,
                interviewer=interviewer.get(source.guid) or source.attributes.get("interviewer"),
            )
        with project.writing() as conn:
            result = _Importer(conn, project, path, area).run(data)
    except RefiError as exc:
        raise type(exc)(exc.path, f"{exc.reason}; nothing was imported") from None
    except QualcodeError as exc:
        raise RefiError(path, f"{exc}; nothing was imported") from None
    return result


def import_qdc(
    path: str | Path, project: Project, *, max_xml_bytes: int = MAX_XML_BYTES
) -> RefiImportResult:
    """Add a `.qdc` codebook's codes (by GUID, else path; known ones updated), all or nothing."""
    path = Path(path)
    try:
        codes = read_qdc(path, max_xml_bytes=max_xml_bytes)
        with project.writing() as conn:
            importer = _Importer(conn, project, path, None)
            importer.codes(codes)
            importer.summary()
            return importer.result()
    except RefiError as exc:
        raise type(exc)(exc.path, f"{exc.reason}; nothing was imported") from None
    except QualcodeError as exc:
        raise RefiError(path, f"{exc}; nothing was imported") from None


def _area_name(path: Path, area: str) -> str:
    if not isinstance(area, str) or not area.strip():
        raise RefiError(path, f"an area must be a non-empty name, got {area!r}")
    return area.strip()


class _Importer:
    """Writes one file's contents inside the caller's transaction."""

    def __init__(self, conn: Connection, project: Project, path: Path, area: str | None) -> None:
        self.conn, self.project, self.path, self.area = conn, project, path, area
        self.actor = project.user
        self.counts = dict.fromkeys(
            ("coders", "codes_added", "codes_updated", "documents", "cases", "codings", "memos"), 0
        )
        self.unchanged = 0
        self.skipped: list[str] = []
        self.code_ids: dict[str, int] = {}  # file GUID -> code id
        self.coder_ids: dict[str, int] = {}  # file GUID -> coder id
        self.doc_ids: dict[str, int] = {}  # file GUID -> document id
        self.coded: set[tuple[int, int, int, int, int]] = set()  # codings this file added
        self.project_codes: dict[str, int] | None = None  # the project's codes by GUID
        self.paths: dict[int, str] | None = None  # code id -> path, once codes are in

    def result(self) -> RefiImportResult:
        return RefiImportResult(
            **self.counts, unchanged=self.unchanged, skipped=tuple(self.skipped)
        )

    def summary(self) -> None:
        audit.record(
            self.conn,
            actor=self.actor,
            action="import",
            object="refi",
            object_id=None,
            after={"file": str(self.path), "area": self.area, **self.counts},
        )

    def run(self, data: ProjectFile) -> RefiImportResult:
        self.skipped += data.skipped
        self.users(data.users)
        self.codes(data.codes)
        self.sources(data)
        self.notes(data)
        self.summary()
        return self.result()

    # coders ----------------------------------------------------------------------------------

    def users(self, users: list[UserRecord]) -> None:
        """Users become coders; `suggest:*` ones are models, and "consensus" (the name our
        exports give the adjudicated layer; REFI-QDA has no roles) is that layer again."""
        from qualcode.model import CONSENSUS, coder_role

        for user in users:
            found = identity.find_coder(self.conn, guid=user.guid, name=user.name)
            if found is not None:
                self.coder_ids[user.guid] = found
                self.unchanged += 1
            else:
                role = "adjudicator" if user.name == CONSENSUS else coder_role(user.name)
                self.coder_ids[user.guid] = identity.coder_id_for(
                    self.conn, user.name, role, guid=user.guid
                )
                self.counts["coders"] += 1

    def coder(self, guid: str | None) -> int:
        """The coder for a creatingUser GUID; unknown or missing users become 'unknown'."""
        if guid is not None and guid in self.coder_ids:
            return self.coder_ids[guid]
        if guid is not None:
            found = identity.find_coder(self.conn, guid=guid)
            if found is not None:
                self.coder_ids[guid] = found
                return found
        return identity.coder_id_for(self.conn, UNKNOWN_CODER)

    # codes -----------------------------------------------------------------------------------

    def codes(self, codes: list[CodeRecord]) -> None:
        """The file's codes: known ones (by GUID, else name under the same parent) updated
        where the file says otherwise, new ones added under their parent."""
        rows = code_store.tree(self.conn)
        known = {r.guid.lower(): r for r in rows}
        siblings: dict[int | None, dict[str, Code]] = {}
        for r in rows:
            siblings.setdefault(r.parent_id, {})[r.name.casefold()] = r
        total = len(rows)

        def visit(code: CodeRecord, parent_id: int | None) -> None:
            nonlocal total
            row = known.get(code.guid) or siblings.get(parent_id, {}).get(code.name.casefold())
            if row is not None:
                self.code_ids[code.guid] = code_id = row.id
                self.update_code(row, code)
            else:
                taken = siblings.setdefault(parent_id, {})
                code_id = self.add_code(code, parent_id, len(taken), total)
                row = code_store.resolve(self.conn, code_id)
                taken[row.name.casefold()] = known[code.guid] = row
                self.code_ids[code.guid] = code_id
                total += 1
            for child in code.children:
                visit(child, code_id)

        for code in codes:
            visit(code, None)

    def update_code(self, row: Code, code: CodeRecord) -> None:
        """A known code takes the file's description, criteria and colour where they differ."""
        from qualcode.model import check_color

        changes = {k: v or "" for k, v in code.fields.items() if (getattr(row, k) or "") != v}
        if code.color and code.color != row.color:
            changes["color"] = check_color(code.color)
        if changes:
            code_store.update_code(self.conn, row.id, changes, actor=self.actor)
            self.counts["codes_updated"] += 1
        else:
            self.unchanged += 1

    def add_code(self, code: CodeRecord, parent_id: int | None, position: int, total: int) -> int:
        """A new code at `position` among its siblings; without a colour, the palette's next."""
        from qualcode.model import PALETTE, check_code_name, check_color

        stamp = now()
        values = {
            "guid": code.guid,
            "parent_id": parent_id,
            "name": check_code_name(code.name),
            "color": check_color(code.color) if code.color else PALETTE[total % len(PALETTE)],
            "shortcut": None,
            **code.fields,
            "position": position,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.counts["codes_added"] += 1
        after = {k: v for k, v in values.items() if k not in ("created_at", "updated_at")}
        return code_store.insert_code(self.conn, values, actor=self.actor, after=after)

    def code(self, guid: str, source: str) -> int:
        """The code a coding refers to: from the file's codebook, else the project's."""
        if guid in self.code_ids:
            return self.code_ids[guid]
        if self.project_codes is None:
            self.project_codes = {c.guid: c.id for c in code_store.tree(self.conn)}
        found = self.project_codes.get(guid)
        if found is None:
            raise RefiError(
                self.path,
                f"a coding in source {source!r} refers to code {guid}, which is neither in the "
                "file's codebook nor in this project's",
            )
        self.code_ids[guid] = found
        return found

    # documents, cases, codings ---------------------------------------------------------------

    def sources(self, data: ProjectFile) -> None:
        area_id = identity.area_id_for(self.conn, self.area or DEFAULT_AREA)
        titles = doc_store.area_titles(self.conn, area_id)
        case_of = {s: case for case in data.cases for s in case.sources}
        case_ids: dict[str, int] = {}

        def file_case(case: CaseRecord) -> int:
            """A file's case, found or made when its first new document needs it."""
            if case.guid not in case_ids:
                case_ids[case.guid] = self.case(area_id, case.guid, case.name, case.attributes)
            return case_ids[case.guid]

        for case in data.cases:  # cases without sources are kept too, once
            if not case.sources and identity.find_case(self.conn, None, guid=case.guid) is None:
                file_case(case)
        stored = coding_store.coding_guids(self.conn)
        fresh: set[str] = set()
        for source in data.sources:
            digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
            existing = doc_store.document_by_guid(self.conn, source.guid)
            if existing is not None:
                if existing.sha256 != digest:
                    raise RefiError(
                        self.path,
                        f"source {source.name!r} has the GUID of document {existing.title!r} "
                        "in this project, but different text; import it into a new project",
                    )
                doc_id = existing.id
                self.unchanged += 1
            else:
                title = _free_title(source.name, titles)
                titles.add(title)
                case = case_of.get(source.guid)
                if case is not None:
                    case_id = file_case(case)
                    if source.attributes:
                        self.case(area_id, case.guid, case.name, source.attributes)
                else:  # one interview, one participant, as Project.add_document assumes
                    case_id = self.case(area_id, None, title, source.attributes)
                doc_id = self.document(source, area_id, case_id, title, digest)
            self.doc_ids[source.guid] = doc_id
            self.codings(source, doc_id, stored, fresh)

    def case(self, area_id: int, guid: str | None, name: str, attributes: dict[str, str]) -> int:
        """Find (by GUID, else area and name) or create a case; new attributes are merged."""
        row = identity.find_case(self.conn, area_id, guid=guid, name=name)
        if row is None:
            self.counts["cases"] += 1
            return identity.insert_case(
                self.conn,
                area_id=area_id,
                name=name,
                attributes=attributes,
                actor=self.actor,
                guid=identity.free_guid(self.conn, "cases", guid) if guid else None,
            )
        identity.merge_case_attributes(self.conn, row, attributes, actor=self.actor)
        return int(row.id)

    def document(
        self, source: SourceRecord, area_id: int, case_id: int, title: str, digest: str
    ) -> int:
        values = doc_store.document_values(
            area_id=area_id,
            case_id=case_id,
            title=title,
            text=source.text,
            sha256=digest,
            format="txt",
            source=f"{self.path.name}!{source.name}",
            meta={"refi_name": source.name} if source.name != title else {},
            previous=None,
        )
        values |= {"guid": source.guid, "created_at": source.created or values["created_at"]}
        doc_id = doc_store.insert_document(
            self.conn,
            values,
            source.units or [],
            actor=self.actor,
        )
        self.counts["documents"] += 1
        return doc_id

    def codings(self, source: SourceRecord, doc_id: int, stored: set[str], fresh: set[str]) -> None:
        """Selections become codings; a coding already in the project (same GUID) is kept."""
        rows: list[tuple[Any, ...]] = []
        for sel in source.selections:
            if not sel.codings:
                continue
            if sel.start == sel.end:
                self.skipped.append(f"an empty selection at {sel.start} in {source.name!r}")
                continue
            for coding in sel.codings:
                code_id = self.code(coding.code, source.name)
                if coding.guid in stored:
                    self.unchanged += 1
                    continue
                coder_id = self.coder(coding.user or sel.user)
                key = (doc_id, sel.start, sel.end, code_id, coder_id)
                if key in self.coded:  # the same coding twice in the file: added once
                    self.skipped.append(
                        f"a repeated coding at {sel.start}-{sel.end} in {source.name!r}"
                    )
                    continue
                self.coded.add(key)
                if coding.guid in fresh:  # the file used one GUID twice
                    coding.guid = new_guid()
                fresh.add(coding.guid)
                created = coding.created or sel.created or now()
                modified = sel.modified or created
                row = (coding.guid, doc_id, sel.start, sel.end, code_id, coder_id, sel.memo)
                rows.append((*row, created, modified))
        if not rows:
            return
        if self.paths is None:
            self.paths = code_store.paths(self.conn)
        paths = self.paths
        coding_store.insert_codings(
            self.conn,
            rows,
            actor=self.actor,
            after=lambda r: {
                "start": r[2],
                "end": r[3],
                "code": paths[r[4]],
                "coder_id": r[5],
                "memo": r[6],
            },
        )
        self.counts["codings"] += len(rows)

    # memos -----------------------------------------------------------------------------------

    def notes(self, data: ProjectFile) -> None:
        """Notes become memos, on the document or code that refers to them, else free."""
        doc_of: dict[str, int] = {}
        for source in data.sources:
            refs = source.notes + [n for sel in source.selections for n in sel.notes]
            for note in refs:
                doc_of.setdefault(note, self.doc_ids[source.guid])
        code_of: dict[str, int] = {}

        def walk(code: CodeRecord) -> None:
            for note in code.notes:
                code_of.setdefault(note, self.code_ids[code.guid])
            for child in code.children:
                walk(child)

        for code in data.codes:
            walk(code)
        for note in data.notes:
            if memo_store.memo_by_guid(self.conn, note.guid) is not None:
                self.unchanged += 1
                continue
            created = note.created or now()
            values = {
                "guid": note.guid,
                "coder_id": self.coder(note.user),
                "title": note.name[:500],
                "text": note.text,
                "document_id": doc_of.get(note.guid),
                "code_id": code_of.get(note.guid),
                "created_at": created,
                "updated_at": note.modified or created,
            }
            memo_store.insert_memo(self.conn, values, actor=self.actor)
            self.counts["memos"] += 1


def _free_title(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, ...: two sources may share a name, two documents of an area not."""
    name = name[:480]
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"
