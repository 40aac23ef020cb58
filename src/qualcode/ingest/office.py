"""Word and Excel files read within the limits: every zip through `files.BoundedZip`, Word's
XML without DTDs or entities, and nothing kept past the text limit.

A .docx is read from its main part directly (found through `_rels/.rels`), streamed, so the
text of paragraphs, tables and text boxes all comes in, line breaks and tabs included; an
.xlsx is streamed by openpyxl in read-only mode once its zip directory has passed the limits.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.handler import ContentHandler

from qualcode.errors import IngestError
from qualcode.files import BoundedZip, UnsafeXml, parse_xml, sax_parse
from qualcode.ingest.labels import BOXED_TIME
from qualcode.ingest.limits import Limits
from qualcode.ingest.turns import is_speaker_label, role_of

DOCX_ADVICE = "open it in Word and save it again as .docx"
XLSX_ADVICE = "open it in Excel and save it again as .xlsx"
_MAIN = "word/document.xml"
_MARKUP = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# parts of a paragraph that hold no text: properties (whose <w:tab> is a tab stop, not a tab)
# and a text box's second, older copy for programs that cannot show the first
_SKIPPED = frozenset({"pPr", "rPr", "tblPr", "sectPr", "tabs"})
_TIME = re.compile(BOXED_TIME)
_MARKS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def docx_lines(path: Path, limits: Limits) -> list[str]:
    """The lines of a .docx: one per paragraph (in tables and text boxes too), with Word's
    line breaks as new lines and its tabs as tabs; a speaker in bold or in a table's first
    column becomes a `Speaker: words` line, as plain transcripts have them."""
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
            return speaker_lines(words.lines, words.bold, words.rows)
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
    """Lines of WordprocessingML, one per paragraph, as the SAX events stream past, with the
    length of each line's opening bold text and the lines of each table row's cells."""

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__()
        self.path, self.limits = path, limits
        self.lines: list[str] = []
        self.bold: list[int] = []  # per line: characters of bold text it opens with
        self.rows: list[list[tuple[int, int]]] = []  # per table row: its cells' lines
        self.open: list[list[str]] = []  # a text box's paragraphs sit inside another's run
        self.leads: list[list[int]] = []  # per open paragraph: [bold opening, still open]
        self.cells: list[list[tuple[int, int]]] = []  # per open row: its cells so far
        self.cell_start: list[int] = []
        self.skipping = self.chars = 0
        self.word: str | None = None  # the root, <w:document>, names the namespace
        self.in_text = self.run_bold = False
        self.in_run_props = 0

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: object
    ) -> None:
        ns, local = name
        self.word = ns if self.word is None else self.word
        if ns == self.word and local == "rPr":
            self.in_run_props += 1
        elif self.in_run_props and ns == self.word and local in ("b", "bCs", "rStyle"):
            self.run_bold = self.run_bold or _bold(attrs, self.word, local)
        if _skipped(ns, local):
            self.skipping += 1
        elif self.skipping or ns != self.word:
            return
        elif local == "p":
            self.open.append([])
            self.leads.append([0, 1])
        elif local == "r":
            self.run_bold = False
        elif local == "tr":
            self.cells.append([])
        elif local == "tc":
            self.cell_start.append(len(self.lines))
        elif self.open:
            self.in_text = local == "t"
            mark = _MARKS.get(local, "")
            self.open[-1].append(mark)
            if mark:
                self._lead(mark, bold=False)

    def characters(self, content: str) -> None:
        if self.in_text and not self.skipping:
            self.open[-1].append(content)
            self._lead(content, bold=self.run_bold)
            self.chars += len(content)
            self.limits.check_text(self.path, self.chars)

    def _lead(self, content: str, *, bold: bool) -> None:
        """Count `content` into the paragraph's bold opening while it is still open."""
        lead = self.leads[-1]
        if lead[1] and (bold or not content.strip()):
            lead[0] += len(content)
        else:
            lead[1] = 0

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        ns, local = name
        if ns == self.word and local == "rPr":
            self.in_run_props -= 1
        if _skipped(ns, local):
            self.skipping -= 1
        elif self.skipping or ns != self.word:
            return
        elif local == "t":
            self.in_text = False
        elif local == "p" and self.open:
            self.lines.append("".join(self.open.pop()))
            self.bold.append(self.leads.pop()[0])
            self.chars += 1
        elif local == "tc" and self.cell_start and self.cells:
            self.cells[-1].append((self.cell_start.pop(), len(self.lines)))
        elif local == "tr" and self.cells:
            self.rows.append(self.cells.pop())


def _bold(attrs: Any, word: str, local: str) -> bool:
    """Whether a run property turns bold on: `<w:b/>` (not `w:val="0"`), or the Strong style."""
    value = attrs.get((word, "val"))
    if local == "rStyle":
        return str(value).lower() in ("strong", "bold")
    return value not in ("0", "false", "off")


def _skipped(ns: str | None, local: str) -> bool:
    return local in _SKIPPED or (ns == _MARKUP and local == "Fallback")


def speaker_lines(
    lines: list[str], bold: list[int], rows: list[list[tuple[int, int]]]
) -> list[str]:
    """`lines` with the speakers Word shows by layout written as plain labels: a table row of
    (speaker | words), or (time | speaker | words), becomes `Speaker: words`; a paragraph
    opening with a name in bold (`**Amina** words`) becomes `Amina: words`. A speaker must
    state a role or be used twice, so a bold word or a two-column table that is not a
    transcript is left as it is."""
    out: dict[int, str | None] = {}  # line number -> its new text (None: joined to another)
    found = [(r, _row_speaker(lines, r)) for r in rows]
    counts = Counter(label for _, (label, _) in found if label)
    for row, (label, stamp) in found:
        if label and (role_of(label) or counts[label] >= 2):
            (first, _), (words, end) = row[0], row[-1]
            said = lines[words] if words < end else ""
            out[first] = f"[{stamp}] {label}: {said}" if stamp else f"{label}: {said}"
            out.update({n: None for n in range(first + 1, words + 1) if n < end})
    leads = {n: _bold_label(line[: bold[n]]) for n, line in enumerate(lines) if bold[n]}
    counts = Counter(label for label in leads.values() if label)
    for n, label in leads.items():
        if label and n not in out and (role_of(label) or counts[label] >= 2):
            rest = lines[n][bold[n] :].lstrip()
            out[n] = f"{label}:{'' if rest.startswith(':') else ' '}{rest}".rstrip()
    return [out.get(n, line) for n, line in enumerate(lines) if out.get(n, line) is not None]


def _row_speaker(lines: list[str], row: list[tuple[int, int]]) -> tuple[str | None, str | None]:
    """The speaker (and time) a table row names in its first cells, if it is a turn."""
    cells = [" ".join(lines[a:b]).strip() for a, b in row]
    stamp = None
    if len(cells) == 3 and _TIME.fullmatch(cells[0]):
        stamp, cells, row = cells[0].strip("[]()"), cells[1:], row[1:]
    if len(cells) != 2 or not cells[1] or row[0][1] - row[0][0] != 1:
        return None, None
    label = cells[0].rstrip(":").strip()
    return (label, stamp) if is_speaker_label(label) else (None, None)


def _bold_label(lead: str) -> str | None:
    """The speaker a paragraph's bold opening names (`Amina`, `Amina:`), if it is a label."""
    label = lead.strip().rstrip(":").strip()
    return label if label and is_speaker_label(label) else None


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
