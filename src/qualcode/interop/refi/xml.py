"""REFI-QDA files as XML and zip: safe reading (no DTDs or entities, no zip slips or bombs),
the standard's schemas, and deterministic writing."""

from __future__ import annotations

import importlib.resources
import re
import zipfile
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from xml.etree import ElementTree as ET

from qualcode.files import BoundedZip, UnsafeXml, ZipLimits, parse_xml
from qualcode.interop.refi.errors import RefiError, UnsafeRefiFile
from qualcode.sheets import NOT_XML, REPLACEMENT

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
# the standard's schemas, shipped in the package (see refi_qda/README.md)
SCHEMA_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
MB = 1024 * 1024
MAX_XML_BYTES = 100 * MB  # project.qde or .qdc; real projects of 300 interviews are ~20 MB
MAX_SOURCE_BYTES = 50 * MB  # one source text, as ingest's default limit for one file
MAX_TOTAL_BYTES = 2048 * MB  # everything read from one .qdpx
MAX_RATIO = 100  # uncompressed/compressed, per member and per archive (see files.ZipLimits)
MAX_MEMBERS = 100_000
LIMIT_HINT = "raise max_xml_bytes / max_source_bytes if you trust the file"
# characters XML 1.0 cannot carry; replaced so a stray control character never breaks a file


def schema_file(kind: str) -> Traversable:
    """The REFI-QDA XSD for "project" (`.qdpx`) or "codebook" (`.qdc`), as shipped with
    qualcode, so what we write can be checked against the standard with no download."""
    if kind not in SCHEMA_FILES:
        raise ValueError(f"a REFI-QDA schema is one of {', '.join(SCHEMA_FILES)}, not {kind!r}")
    return importlib.resources.files("qualcode.interop").joinpath("refi_qda", SCHEMA_FILES[kind])


class SafeZip(BoundedZip):
    """A `.qdpx` opened for reading members into memory, never onto disk (`BoundedZip`), with
    every member's name checked for zip slips before anything is read."""

    def __init__(self, path: Path, *, max_xml_bytes: int, max_source_bytes: int) -> None:
        self.max_source_bytes = max_source_bytes
        if not path.is_file():
            raise RefiError(path, "no such file")
        limits = ZipLimits(
            total_bytes=MAX_TOTAL_BYTES,
            member_bytes=max(max_xml_bytes, max_source_bytes),
            members=MAX_MEMBERS,
            ratio=MAX_RATIO,
        )
        super().__init__(
            path,
            limits,
            refused=UnsafeRefiFile,
            damaged=RefiError,
            hint=LIMIT_HINT,
            kind=".qdpx (zip)",
            hint_total=False,
        )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            name = info.filename.replace("\\", "/")
            if _unsafe_name(name):
                self.zf.close()
                raise UnsafeRefiFile(
                    path,
                    f"holds a file named {info.filename!r}, which points outside the archive "
                    "(a 'zip slip'); it was refused unread",
                )
            self.members[name.casefold()] = info

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


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith("/")
        or bool(re.match(r"^[A-Za-z]:", name))
        or ".." in parts
        or "\x00" in name
    )


def check_size(path: Path, what: str, size: int, limit: int) -> None:
    if size > limit:
        raise UnsafeRefiFile(
            path,
            f"{what} is {size / MB:.1f} MB, over the {limit / MB:g} MB limit; it was refused "
            f"before reading ({LIMIT_HINT})",
        )


def parse(path: Path, data: bytes, root_name: str, kind: str) -> ET.Element:
    """Parse XML with no DTD, no entities, no network; check the root element."""
    try:
        root = parse_xml(data)
    except UnsafeXml as exc:
        raise UnsafeRefiFile(
            path,
            f"the XML declares a DTD or entities ({exc}), which REFI-QDA files "
            "never need and attacks use (external entities, entity bombs); refused unread",
        ) from None
    except ET.ParseError as exc:
        raise RefiError(path, f"the XML is not well formed ({exc})") from None
    ns, name = split(root.tag)
    if name != root_name or not ns.startswith(f"urn:QDA-XML:{kind}:"):
        raise RefiError(
            path, f"the XML root is {root.tag!r}, not a REFI-QDA {kind} ({root_name} element)"
        )
    return root


def split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag: files from other tools vary the prefix."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def kids(el: ET.Element | None, name: str) -> Iterator[ET.Element]:
    """Children of `el` (none when it is missing) with this local name, in any namespace."""
    if el is None:
        return iter(())
    return (child for child in el if split(child.tag)[1] == name)


def one(el: ET.Element | None, name: str) -> ET.Element | None:
    """The first child of `el` with this local name, or None."""
    return next(kids(el, name), None)


def required(path: Path, el: ET.Element, name: str) -> ET.Element:
    """The first child with this local name, or an error saying which element lacks it."""
    found = one(el, name)
    if found is None:
        raise RefiError(path, f"a {split(el.tag)[1]} has no {name}")
    return found


def add_member(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """A zip member with a fixed timestamp and mode, so the same project gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # as on Unix, whichever system writes it
    zf.writestr(info, data)


def serialise(root: ET.Element, ns: str) -> bytes:
    """The document's bytes: indented, UTF-8, `ns` as the default namespace."""
    ET.indent(root, space="  ")
    root.attrib = {"xmlns": ns, **root.attrib}  # ET's default_namespace rejects plain attributes
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def tag(ns: str, name: str) -> str:
    """Tags are written bare; `serialise` declares `ns` as the default namespace."""
    return name


def clean_text(text: str) -> str:
    """`text` with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, text)
