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
from xml.sax.handler import ContentHandler

from qualcode.errors import IngestError
from qualcode.files import BoundedZip, UnsafeXml, parse_xml, sax_parse
from qualcode.ingest.limits import Limits

DOCX_ADVICE = "open it in Word and save it again as .docx"
XLSX_ADVICE = "open it in Excel and save it again as .xlsx"
_MAIN = "word/document.xml"
_MARKUP = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# parts of a paragraph that hold no text: properties (whose <w:tab> is a tab stop, not a tab)
# and a text box's second, older copy for programs that cannot show the first
_SKIPPED = frozenset({"pPr", "rPr", "tblPr", "sectPr", "tabs"})
_MARKS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def docx_lines(path: Path, limits: Limits) -> list[str]:
    """The lines of a .docx: one per paragraph (in tables and text boxes too), with Word's
    line breaks as new lines and its tabs as tabs."""
    with limits.open_zip(path, ".docx", DOCX_ADVICE) as archive:
        main = _main_part(archive)
        part = archive.info(main)
        if part is None:
            raise IngestError(
                path,
                f"has no main document part ({main}), so it is not a Word "
                f"document; {DOCX_ADVICE}",
            )
        archive.check_member(part)
        try:
            words = _WordText(path, limits)
            with archive.open(part) as stream:
                sax_parse(stream, words)
            return words.lines
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


class _WordText(ContentHandler):
    """Lines of WordprocessingML, one per paragraph, as the SAX events stream past."""

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__()
        self.path, self.limits = path, limits
        self.lines: list[str] = []
        self.open: list[list[str]] = []  # a text box's paragraphs sit inside another's run
        self.skipping = self.chars = 0
        self.word: str | None = None  # the root, <w:document>, names the namespace
        self.in_text = False

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: object
    ) -> None:
        ns, local = name
        self.word = ns if self.word is None else self.word
        if _skipped(ns, local):
            self.skipping += 1
        elif self.skipping or ns != self.word:
            return
        elif local == "p":
            self.open.append([])
        elif self.open:
            self.in_text = local == "t"
            self.open[-1].append(_MARKS.get(local, ""))

    def characters(self, content: str) -> None:
        if self.in_text and not self.skipping:
            self.open[-1].append(content)
            self.chars += len(content)
            self.limits.check_text(self.path, self.chars)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        ns, local = name
        if _skipped(ns, local):
            self.skipping -= 1
        elif self.skipping or ns != self.word:
            return
        elif local == "t":
            self.in_text = False
        elif local == "p" and self.open:
            self.lines.append("".join(self.open.pop()))
            self.chars += 1


def _skipped(ns: str | None, local: str) -> bool:
    return local in _SKIPPED or (ns == _MARKUP and local == "Fallback")


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
