"""Tables for spreadsheets, written so that no cell runs as a formula and no character breaks
the file: the one place every CSV and XLSX export goes through.

Answers, codes, coders and memos are typed by people, and a text that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return is run as a formula by Excel and LibreOffice ("CSV
injection", OWASP). In XLSX such a text is written as a text cell (marked to stay text when
edited) with its words intact; in CSV it gets a leading `'`, as OWASP recommends, which
`csv_value` takes off again when qualcode reads its own CSV back. Characters XLSX cannot
hold (control characters; Word's vertical-tab line break becomes a newline) are replaced, so
an export never fails half way, and a text longer than a cell holds (a whole interview coded
whole) is cut, saying so. Numbers stay numbers: only texts are changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
XLSX_CELL_CHARS = 32_767  # Excel's limit: a longer cell makes it "repair" (cut) the workbook
# what XML 1.0 (so XLSX and DOCX) cannot carry: control characters (openpyxl's
# ILLEGAL_CHARACTERS_RE), lone surrogates, U+FFFE and U+FFFF; REFI-QDA files use it too
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")  # a text csv_text has prefixed, or one it must
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # "-5" is a number, not a sum


def xml_text(text: str) -> str:
    """`text` with the characters an XLSX cell (or any XML file) cannot hold replaced: a
    vertical tab (Word's line break) by a newline, the others by U+FFFD."""
    return NOT_XML.sub(lambda m: "\n" if m.group() == "\v" else REPLACEMENT, text)


def csv_text(text: str) -> str:
    """`text` for a CSV cell: a leading `'` when a spreadsheet would read it as a formula
    (or when it already begins with quotes before such a character, so reading it back with
    `csv_value` gives the text exactly), but not when it is a plain number such as "-5", which
    a statistics package must read as one; lone surrogates replaced."""
    text = re.sub(r"[\ud800-\udfff]", REPLACEMENT, text)
    if _NUMBER.fullmatch(text):
        return text
    return f"'{text}" if text.startswith(FORMULA_START) or _ESCAPED.match(text) else text


def csv_value(text: str) -> str:
    """A cell of a CSV qualcode wrote, as it was before `csv_text`."""
    return text[1:] if _ESCAPED.match(text) else text


def write_csv(path: str | Path, frame: pd.DataFrame, *, index: bool = False) -> None:
    """Write `frame` as UTF-8 CSV with every text cell (headings and index too) made safe."""
    safe = frame.map(_csv_cell)
    safe.columns = [_csv_cell(c) for c in frame.columns]
    if index:
        safe.index = frame.index.map(_csv_cell)
        if frame.index.name is not None:
            safe.index.name = _csv_cell(frame.index.name)
    safe.to_csv(path, index=index)


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Write each frame to its own sheet (bold headings, no index) with every cell made safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        append_row(sheet, [str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in frame.itertuples(index=False, name=None):
            append_row(sheet, values)
    book.save(path)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl sheet: texts as text cells, never formulas. A text that
    looks like a formula goes in as a cell made here (looking the row up again after
    `append` would cost a scan of the whole sheet per row)."""
    from openpyxl.cell.cell import Cell

    row = []
    for value in map(_xlsx_cell, values):
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell = Cell(sheet, value=value)
            cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
            cell.quotePrefix = True  # and the spreadsheet keeps it text when it is edited
            value = cell
        row.append(value)
    sheet.append(row)


def _csv_cell(value: Any) -> Any:
    return csv_text(value) if isinstance(value, str) else value


def _xlsx_cell(value: Any) -> Any:
    """A value openpyxl writes as it is: None for missing, plain numbers, safe text."""
    import pandas as pd

    if isinstance(value, str):
        return _fit(xml_text(value))
    if not pd.api.types.is_scalar(value):  # a list of codes or coders
        return _fit(xml_text(str(value)))
    if pd.isna(value):
        return None
    if hasattr(value, "item") and not isinstance(value, datetime):  # a numpy scalar
        value = value.item()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # XLSX has no time zones
    if isinstance(value, bool | int | float | datetime | date | timedelta):
        return value
    return _fit(xml_text(str(value)))


def _fit(text: str) -> str:
    """A text cut to what one XLSX cell holds, saying so (the CSV export has it whole)."""
    if len(text) <= XLSX_CELL_CHARS:
        return text
    note = f" … [{len(text):,} characters, cut to fit a spreadsheet cell; the CSV has them all]"
    return text[: XLSX_CELL_CHARS - len(note)] + note
