"""Word and Excel files read within the limits: every zip through `files.BoundedZip`, Word's
XML without DTDs or entities, and nothing kept past the text limit.

A .docx is read from its main part directly (found through `_rels/.rels`), streamed, so the
text of paragraphs, tables and text boxes all comes in, line breaks and tabs included; an
.xlsx is streamed by openpyxl in read-only mode once its zip directory has passed the limits.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from qualcode.errors import IngestError
from qualcode.files import BoundedZip, UnsafeXml, iterparse_xml, parse_xml
from qualcode.ingest.limits import Limits

DOCX_ADVICE = "open it in Word and save it again as .docx"
XLSX_ADVICE = "open it in Excel and save it again as .xlsx"
_MAIN = "word/document.xml"
_MARKUP = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# parts of a paragraph that hold no text: properties (whose <w:tab> is a tab stop, not a tab)
# and a text box's second, older copy for programs that cannot show the first
_SKIPPED = frozenset({"pPr", "rPr", "tblPr", "sectPr", "tabs"})


def docx_lines(path: Path, limits: Limits) -> list[str]:
    """The lines of a .docx: one per paragraph (in tables and text boxes too), with Word's
    line breaks as new lines and its tabs as tabs."""
    with limits.open_zip(path, ".docx", DOCX_ADVICE) as archive:
        part = archive.info(_main_part(archive))
        if part is None:
            raise IngestError(
                path,
                f"has no main document part ({_main_part(archive)}), so it is not a Word "
                f"document; {DOCX_ADVICE}",
            )
        archive.check_member(part)
        try:
            with archive.open(part) as stream:
                return _paragraphs(path, iterparse_xml(stream, ("start", "end")), limits)
        except UnsafeXml as exc:
            raise IngestError(
                path,
                f"its XML declares a DTD or entities ({exc}), which Word never writes and "
                "attacks use; refused unread: save it again from Word as .docx",
            ) from None
        except ET.ParseError as exc:
            raise IngestError(path, f"its XML is not well formed ({exc}); {DOCX_ADVICE}") from None


def _main_part(archive: BoundedZip) -> str:
    """The officeDocument part named by the package relationships, else Word's usual name."""
    rels = archive.info("_rels/.rels")
    if rels is None:
        return _MAIN
    try:
        root = parse_xml(archive.read(rels))
    except (UnsafeXml, ET.ParseError):
        return _MAIN
    for rel in root:
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return _MAIN


def _paragraphs(
    path: Path, events: Iterator[tuple[str, ET.Element]], limits: Limits
) -> list[str]:
    lines: list[str] = []
    open_paragraphs: list[list[str]] = []  # a text box's paragraphs sit inside another's run
    skipping, chars, word = 0, 0, None
    for event, el in events:
        ns, _, name = el.tag[1:].partition("}") if el.tag[:1] == "{" else ("", "", el.tag)
        if word is None:
            word = ns  # the root, <w:document>, names WordprocessingML's namespace
        skip = name in _SKIPPED or (ns == _MARKUP and name == "Fallback")
        if event == "start":
            skipping += skip
            if name == "p" and ns == word and not skipping:
                open_paragraphs.append([])
            continue
        if skip:
            skipping -= 1
        elif skipping or ns != word or not open_paragraphs:
            pass
        elif name == "t":
            open_paragraphs[-1].append(el.text or "")
        elif name == "tab":
            open_paragraphs[-1].append("\t")
        elif name in ("br", "cr"):
            open_paragraphs[-1].append("\n")
        elif name == "noBreakHyphen":
            open_paragraphs[-1].append("-")
        elif name == "p":
            line = "".join(open_paragraphs.pop())
            chars += len(line) + 1
            limits.check_text(path, chars)
            lines.append(line)
            el.clear()  # keep memory flat on a long document
    return lines


def xlsx_rows(path: Path, limits: Limits) -> Iterator[tuple[object, ...]]:
    """The rows of the first sheet, streamed; refused if the zip is over the limits."""
    with limits.open_zip(path, ".xlsx", XLSX_ADVICE) as archive:
        for info in archive.infos:  # openpyxl reads what it needs: check every member first
            archive.check_member(info)
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike
        raise IngestError(
            path, f"is not a readable .xlsx file (corrupt or another format); {XLSX_ADVICE}"
        ) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a sheet may claim a million columns: do not pad rows to it
        yield from _checked(path, sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _checked(path: Path, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    try:
        yield from rows
    except IngestError:
        raise
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike
        raise IngestError(
            path, f"is not a readable .xlsx file (corrupt or another format); {XLSX_ADVICE}"
        ) from exc
