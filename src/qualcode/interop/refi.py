"""REFI-QDA exchange: projects as `.qdpx` and codebooks as `.qdc` (QDA-XML 1.0, 2019).

Evaluators move projects between qualcode and NVivo, ATLAS.ti, MAXQDA and QualCoder. A `.qdpx`
is a zip holding `project.qde` (XML, `urn:QDA-XML:project:1.0`) and `sources/<GUID>.txt`, the
plain text of each text source; a `.qdc` is the codebook alone (`urn:QDA-XML:codebook:1.0`).

Offsets: a `PlainTextSelection` covers characters `startPosition` up to, not including,
`endPosition` of its source's plain text, counted in Unicode code points from 0. That is
exactly a qualcode coding's `start`/`end`, so our own files need no conversion; text from
other tools is normalised (NFC, `\\n` line ends, no BOM) and its offsets are mapped with it.

Export is deterministic (sorted elements, fixed zip timestamps, the store's GUIDs and times),
so export -> import into an empty project -> export gives the same bytes.

Import never trusts the file: no DTDs or entities (defusedxml), no zip member outside the
archive's own folder, sizes and compression ratios checked before anything is read, every
reference checked; then everything is written in one transaction, or nothing is.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from qualcode.errors import QualcodeError
from qualcode.files import atomic_path
from qualcode.model import Code
from qualcode.store import audit, identity, new_guid, now
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import documents as doc_store
from qualcode.store import memos as memo_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.ingest.source import Unit
    from qualcode.project import Project

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
# the standard's schemas, shipped in the package (see refi_qda/README.md)
SCHEMA_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
MB = 1024 * 1024
MAX_XML_BYTES = 100 * MB  # project.qde or .qdc; real projects of 300 interviews are ~20 MB
MAX_SOURCE_BYTES = 50 * MB  # one source text, as ingest's default limit for one file
MAX_TOTAL_BYTES = 2048 * MB  # everything read from one .qdpx
MAX_RATIO = 200  # uncompressed/compressed; text deflates ~3-10x, XML ~10-30x, bombs ~1000x
MAX_MEMBERS = 100_000
DEFAULT_AREA = "imported"
UNKNOWN_CODER = "unknown"

# GUIDs derived from our own ids (selections, variables), the same on every export
_DERIVED = uuid.UUID("6f1c0f4e-5b0a-4d59-9a51-2f7f3f0c9e11")
_GUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# characters XML 1.0 cannot carry; replaced so a stray control character never breaks a file
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# code criteria folded into REFI's single Description, in this order, each after a blank line
_CRITERIA = (
    ("inclusion", "Inclusion criteria:"),
    ("exclusion", "Exclusion criteria:"),
    ("example", "Example:"),
)


def schema_file(kind: str) -> Traversable:
    """The REFI-QDA XSD for "project" (`.qdpx`) or "codebook" (`.qdc`), as shipped with
    qualcode, so what we write can be checked against the standard with no download."""
    if kind not in SCHEMA_FILES:
        raise ValueError(f"a REFI-QDA schema is one of {', '.join(SCHEMA_FILES)}, not {kind!r}")
    return importlib.resources.files("qualcode.interop").joinpath("refi_qda", SCHEMA_FILES[kind])


class RefiError(QualcodeError):
    """A REFI-QDA file cannot be read or written as asked."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsafeRefiFile(RefiError):
    """A REFI-QDA file was refused because reading it could harm the machine or the project."""


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


# =============================================================================================
# export
# =============================================================================================


def export_qdpx(
    project: Project,
    path: str | Path,
    *,
    area: str | None = None,
    name: str | None = None,
    only_pseudonymised: bool = False,
) -> Path:
    """Write the project (or one area) as a REFI-QDA `.qdpx`, atomically.

    Current document versions only, with their codings, coders, cases (attributes become
    Text variables) and memos (Notes). `name` is the project name inside the file (default:
    the file's stem). With `only_pseudonymised`, refuse unless every document is pseudonymised,
    leave memos and coding memos out (coders' own words, not scanned for personal data), and
    name cases and documents by pseudonymous case id (as the quote table does), since titles
    and case names are often people's names.
    """
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise RefiError(path, "a REFI-QDA project file ends in .qdpx")
    if only_pseudonymised:
        from qualcode.privacy import require_pseudonymised

        require_pseudonymised(project, area=area)
    with project.reading() as conn:
        data = _collect(conn, project, area)
    if only_pseudonymised:  # memos are coders' own words, never scanned: they stay home
        data.memos, data.with_memos = [], False
        data.names = _pseudonymous_names(data, project.guid)
    root = _project_element(data, name or path.stem)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        _add_member(zf, "project.qde", _serialise(root, NS_PROJECT))
        for doc in data.documents:
            _add_member(zf, f"sources/{_guid_out(doc.guid)}.txt", doc.text.encode("utf-8"))
    return path


def export_qdc(project: Project, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA `.qdc` (codes, colours, descriptions), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        raise RefiError(path, "a REFI-QDA codebook file ends in .qdc")
    codes = project.codebook.all()
    if not codes:
        raise RefiError(path, "the codebook is empty, and a .qdc needs at least one code")
    root = ET.Element(_tag(NS_CODEBOOK, "CodeBook"), {"origin": _origin()})
    holder = ET.SubElement(root, _tag(NS_CODEBOOK, "Codes"))
    _code_elements(holder, NS_CODEBOOK, codes, None, {})
    with atomic_path(path) as tmp:
        tmp.write_bytes(_serialise(root, NS_CODEBOOK))
    return path


@dataclass
class _Export:
    """Everything one export writes, read in one transaction."""

    codes: list[Code]
    coders: dict[int, tuple[str, str]]  # id -> (guid, name)
    documents: list[Any]
    codings: dict[int, list[Any]]  # document id -> rows
    cases: list[Any]
    memos: list[Any]
    with_memos: bool = True  # coding memos as Descriptions (not in pseudonymised exports)
    names: dict[tuple[str, int], str] = field(default_factory=dict)  # ("case"|"document", id)


def _pseudonymous_names(data: _Export, guid: str) -> dict[tuple[str, int], str]:
    """Cases and documents named by their pseudonymous case id (`HAR-3F9A1C`), a case's
    second document `HAR-3F9A1C (2)`: the same ids the quote table and matrices use."""
    from qualcode.analysis.selection import pseudonym

    case_names = {case.id: case.name for case in data.cases}
    names: dict[tuple[str, int], str] = {}
    seen: dict[str, int] = {}
    for doc in data.documents:
        case_id = pseudonym(guid, doc.area, case_names.get(doc.case_id, doc.title))
        if doc.case_id is not None:
            names["case", doc.case_id] = case_id
        seen[case_id] = seen.get(case_id, 0) + 1
        names["document", doc.id] = case_id + (f" ({seen[case_id]})" if seen[case_id] > 1 else "")
    return names


def _collect(conn: Connection, project: Project, area: str | None) -> _Export:
    """Everything the export writes, as the project's user may see it."""
    from qualcode.store.identity import require_area
    from qualcode.views import refi as refi_view

    if area is not None:
        require_area(conn, area)
    documents = refi_view.current_documents(conn, area)
    codings = refi_view.visible_codings(conn, area, project.user)
    memos = refi_view.memos(conn, {r.id for r in documents}, area)
    used = {r.coder_id for rows in codings.values() for r in rows} | {r.coder_id for r in memos}
    return _Export(
        codes=code_store.tree(conn),
        coders=refi_view.coders(conn, used),
        documents=documents,
        codings=codings,
        cases=refi_view.cases(conn, {r.case_id for r in documents if r.case_id is not None}),
        memos=memos,
    )


def _project_element(data: _Export, name: str) -> ET.Element:
    """The `<Project>` tree, children in the order Project-mrt2019.xsd requires."""
    ns = NS_PROJECT
    root = ET.Element(_tag(ns, "Project"), {"name": _xml(name), "origin": _origin()})
    if data.coders:
        users = ET.SubElement(root, _tag(ns, "Users"))
        for guid, coder in sorted(data.coders.values(), key=lambda g: (g[1], g[0])):
            ET.SubElement(users, _tag(ns, "User"), {"guid": _guid_out(guid), "name": _xml(coder)})
    notes_of: dict[tuple[str, int], list[str]] = {}
    for memo in data.memos:
        if memo.document_id is not None:
            notes_of.setdefault(("document", memo.document_id), []).append(memo.guid)
        if memo.code_id is not None:
            notes_of.setdefault(("code", memo.code_id), []).append(memo.guid)
    if data.codes:
        book = ET.SubElement(root, _tag(ns, "CodeBook"))
        holder = ET.SubElement(book, _tag(ns, "Codes"))
        code_notes = {key[1]: v for key, v in notes_of.items() if key[0] == "code"}
        _code_elements(holder, ns, data.codes, None, code_notes)
    variables = sorted({str(k) for case in data.cases for k in (case.attributes or {})})
    if variables:
        holder = ET.SubElement(root, _tag(ns, "Variables"))
        for var in variables:
            ET.SubElement(
                holder,
                _tag(ns, "Variable"),
                {"guid": _derived("variable", var), "name": _xml(var), "typeOfVariable": "Text"},
            )
    if data.cases:
        holder = ET.SubElement(root, _tag(ns, "Cases"))
        for case in data.cases:
            name = data.names.get(("case", case.id), case.name)
            el = ET.SubElement(
                holder, _tag(ns, "Case"), {"guid": _guid_out(case.guid), "name": _xml(name)}
            )
            attributes = {str(k): v for k, v in (case.attributes or {}).items()}
            for var in sorted(attributes):
                value = ET.SubElement(el, _tag(ns, "VariableValue"))
                ET.SubElement(
                    value, _tag(ns, "VariableRef"), {"targetGUID": _derived("variable", var)}
                )
                ET.SubElement(value, _tag(ns, "TextValue")).text = _xml(str(attributes[var]))
            for doc in data.documents:
                if doc.case_id == case.id:
                    ET.SubElement(el, _tag(ns, "SourceRef"), {"targetGUID": _guid_out(doc.guid)})
    if data.documents:
        holder = ET.SubElement(root, _tag(ns, "Sources"))
        for doc in data.documents:
            _source_element(holder, doc, data, notes_of.get(("document", doc.id), []))
    if data.memos:
        holder = ET.SubElement(root, _tag(ns, "Notes"))
        for memo in data.memos:
            attrs = {"guid": _guid_out(memo.guid), "name": _xml(memo.title)}
            if memo.coder_id in data.coders:
                attrs["creatingUser"] = _guid_out(data.coders[memo.coder_id][0])
            _stamp(attrs, "creationDateTime", memo.created_at)
            _stamp(attrs, "modifiedDateTime", memo.updated_at)
            note = ET.SubElement(holder, _tag(ns, "Note"), attrs)
            ET.SubElement(note, _tag(ns, "PlainTextContent")).text = _xml(memo.text)
    for memo in data.memos:
        if memo.document_id is None and memo.code_id is None:
            ET.SubElement(root, _tag(ns, "NoteRef"), {"targetGUID": _guid_out(memo.guid)})
    return root


def _source_element(holder: ET.Element, doc: Any, data: _Export, notes: list[str]) -> None:
    ns = NS_PROJECT
    guid = _guid_out(doc.guid)
    name = data.names.get(("document", doc.id), doc.title)
    attrs = {"guid": guid, "name": _xml(name), "plainTextPath": f"internal://{guid}.txt"}
    _stamp(attrs, "creationDateTime", doc.created_at)
    source = ET.SubElement(holder, _tag(ns, "TextSource"), attrs)
    rows = sorted(data.codings.get(doc.id, []), key=lambda r: (r.start, r.end, r.guid))
    code_guids = {c.id: c.guid for c in data.codes}
    for row in rows:
        user = _guid_out(data.coders[row.coder_id][0])
        attrs = {
            "guid": _derived("selection", row.guid.lower()),
            "startPosition": str(row.start),
            "endPosition": str(row.end),
            "creatingUser": user,
        }
        _stamp(attrs, "creationDateTime", row.created_at)
        _stamp(attrs, "modifiedDateTime", row.updated_at)
        selection = ET.SubElement(source, _tag(ns, "PlainTextSelection"), attrs)
        if row.memo and data.with_memos:
            ET.SubElement(selection, _tag(ns, "Description")).text = _xml(row.memo)
        attrs = {"guid": _guid_out(row.guid), "creatingUser": user}
        _stamp(attrs, "creationDateTime", row.created_at)
        coding = ET.SubElement(selection, _tag(ns, "Coding"), attrs)
        ET.SubElement(
            coding, _tag(ns, "CodeRef"), {"targetGUID": _guid_out(code_guids[row.code_id])}
        )
    for note in notes:
        ET.SubElement(source, _tag(ns, "NoteRef"), {"targetGUID": _guid_out(note)})


def _code_elements(
    holder: ET.Element,
    ns: str,
    codes: list[Code],
    parent_id: int | None,
    notes: dict[int, list[str]],
) -> None:
    """Codes under `parent_id`, nested, in codebook order (Description, NoteRef, Code)."""
    for code in codes:
        if code.parent_id != parent_id:
            continue
        attrs = {"guid": _guid_out(code.guid), "name": _xml(code.name), "isCodable": "true"}
        if code.color and _COLOR.match(code.color):
            attrs["color"] = code.color.upper()
        el = ET.SubElement(holder, _tag(ns, "Code"), attrs)
        description = fold_description(code)
        if description:
            ET.SubElement(el, _tag(ns, "Description")).text = _xml(description)
        for note in notes.get(code.id, []):
            ET.SubElement(el, _tag(ns, "NoteRef"), {"targetGUID": _guid_out(note)})
        _code_elements(el, ns, codes, code.id, notes)


def fold_description(code: Any) -> str:
    """A code's description and criteria as one readable text, for REFI's one Description."""
    parts = [code.description] if code.description else []
    for key, label in _CRITERIA:
        value = getattr(code, key, "") or ""
        if value:
            parts.append(f"{label}\n{value}")
    return "\n\n".join(parts)


def unfold_description(text: str) -> dict[str, str]:
    """Split a Description written by `fold_description` back into our four fields.

    Text from other tools has no markers and becomes the description whole.
    """
    fields = {"description": text, "inclusion": "", "exclusion": "", "example": ""}
    labels = "|".join(re.escape(label) for _, label in _CRITERIA)
    marks = list(re.finditer(rf"(?:^|\n\n)({labels})\n", text))
    order = [label for _, label in _CRITERIA]
    found = [m for m in marks if m.group(1) in order]
    # markers must appear in our order, each at most once, or the text is not ours
    if not found or [order.index(m.group(1)) for m in found] != sorted(
        {order.index(m.group(1)) for m in found}
    ):
        return fields
    fields["description"] = text[: found[0].start()]
    for i, mark in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        key = _CRITERIA[order.index(mark.group(1))][0]
        fields[key] = text[mark.end() : end]
    return fields


def _add_member(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """A zip member with a fixed timestamp and mode, so the same project gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # as on Unix, whichever system writes it
    zf.writestr(info, data)


def _serialise(root: ET.Element, ns: str) -> bytes:
    ET.indent(root, space="  ")
    root.attrib = {"xmlns": ns, **root.attrib}  # ET's default_namespace rejects plain attributes
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _tag(ns: str, name: str) -> str:
    """Tags are written bare; `_serialise` declares `ns` as the default namespace."""
    return name


def _origin() -> str:
    from qualcode import __version__

    return f"qualcode {__version__}"


def _guid_out(guid: str) -> str:
    """GUIDs are written in upper case, as NVivo and MAXQDA write them (the XSD allows both)."""
    return guid.strip("{}").upper()


def _derived(kind: str, key: str) -> str:
    """A GUID for something qualcode has no id for, stable across exports."""
    return str(uuid.uuid5(_DERIVED, f"{kind}:{key}")).upper()


def _stamp(attrs: dict[str, str], key: str, value: str | None) -> None:
    if value and _DATETIME.match(value):
        attrs[key] = value


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


# =============================================================================================
# import: reading and checking (nothing is written here)
# =============================================================================================


@dataclass
class _User:
    guid: str
    name: str


@dataclass
class _Code:
    guid: str
    name: str
    color: str | None
    fields: dict[str, str]
    children: list[_Code] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Coding:
    guid: str
    code: str
    user: str | None
    created: str | None


@dataclass
class _Selection:
    start: int
    end: int
    memo: str | None
    user: str | None
    created: str | None
    modified: str | None
    codings: list[_Coding]
    notes: list[str]


@dataclass
class _Source:
    guid: str
    name: str
    text: str
    created: str | None
    selections: list[_Selection]
    attributes: dict[str, str]
    notes: list[str]
    units: list[Unit] | None = None


@dataclass
class _Case:
    guid: str
    name: str
    attributes: dict[str, str]
    sources: list[str]


@dataclass
class _Note:
    guid: str
    name: str
    text: str
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class _ProjectFile:
    users: list[_User] = field(default_factory=list)
    codes: list[_Code] = field(default_factory=list)
    cases: list[_Case] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_qdpx(
    path: str | Path,
    *,
    max_xml_bytes: int = MAX_XML_BYTES,
    max_source_bytes: int = MAX_SOURCE_BYTES,
) -> _ProjectFile:
    """Read and check a `.qdpx` without touching any project (for tests and previews)."""
    path = Path(path)
    archive = _SafeZip(path, max_xml_bytes=max_xml_bytes, max_source_bytes=max_source_bytes)
    try:
        qde = archive.project_member()
        root = _parse(path, archive.read(qde, max_xml_bytes), "Project", "project")
        return _read_project(path, root, archive)
    finally:
        archive.close()


def read_qdc(path: str | Path, *, max_xml_bytes: int = MAX_XML_BYTES) -> list[_Code]:
    """Read and check a `.qdc` codebook without touching any project."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RefiError(path, "no such file") from None
    _check_size(path, "the codebook", size, max_xml_bytes)
    root = _parse(path, path.read_bytes(), "CodeBook", "codebook")
    codes = _one(root, "Codes")
    return [_read_code(path, el) for el in _kids(codes, "Code")] if codes is not None else []


class _SafeZip:
    """A `.qdpx` opened for reading members into memory, never onto disk."""

    def __init__(self, path: Path, *, max_xml_bytes: int, max_source_bytes: int) -> None:
        self.path = path
        self.max_source_bytes = max_source_bytes
        self.total = 0
        if not path.is_file():
            raise RefiError(path, "no such file")
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise RefiError(path, f"is not a readable .qdpx (zip) file ({exc})") from None
        if len(infos) > MAX_MEMBERS:
            self.zf.close()
            raise UnsafeRefiFile(path, f"holds {len(infos)} files, over {MAX_MEMBERS}")
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.replace("\\", "/")
            if _unsafe_name(name):
                self.zf.close()
                raise UnsafeRefiFile(
                    path,
                    f"holds a file named {info.filename!r}, which points outside the archive "
                    "(a 'zip slip'); it was refused unread",
                )
            self.members[name.casefold()] = info

    def close(self) -> None:
        self.zf.close()

    def project_member(self) -> zipfile.ZipInfo:
        found = self.members.get("project.qde")
        if found is None:  # some tools name it after the project
            top = [i for n, i in self.members.items() if n.endswith(".qde") and "/" not in n]
            found = top[0] if len(top) == 1 else None
        if found is None:
            raise RefiError(self.path, "holds no project.qde, so it is not a REFI-QDA project")
        return found

    def source_member(self, reference: str) -> zipfile.ZipInfo | None:
        name = reference.replace("\\", "/").lstrip("/").casefold()
        if _unsafe_name(name):
            raise UnsafeRefiFile(
                self.path, f"a source names the file {reference!r}, outside the archive"
            )
        return self.members.get(f"sources/{name}") or self.members.get(name)

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """A member's bytes, refusing it before reading if it is too big or too compressed."""
        what = info.filename
        _check_size(self.path, what, info.file_size, limit)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > MAX_RATIO:
            raise UnsafeRefiFile(
                self.path,
                f"{what} would expand {ratio:.0f} times (to {info.file_size / MB:.0f} MB); "
                f"that looks like a zip bomb (limit {MAX_RATIO} times)",
            )
        if self.total + info.file_size > MAX_TOTAL_BYTES:
            raise UnsafeRefiFile(self.path, f"expands to over {MAX_TOTAL_BYTES // MB} MB in all")
        chunks, size = [], 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(MB):
                    size += len(chunk)
                    if size > limit:  # the header lied about the size
                        raise UnsafeRefiFile(self.path, f"{what} is larger than its header says")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise RefiError(self.path, f"{what} is damaged ({exc})") from None
        except RuntimeError as exc:  # encrypted members
            raise RefiError(self.path, f"{what} cannot be read ({exc})") from None
        self.total += size
        return b"".join(chunks)


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith("/")
        or bool(re.match(r"^[A-Za-z]:", name))
        or ".." in parts
        or "\x00" in name
    )


def _check_size(path: Path, what: str, size: int, limit: int) -> None:
    if size > limit:
        raise UnsafeRefiFile(
            path,
            f"{what} is {size / MB:.1f} MB, over the {limit / MB:g} MB limit; it was refused "
            "before reading (raise max_xml_bytes / max_source_bytes if you trust the file)",
        )


def _parse(path: Path, data: bytes, root_name: str, kind: str) -> ET.Element:
    """Parse XML with no DTD, no entities, no network; check the root element."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeRefiFile(
            path,
            f"the XML declares a DTD or entities ({type(exc).__name__}), which REFI-QDA files "
            "never need and attacks use (external entities, entity bombs); refused unread",
        ) from None
    except ET.ParseError as exc:
        raise RefiError(path, f"the XML is not well formed ({exc})") from None
    ns, name = _split(root.tag)
    if name != root_name or not ns.startswith(f"urn:QDA-XML:{kind}:"):
        raise RefiError(
            path, f"the XML root is {root.tag!r}, not a REFI-QDA {kind} ({root_name} element)"
        )
    return root


def _read_project(path: Path, root: ET.Element, archive: _SafeZip) -> _ProjectFile:
    out = _ProjectFile()
    users = _one(root, "Users")
    for el in _kids(users, "User"):
        guid = _guid_in(path, el, "guid", "User")
        out.users.append(_User(guid, (el.get("name") or "").strip() or f"user {guid[:8]}"))
    book = _one(root, "CodeBook")
    codes = _one(book, "Codes")
    out.codes = [_read_code(path, el) for el in _kids(codes, "Code")]
    variables = {
        _guid_in(path, el, "guid", "Variable"): (el.get("name") or "").strip()
        for el in _kids(_one(root, "Variables"), "Variable")
    }
    for el in _kids(_one(root, "Cases"), "Case"):
        guid = _guid_in(path, el, "guid", "Case")
        out.cases.append(
            _Case(
                guid=guid,
                name=(el.get("name") or "").strip() or f"case {guid[:8]}",
                attributes=_values(path, el, variables),
                sources=[
                    _guid_in(path, r, "targetGUID", "SourceRef") for r in _kids(el, "SourceRef")
                ],
            )
        )
    sources = _one(root, "Sources")
    for el in list(sources) if sources is not None else []:
        kind = _split(el.tag)[1]
        if kind == "TextSource":
            source = _read_source(path, el, archive, variables)
            if source is None:
                out.skipped.append(f"empty text source {el.get('name')!r}")
            else:
                out.sources.append(source)
        else:
            out.skipped.append(f"{kind} {el.get('name')!r} (qualcode imports text sources)")
    for el in _kids(_one(root, "Notes"), "Note"):
        guid = _guid_in(path, el, "guid", "Note")
        content = _one(el, "PlainTextContent")
        text = content.text if content is not None and content.text else ""
        if not text and el.get("plainTextPath"):
            text = _member_text(path, archive, el.get("plainTextPath", ""), "note")
        out.notes.append(
            _Note(
                guid=guid,
                name=(el.get("name") or "").strip() or "Note",
                text=text,
                user=_guid_opt(path, el, "creatingUser"),
                created=_time(el.get("creationDateTime")),
                modified=_time(el.get("modifiedDateTime")),
            )
        )
    return out


def _read_code(path: Path, el: ET.Element) -> _Code:
    guid = _guid_in(path, el, "guid", "Code")
    name = " ".join((el.get("name") or "").split()).replace("/", "-") or f"code {guid[:8]}"
    color = el.get("color")
    if color and _COLOR.match(color.strip()):
        color = color.strip()
        color = "#" + "".join(ch * 2 for ch in color[1:]) if len(color) == 4 else color
        color = color.upper()
    else:
        color = None
    description = _one(el, "Description")
    fields = unfold_description((description.text or "") if description is not None else "")
    return _Code(
        guid=guid,
        name=name[:200],
        color=color,
        fields=fields,
        children=[_read_code(path, child) for child in _kids(el, "Code")],
        notes=[_guid_in(path, r, "targetGUID", "NoteRef") for r in _kids(el, "NoteRef")],
    )


def _read_source(
    path: Path, el: ET.Element, archive: _SafeZip, variables: dict[str, str]
) -> _Source | None:
    from qualcode.ingest.decode import normalise

    guid = _guid_in(path, el, "guid", "TextSource")
    name = (el.get("name") or "").strip() or f"source {guid[:8]}"
    content = _one(el, "PlainTextContent")
    if content is not None and content.text:
        raw = content.text
    elif el.get("plainTextPath"):
        raw = _member_text(path, archive, el.get("plainTextPath", ""), f"source {name!r}")
    else:
        raise RefiError(
            path, f"text source {name!r} has neither PlainTextContent nor plainTextPath"
        )
    raw = raw.removeprefix("\ufeff")  # a BOM is not a character of the text
    text, where = _normalise_with_map(raw)
    if text != normalise(raw):  # the map must describe exactly the text qualcode stores
        raise RefiError(path, f"text source {name!r} could not be normalised consistently")
    if not text.strip():
        return None
    selections = []
    for sel in _kids(el, "PlainTextSelection"):
        start, end = (
            _position(path, sel, "startPosition", name),
            _position(path, sel, "endPosition", name),
        )
        if not 0 <= start <= end <= len(raw):
            raise RefiError(
                path,
                f"a selection in source {name!r} covers characters {start} to {end}, outside "
                f"the source's {len(raw)} characters (or ending before it starts)",
            )
        description = _one(sel, "Description")
        user = _guid_opt(path, sel, "creatingUser")
        codings = [
            _Coding(
                guid=_guid_in(path, c, "guid", "Coding"),
                code=_guid_in(path, _required(path, c, "CodeRef"), "targetGUID", "CodeRef"),
                user=_guid_opt(path, c, "creatingUser") or user,
                created=_time(c.get("creationDateTime")),
            )
            for c in _kids(sel, "Coding")
        ]
        notes = [_guid_in(path, r, "targetGUID", "NoteRef") for r in _kids(sel, "NoteRef")]
        for c in _kids(sel, "Coding"):
            notes += [_guid_in(path, r, "targetGUID", "NoteRef") for r in _kids(c, "NoteRef")]
        selections.append(
            _Selection(
                start=where[start],
                end=where[end],
                memo=(description.text or None) if description is not None else None,
                user=user,
                created=_time(sel.get("creationDateTime")),
                modified=_time(sel.get("modifiedDateTime")),
                codings=codings,
                notes=notes,
            )
        )
    whole = [
        _Coding(
            guid=_guid_in(path, c, "guid", "Coding"),
            code=_guid_in(path, _required(path, c, "CodeRef"), "targetGUID", "CodeRef"),
            user=_guid_opt(path, c, "creatingUser"),
            created=_time(c.get("creationDateTime")),
        )
        for c in _kids(el, "Coding")
    ]
    if whole:  # a code applied to the whole source
        selections.append(_Selection(0, len(text), None, None, None, None, whole, []))
    return _Source(
        guid=guid,
        name=name,
        text=text,
        created=_time(el.get("creationDateTime")),
        selections=selections,
        attributes=_values(path, el, variables),
        notes=[_guid_in(path, r, "targetGUID", "NoteRef") for r in _kids(el, "NoteRef")],
    )


def _member_text(path: Path, archive: _SafeZip, reference: str, what: str) -> str:
    from qualcode.errors import IngestError
    from qualcode.ingest.decode import decode_bytes

    ref = reference.strip()
    lowered = ref.casefold()
    if lowered.startswith(("relative://", "absolute://", "file:", "http:", "https:")):
        raise RefiError(
            path,
            f"{what} is stored outside the .qdpx ({ref!r}); qualcode reads only sources inside "
            "the file: export again with sources included",
        )
    if lowered.startswith("internal://"):
        ref = ref[len("internal://") :]
    info = archive.source_member(ref)
    if info is None:
        raise RefiError(path, f"{what} names {reference!r}, which is not in the .qdpx")
    data = archive.read(info, archive.max_source_bytes)
    try:
        return decode_bytes(data, f"{path}!{info.filename}")
    except IngestError as exc:
        raise RefiError(path, f"{what}: {exc.reason}") from None


def _normalise_with_map(raw: str) -> tuple[str, list[int]]:
    """Normalise as ingest does, with where each raw offset lands in the normalised text.

    Line ends and BOMs are mapped exactly; NFC is applied piece by piece between ASCII
    characters (which never compose with what precedes them), so an offset between pieces
    maps exactly and one inside a recomposed piece maps to the nearest point within it.
    """
    out: list[str] = []
    where = [0] * (len(raw) + 1)
    n = 0
    i = 0
    while i < len(raw):
        where[i] = n
        ch = raw[i]
        if ch == "\r":
            out.append("\n")
            n += 1
            if i + 1 < len(raw) and raw[i + 1] == "\n":
                where[i + 1] = n  # inside CRLF: after the one newline we keep
                i += 1
        elif ch != "\ufeff":
            out.append(ch)
            n += 1
        i += 1
    where[len(raw)] = n
    text = "".join(out)
    if unicodedata.is_normalized("NFC", text):
        return text, where
    pieces: list[str] = []
    shift = [0] * (len(text) + 1)  # offset in `text` -> offset in the NFC text
    start = 0
    m = 0
    for pos in range(1, len(text) + 1):
        if pos == len(text) or text[pos] < "\x80":
            piece = text[start:pos]
            done = unicodedata.normalize("NFC", piece)
            for k in range(start, pos):
                shift[k] = m + min(k - start, len(done))
            pieces.append(done)
            m += len(done)
            start = pos
    shift[len(text)] = m
    return "".join(pieces), [shift[w] for w in where]


def _position(path: Path, el: ET.Element, attr: str, source: str) -> int:
    value = (el.get(attr) or "").strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", value):
        raise RefiError(
            path, f"a selection in source {source!r} has {attr}={value!r}, not a whole number"
        )
    return int(value)


def _values(path: Path, el: ET.Element, variables: dict[str, str]) -> dict[str, str]:
    """VariableValue children as {variable name: text}."""
    out: dict[str, str] = {}
    for vv in _kids(el, "VariableValue"):
        ref = _guid_in(path, _required(path, vv, "VariableRef"), "targetGUID", "VariableRef")
        if ref not in variables:
            raise RefiError(path, f"a VariableValue refers to variable {ref}, which is not defined")
        value = next((c.text for c in vv if _split(c.tag)[1].endswith("Value")), None)
        if variables[ref] and value not in (None, ""):
            out[variables[ref]] = value
    return out


def _guid_in(path: Path, el: ET.Element, attr: str, what: str) -> str:
    value = (el.get(attr) or "").strip()
    if not _GUID.match(value):
        raise RefiError(path, f"a {what} has {attr}={value!r}, which is not a GUID")
    return str(uuid.UUID(value.strip("{}")))  # lower case, no braces: the store's form


def _guid_opt(path: Path, el: ET.Element, attr: str) -> str | None:
    return _guid_in(path, el, attr, _split(el.tag)[1]) if el.get(attr) else None


def _time(value: str | None) -> str | None:
    """An xsd:dateTime as the store writes times (UTC, microseconds), or None."""
    if not value or not _DATETIME.match(value.strip()):
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _kids(el: ET.Element | None, name: str) -> Iterator[ET.Element]:
    if el is None:
        return iter(())
    return (child for child in el if _split(child.tag)[1] == name)


def _one(el: ET.Element | None, name: str) -> ET.Element | None:
    return next(_kids(el, name), None)


def _required(path: Path, el: ET.Element, name: str) -> ET.Element:
    found = _one(el, name)
    if found is None:
        raise RefiError(path, f"a {_split(el.tag)[1]} has no {name}")
    return found


# =============================================================================================
# import: writing, in one transaction
# =============================================================================================


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
    from qualcode.ingest.segment import Segmenter
    from qualcode.ingest.turns import assign_roles, find_turns

    path = Path(path)
    area = _area_name(path, area)
    try:
        data = read_qdpx(path, max_xml_bytes=max_xml_bytes, max_source_bytes=max_source_bytes)
        interviewer = {s: c.attributes.get("interviewer") for c in data.cases for s in c.sources}
        segmenter = Segmenter()
        for source in data.sources:  # segmenting is slow: do it before taking the write lock
            turns = assign_roles(
                find_turns(source.text),
                source.text,
                interviewer=interviewer.get(source.guid) or source.attributes.get("interviewer"),
            )
            source.units = segmenter.units(source.text, turns)
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

    def run(self, data: _ProjectFile) -> RefiImportResult:
        self.skipped += data.skipped
        self.users(data.users)
        self.codes(data.codes)
        self.sources(data)
        self.notes(data)
        self.summary()
        return self.result()

    # coders ----------------------------------------------------------------------------------

    def users(self, users: list[_User]) -> None:
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

    def codes(self, codes: list[_Code]) -> None:
        """The file's codes: known ones (by GUID, else name under the same parent) updated
        where the file says otherwise, new ones added under their parent."""
        rows = code_store.tree(self.conn)
        known = {r.guid.lower(): r for r in rows}
        siblings: dict[int | None, dict[str, Code]] = {}
        for r in rows:
            siblings.setdefault(r.parent_id, {})[r.name.casefold()] = r
        total = len(rows)

        def visit(code: _Code, parent_id: int | None) -> None:
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

    def update_code(self, row: Code, code: _Code) -> None:
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

    def add_code(self, code: _Code, parent_id: int | None, position: int, total: int) -> int:
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

    def sources(self, data: _ProjectFile) -> None:
        area_id = identity.area_id_for(self.conn, self.area or DEFAULT_AREA)
        titles = doc_store.area_titles(self.conn, area_id)
        case_of = {s: case for case in data.cases for s in case.sources}
        case_ids: dict[str, int] = {}

        def file_case(case: _Case) -> int:
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
                guid=guid,
            )
        identity.merge_case_attributes(self.conn, row, attributes, actor=self.actor)
        return int(row.id)

    def document(self, source: _Source, area_id: int, case_id: int, title: str, digest: str) -> int:
        values = {
            "guid": source.guid,
            "area_id": area_id,
            "case_id": case_id,
            "title": title,
            "version": 1,
            "previous_id": None,
            "is_current": 1,
            "format": "txt",
            "source": f"{self.path.name}!{source.name}",
            "sha256": digest,
            "text": source.text,
            "length": len(source.text),
            "words": len(source.text.split()),
            "meta": {"refi_name": source.name} if source.name != title else {},
            "created_at": source.created or now(),
        }
        doc_id = doc_store.insert_document(
            self.conn,
            values,
            [(u.kind, u.start, u.end, u.speaker, u.role, u.meta) for u in source.units or []],
            actor=self.actor,
        )
        self.counts["documents"] += 1
        return doc_id

    def codings(self, source: _Source, doc_id: int, stored: set[str], fresh: set[str]) -> None:
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
                if coding.guid in fresh:  # the file used one GUID twice
                    coding.guid = new_guid()
                fresh.add(coding.guid)
                coder_id = self.coder(coding.user or sel.user)
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

    def notes(self, data: _ProjectFile) -> None:
        """Notes become memos, on the document or code that refers to them, else free."""
        doc_of: dict[str, int] = {}
        for source in data.sources:
            refs = source.notes + [n for sel in source.selections for n in sel.notes]
            for note in refs:
                doc_of.setdefault(note, self.doc_ids[source.guid])
        code_of: dict[str, int] = {}

        def walk(code: _Code) -> None:
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
