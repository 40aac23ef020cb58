"""Reading a REFI-QDA file into plain records, checking every reference; nothing is written.

Text from other tools is normalised as ingest does (NFC, `\\n` line ends, no BOM) and the
selections' offsets are mapped with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from qualcode.interop.refi.errors import RefiError
from qualcode.interop.refi.fields import COLOR, guid_in, guid_opt, read_time, unfold_description
from qualcode.interop.refi.xml import (
    MAX_SOURCE_BYTES,
    MAX_XML_BYTES,
    SafeZip,
    check_size,
    kids,
    one,
    parse,
    required,
    split,
)

if TYPE_CHECKING:
    pass


@dataclass
class UserRecord:
    guid: str
    name: str


@dataclass
class CodeRecord:
    guid: str
    name: str
    color: str | None
    fields: dict[str, str]
    children: list[CodeRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CodingRecord:
    guid: str
    code: str
    user: str | None
    created: str | None


@dataclass
class SelectionRecord:
    start: int
    end: int
    memo: str | None
    user: str | None
    created: str | None
    modified: str | None
    codings: list[CodingRecord]
    notes: list[str]


@dataclass
class SourceRecord:
    guid: str
    name: str
    text: str
    created: str | None
    selections: list[SelectionRecord]
    attributes: dict[str, str]
    notes: list[str]
    units: list[tuple[Any, ...]] | None = None  # store rows, from ingest.add.units_of


@dataclass
class CaseRecord:
    guid: str
    name: str
    attributes: dict[str, str]
    sources: list[str]


@dataclass
class NoteRecord:
    guid: str
    name: str
    text: str
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class ProjectFile:
    users: list[UserRecord] = field(default_factory=list)
    codes: list[CodeRecord] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_qdpx(
    path: str | Path,
    *,
    max_xml_bytes: int = MAX_XML_BYTES,
    max_source_bytes: int = MAX_SOURCE_BYTES,
) -> ProjectFile:
    """Read and check a `.qdpx` without touching any project (for tests and previews)."""
    path = Path(path)
    archive = SafeZip(path, max_xml_bytes=max_xml_bytes, max_source_bytes=max_source_bytes)
    try:
        qde = archive.project_member()
        root = parse(path, archive.read(qde, max_xml_bytes), "Project", "project")
        return _read_project(path, root, archive)
    finally:
        archive.close()


def read_qdc(path: str | Path, *, max_xml_bytes: int = MAX_XML_BYTES) -> list[CodeRecord]:
    """Read and check a `.qdc` codebook without touching any project."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RefiError(path, "no such file") from None
    check_size(path, "the codebook", size, max_xml_bytes)
    root = parse(path, path.read_bytes(), "CodeBook", "codebook")
    codes = one(root, "Codes")
    return [_read_code(path, el) for el in kids(codes, "Code")] if codes is not None else []


def _read_project(path: Path, root: ET.Element, archive: SafeZip) -> ProjectFile:
    out = ProjectFile()
    users = one(root, "Users")
    for el in kids(users, "User"):
        guid = guid_in(path, el, "guid", "User")
        out.users.append(UserRecord(guid, (el.get("name") or "").strip() or f"user {guid[:8]}"))
    book = one(root, "CodeBook")
    codes = one(book, "Codes")
    out.codes = [_read_code(path, el) for el in kids(codes, "Code")]
    named = [
        (guid_in(path, el, "guid", "Variable"), (el.get("name") or "").strip())
        for el in kids(one(root, "Variables"), "Variable")
    ]
    _unique(path, "Variables", named)
    variables = dict(named)
    for el in kids(one(root, "Cases"), "Case"):
        guid = guid_in(path, el, "guid", "Case")
        out.cases.append(
            CaseRecord(
                guid=guid,
                name=(el.get("name") or "").strip() or f"case {guid[:8]}",
                attributes=_values(path, el, variables),
                sources=[
                    guid_in(path, r, "targetGUID", "SourceRef") for r in kids(el, "SourceRef")
                ],
            )
        )
    sources = one(root, "Sources")
    every_source: list[tuple[str, str]] = []  # (guid, name) of each source, skipped ones too
    for el in list(sources) if sources is not None else []:
        kind = split(el.tag)[1]
        guid = guid_opt(path, el, "guid")
        if guid is not None:
            every_source.append((guid, (el.get("name") or "").strip()))
        if kind == "TextSource":
            source = _read_source(path, el, archive, variables)
            if source is None:
                out.skipped.append(f"empty text source {el.get('name')!r}")
            else:
                out.sources.append(source)
        else:
            out.skipped.append(f"{kind} {el.get('name')!r} (qualcode imports text sources)")
    for el in kids(one(root, "Notes"), "Note"):
        guid = guid_in(path, el, "guid", "Note")
        content = one(el, "PlainTextContent")
        text = content.text if content is not None and content.text else ""
        if not text and el.get("plainTextPath"):
            text = _member_text(path, archive, el.get("plainTextPath", ""), "note")
        out.notes.append(
            NoteRecord(
                guid=guid,
                name=(el.get("name") or "").strip() or "Note",
                text=text,
                user=guid_opt(path, el, "creatingUser"),
                created=read_time(el.get("creationDateTime")),
                modified=read_time(el.get("modifiedDateTime")),
            )
        )
    _check_identity(path, out, every_source)
    return out


def _check_identity(path: Path, out: ProjectFile, sources: list[tuple[str, str]]) -> None:
    """Refuse a file that gives one GUID to two objects, or credits work to a user or files
    a case under a source it does not have: either would put codings on the wrong person or
    document, or copy them twice."""
    _unique(path, "Users", [(u.guid, u.name) for u in out.users])
    _unique(path, "Codes", [(c.guid, c.name) for c in _all_codes(out.codes)])
    _unique(path, "Sources", sources)
    _unique(path, "Cases", [(c.guid, c.name) for c in out.cases])
    _unique(path, "Notes", [(n.guid, n.name) for n in out.notes])
    users = {u.guid for u in out.users}
    credited = [
        (f"a coding in source {s.name!r}", c.user)
        for s in out.sources
        for sel in s.selections
        for c in sel.codings
    ] + [(f"note {n.name!r}", n.user) for n in out.notes]
    for what, user in credited:
        if user is not None and user not in users:
            raise RefiError(
                path,
                f"{what} is credited to user {user}, who is not among the file's Users; "
                "export the project again with its users",
            )
    known = {guid for guid, _ in sources}
    for case in out.cases:
        for ref in case.sources:
            if ref not in known:
                raise RefiError(
                    path,
                    f"case {case.name!r} refers to source {ref}, which is not in the file's "
                    "Sources",
                )


def _unique(path: Path, what: str, named: list[tuple[str, str]]) -> None:
    """Refuse two of `what` sharing one GUID, naming both."""
    seen: dict[str, str] = {}
    for guid, name in named:
        if guid in seen:
            raise RefiError(
                path,
                f"two {what} share the GUID {guid} ({seen[guid]!r} and {name!r}); qualcode "
                "cannot tell whose work is whose: give each its own GUID in the tool that "
                "wrote the file and export it again",
            )
        seen[guid] = name


MAX_CODE_DEPTH = 100  # codebooks are a few levels deep; deeper would overflow Python's stack


def _all_codes(codes: list[CodeRecord]) -> list[CodeRecord]:
    """Every code of a tree, parents before children."""
    return [c for code in codes for c in (code, *_all_codes(code.children))]


def _read_code(path: Path, el: ET.Element, depth: int = 1) -> CodeRecord:
    guid = guid_in(path, el, "guid", "Code")
    if depth > MAX_CODE_DEPTH:
        raise RefiError(
            path,
            f"code {guid} is nested more than {MAX_CODE_DEPTH} levels deep (the limit); "
            "a real codebook is a few levels deep: flatten it in the program that wrote the file",
        )
    name = " ".join((el.get("name") or "").split()) or f"code {guid[:8]}"
    color = el.get("color")
    if color and COLOR.match(color.strip()):
        color = color.strip()
        color = "#" + "".join(ch * 2 for ch in color[1:]) if len(color) == 4 else color
        color = color.upper()
    else:
        color = None
    description = one(el, "Description")
    fields = unfold_description((description.text or "") if description is not None else "")
    return CodeRecord(
        guid=guid,
        name=name[:200],
        color=color,
        fields=fields,
        children=[_read_code(path, child, depth + 1) for child in kids(el, "Code")],
        notes=[guid_in(path, r, "targetGUID", "NoteRef") for r in kids(el, "NoteRef")],
    )


def _read_source(
    path: Path, el: ET.Element, archive: SafeZip, variables: dict[str, str]
) -> SourceRecord | None:
    from qualcode.ingest.decode import normalise

    guid = guid_in(path, el, "guid", "TextSource")
    name = (el.get("name") or "").strip() or f"source {guid[:8]}"
    content = one(el, "PlainTextContent")
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
    for sel in kids(el, "PlainTextSelection"):
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
        description = one(sel, "Description")
        user = guid_opt(path, sel, "creatingUser")
        codings = [
            CodingRecord(
                guid=guid_in(path, c, "guid", "Coding"),
                code=guid_in(path, required(path, c, "CodeRef"), "targetGUID", "CodeRef"),
                user=guid_opt(path, c, "creatingUser") or user,
                created=read_time(c.get("creationDateTime")),
            )
            for c in kids(sel, "Coding")
        ]
        notes = [guid_in(path, r, "targetGUID", "NoteRef") for r in kids(sel, "NoteRef")]
        for c in kids(sel, "Coding"):
            notes += [guid_in(path, r, "targetGUID", "NoteRef") for r in kids(c, "NoteRef")]
        selections.append(
            SelectionRecord(
                start=where[start],
                end=where[end],
                memo=(description.text or None) if description is not None else None,
                user=user,
                created=read_time(sel.get("creationDateTime")),
                modified=read_time(sel.get("modifiedDateTime")),
                codings=codings,
                notes=notes,
            )
        )
    whole = [
        CodingRecord(
            guid=guid_in(path, c, "guid", "Coding"),
            code=guid_in(path, required(path, c, "CodeRef"), "targetGUID", "CodeRef"),
            user=guid_opt(path, c, "creatingUser"),
            created=read_time(c.get("creationDateTime")),
        )
        for c in kids(el, "Coding")
    ]
    if whole:  # a code applied to the whole source
        selections.append(SelectionRecord(0, len(text), None, None, None, None, whole, []))
    return SourceRecord(
        guid=guid,
        name=name,
        text=text,
        created=read_time(el.get("creationDateTime")),
        selections=selections,
        attributes=_values(path, el, variables),
        notes=[guid_in(path, r, "targetGUID", "NoteRef") for r in kids(el, "NoteRef")],
    )


def _member_text(path: Path, archive: SafeZip, reference: str, what: str) -> str:
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

    Line ends, BOMs and control characters are mapped exactly; NFC is applied piece by piece
    between ASCII characters (which never compose with what precedes them), so an offset
    between pieces maps exactly and one inside a recomposed piece maps to the nearest point
    within it.
    """
    from qualcode.ingest.decode import CONTROL_MAP

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
        elif (kept := CONTROL_MAP.get(ord(ch), ch)) is not None:  # as decode.normalise
            out.append("\ufffd" if "\ud800" <= kept <= "\udfff" else kept)
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
    for vv in kids(el, "VariableValue"):
        ref = guid_in(path, required(path, vv, "VariableRef"), "targetGUID", "VariableRef")
        if ref not in variables:
            raise RefiError(path, f"a VariableValue refers to variable {ref}, which is not defined")
        value = next((c.text for c in vv if split(c.tag)[1].endswith("Value")), None)
        if variables[ref] and value not in (None, ""):
            out[variables[ref]] = value
    return out
