"""REFI-QDA export: the project as a `.qdpx`, the codebook as a `.qdc`.

Offsets need no conversion: a coding's `start`/`end` are a `PlainTextSelection`'s
`startPosition`/`endPosition` (Unicode code points from 0, end excluded). Export is
deterministic (sorted elements, fixed zip timestamps, the store's GUIDs and times), so
export -> import into an empty project -> export gives the same bytes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from qualcode.files import atomic_path
from qualcode.interop.refi.errors import RefiError
from qualcode.interop.refi.fields import COLOR, derived, fold_description, guid_out, stamp
from qualcode.interop.refi.xml import (
    NS_CODEBOOK,
    NS_PROJECT,
    add_member,
    clean_text,
    serialise,
    tag,
)
from qualcode.model import attribute_text
from qualcode.store import codes as code_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.model import Code
    from qualcode.project import Project


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
        add_member(zf, "project.qde", serialise(root, NS_PROJECT))
        for doc in data.documents:
            add_member(zf, f"sources/{guid_out(doc.guid)}.txt", doc.text.encode("utf-8"))
    return path


def export_qdc(project: Project, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA `.qdc` (codes, colours, descriptions), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        raise RefiError(path, "a REFI-QDA codebook file ends in .qdc")
    codes = project.codebook.all()
    if not codes:
        raise RefiError(path, "the codebook is empty, and a .qdc needs at least one code")
    root = ET.Element(tag(NS_CODEBOOK, "CodeBook"), {"origin": _origin()})
    holder = ET.SubElement(root, tag(NS_CODEBOOK, "Codes"))
    _code_elements(holder, NS_CODEBOOK, codes, None, {})
    with atomic_path(path) as tmp:
        tmp.write_bytes(serialise(root, NS_CODEBOOK))
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
    root = ET.Element(tag(ns, "Project"), {"name": clean_text(name), "origin": _origin()})
    if data.coders:
        users = ET.SubElement(root, tag(ns, "Users"))
        for guid, coder in sorted(data.coders.values(), key=lambda g: (g[1], g[0])):
            ET.SubElement(
                users, tag(ns, "User"), {"guid": guid_out(guid), "name": clean_text(coder)}
            )
    notes_of: dict[tuple[str, int], list[str]] = {}
    for memo in data.memos:
        if memo.document_id is not None:
            notes_of.setdefault(("document", memo.document_id), []).append(memo.guid)
        if memo.code_id is not None:
            notes_of.setdefault(("code", memo.code_id), []).append(memo.guid)
    if data.codes:
        book = ET.SubElement(root, tag(ns, "CodeBook"))
        holder = ET.SubElement(book, tag(ns, "Codes"))
        code_notes = {key[1]: v for key, v in notes_of.items() if key[0] == "code"}
        _code_elements(holder, ns, data.codes, None, code_notes)
    variables = sorted({str(k) for case in data.cases for k in (case.attributes or {})})
    if variables:
        holder = ET.SubElement(root, tag(ns, "Variables"))
        for var in variables:
            ET.SubElement(
                holder,
                tag(ns, "Variable"),
                {
                    "guid": derived("variable", var),
                    "name": clean_text(var),
                    "typeOfVariable": "Text",
                },
            )
    if data.cases:
        holder = ET.SubElement(root, tag(ns, "Cases"))
        for case in data.cases:
            name = data.names.get(("case", case.id), case.name)
            el = ET.SubElement(
                holder, tag(ns, "Case"), {"guid": guid_out(case.guid), "name": clean_text(name)}
            )
            attributes = {str(k): v for k, v in (case.attributes or {}).items()}
            for var in sorted(attributes):
                value = ET.SubElement(el, tag(ns, "VariableValue"))
                ET.SubElement(
                    value, tag(ns, "VariableRef"), {"targetGUID": derived("variable", var)}
                )
                text = str(attribute_text(attributes[var]))  # a list as "COPD; diabetes"
                ET.SubElement(value, tag(ns, "TextValue")).text = clean_text(text)
            for doc in data.documents:
                if doc.case_id == case.id:
                    ET.SubElement(el, tag(ns, "SourceRef"), {"targetGUID": guid_out(doc.guid)})
    if data.documents:
        holder = ET.SubElement(root, tag(ns, "Sources"))
        for doc in data.documents:
            _source_element(holder, doc, data, notes_of.get(("document", doc.id), []))
    if data.memos:
        holder = ET.SubElement(root, tag(ns, "Notes"))
        for memo in data.memos:
            attrs = {"guid": guid_out(memo.guid), "name": clean_text(memo.title)}
            if memo.coder_id in data.coders:
                attrs["creatingUser"] = guid_out(data.coders[memo.coder_id][0])
            stamp(attrs, "creationDateTime", memo.created_at)
            stamp(attrs, "modifiedDateTime", memo.updated_at)
            note = ET.SubElement(holder, tag(ns, "Note"), attrs)
            ET.SubElement(note, tag(ns, "PlainTextContent")).text = clean_text(memo.text)
    for memo in data.memos:
        if memo.document_id is None and memo.code_id is None:
            ET.SubElement(root, tag(ns, "NoteRef"), {"targetGUID": guid_out(memo.guid)})
    return root


def _source_element(holder: ET.Element, doc: Any, data: _Export, notes: list[str]) -> None:
    ns = NS_PROJECT
    guid = guid_out(doc.guid)
    name = data.names.get(("document", doc.id), doc.title)
    attrs = {"guid": guid, "name": clean_text(name), "plainTextPath": f"internal://{guid}.txt"}
    stamp(attrs, "creationDateTime", doc.created_at)
    source = ET.SubElement(holder, tag(ns, "TextSource"), attrs)
    rows = sorted(data.codings.get(doc.id, []), key=lambda r: (r.start, r.end, r.guid))
    code_guids = {c.id: c.guid for c in data.codes}
    for row in rows:
        user = guid_out(data.coders[row.coder_id][0])
        attrs = {
            "guid": derived("selection", row.guid.lower()),
            "startPosition": str(row.start),
            "endPosition": str(row.end),
            "creatingUser": user,
        }
        stamp(attrs, "creationDateTime", row.created_at)
        stamp(attrs, "modifiedDateTime", row.updated_at)
        selection = ET.SubElement(source, tag(ns, "PlainTextSelection"), attrs)
        if row.memo and data.with_memos:
            ET.SubElement(selection, tag(ns, "Description")).text = clean_text(row.memo)
        attrs = {"guid": guid_out(row.guid), "creatingUser": user}
        stamp(attrs, "creationDateTime", row.created_at)
        coding = ET.SubElement(selection, tag(ns, "Coding"), attrs)
        ET.SubElement(coding, tag(ns, "CodeRef"), {"targetGUID": guid_out(code_guids[row.code_id])})
    for note in notes:
        ET.SubElement(source, tag(ns, "NoteRef"), {"targetGUID": guid_out(note)})


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
        attrs = {"guid": guid_out(code.guid), "name": clean_text(code.name), "isCodable": "true"}
        if code.color and COLOR.match(code.color):
            attrs["color"] = code.color.upper()
        el = ET.SubElement(holder, tag(ns, "Code"), attrs)
        description = fold_description(code)
        if description:
            ET.SubElement(el, tag(ns, "Description")).text = clean_text(description)
        for note in notes.get(code.id, []):
            ET.SubElement(el, tag(ns, "NoteRef"), {"targetGUID": guid_out(note)})
        _code_elements(el, ns, codes, code.id, notes)


def _origin() -> str:
    from qualcode import __version__

    return f"qualcode {__version__}"
