"""One reader per file type, each returning `Source`s, or an `IngestError` naming the file.

Plain text and Markdown are read as they are; Word documents paragraph by paragraph;
WebVTT and SRT captions become "Speaker: words" lines, one per turn, with cue times kept on the
turn; questionnaires (.csv, .xlsx) give one document per answer, the other columns becoming
attributes of the respondent (the case).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.errors import IngestError
from qualcode.ingest.captions import read_captions
from qualcode.ingest.decode import check_size, normalise, read_text
from qualcode.ingest.limits import DEFAULT_MAX_MB, Limits
from qualcode.ingest.office import docx_lines, xlsx_rows
from qualcode.ingest.source import Source

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".xlsx")
PARTICIPANTS_FILE = "participants.csv"
ANSWER_COLUMNS = ("answer", "response", "text", "comment", "comments", "feedback", "free_text")
CASE_COLUMNS = ("case", "respondent", "participant", "id", "case_id", "respondent_id")
_HINTS = {
    ".pdf": " (save it as .docx or .txt first)",
    ".doc": " (open it in Word and save it as .docx)",
    ".rtf": " (save it as .docx or .txt first)",
    ".odt": " (save it as .docx first)",
    ".xls": " (save it as .xlsx)",
}


@dataclass
class Participants:
    """Case attributes from a participants.csv, and which file belongs to which case."""

    by_case: dict[str, dict[str, Any]]
    file_to_case: dict[str, str]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: the files given, and every visible file under the folders given."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # a folder's own files first, then its subfolders': the top-level copy of a
            # duplicated name is the one that goes in
            for child in sorted(path.rglob("*"), key=lambda c: (len(c.parts), c)):
                rel = child.relative_to(path).parts
                if (
                    child.is_file()
                    and not any(part.startswith((".", "~$")) for part in rel)
                    and child.name != PARTICIPANTS_FILE
                ):
                    yield child
        elif path.is_file():
            if path.name != PARTICIPANTS_FILE:
                yield path
        elif path.exists():
            raise IngestError(
                path, "is not a file or a folder (a device, pipe or socket); give a file instead"
            )
        else:
            raise IngestError(path, "does not exist; check the path")


def read_file(
    path: Path, *, text_column: str | None = None, max_mb: float = DEFAULT_MAX_MB
) -> list[Source]:
    """Read one file into the documents it holds (one, or one per questionnaire answer)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise IngestError(
            path,
            f"unsupported file type {shown}; qualcode reads "
            f"{', '.join(SUPPORTED_SUFFIXES)}{_HINTS.get(suffix, '')}",
        )
    if suffix in (".txt", ".md"):
        text = read_text(path, max_mb=max_mb)
        return [Source(path.stem, text, suffix[1:], path=str(path))]
    if suffix == ".docx":
        return [_read_docx(path, max_mb)]
    if suffix in (".vtt", ".srt"):
        return [read_captions(path, max_mb)]
    rows = _read_table(path, max_mb)
    return _questionnaire(path, rows, text_column)


def read_participants(path: Path) -> Participants:
    """Read a participants.csv: a case column, optionally a file column, then attributes."""
    rows = _read_table(path, DEFAULT_MAX_MB)
    header = [h.strip() for h in rows[0]] if rows else []
    case_col = _find_column(header, CASE_COLUMNS)
    if case_col is None:
        raise IngestError(
            path,
            f"needs a 'case' column naming each participant; its columns are {_list(header)}",
        )
    file_col = _find_column(header, ("file", "filename", "transcript"))
    by_case: dict[str, dict[str, Any]] = {}
    file_to_case: dict[str, str] = {}
    for row in rows[1:]:
        record = dict(zip(header, (c.strip() for c in row), strict=False))
        case = record.get(header[case_col], "")
        if not case:
            continue
        attrs = {
            k: v
            for i, (k, v) in enumerate(record.items())
            if v and i not in (case_col, file_col) and k
        }
        by_case[case] = attrs
        if file_col is not None and record.get(header[file_col]):
            name = record[header[file_col]]
            file_to_case[name] = case
            file_to_case[Path(name).stem] = case
    return Participants(by_case=by_case, file_to_case=file_to_case)


def _read_docx(path: Path, max_mb: float) -> Source:
    check_size(path, max_mb=max_mb)
    lines = docx_lines(path, Limits(max_mb))
    text = normalise("\n".join(line.rstrip() for line in lines).strip("\n") + "\n")
    if not text.strip():
        raise IngestError(path, "has no text in it: there is nothing to ingest")
    return Source(path.stem, text, "docx", path=str(path))


def _read_table(path: Path, max_mb: float) -> list[list[str]]:
    """Rows of a .csv (any encoding qualcode reads) or the first sheet of an .xlsx."""
    limits = Limits(max_mb)
    check_size(path, max_mb=max_mb)
    if path.suffix.lower() == ".xlsx":
        rows = limits.check_rows(path, xlsx_rows(path, limits))
        found = [r for r in rows if any(c.strip() for c in r)]
    else:
        text = read_text(path, max_mb=max_mb)
        # the csv module's own cap (128 KB a field) is global; ours is per call, below
        csv.field_size_limit(max(csv.field_size_limit(), limits.cell_chars + 1))
        try:
            rows = limits.check_rows(path, csv.reader(io.StringIO(text)))
            found = [r for r in rows if any(c.strip() for c in r)]
        except csv.Error as exc:
            raise IngestError(path, f"is not a readable CSV file ({exc})") from exc
    if not found:
        raise IngestError(path, "has no rows: there is nothing to ingest")
    return found


def _questionnaire(path: Path, rows: list[list[str]], text_column: str | None) -> list[Source]:
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if text_column is not None:
        if text_column not in header:
            raise IngestError(
                path, f"has no column {text_column!r}; its columns are {_list(header)}"
            )
        text_col = header.index(text_column)
    else:
        text_col = _find_column(header, ANSWER_COLUMNS)
        if text_col is None:
            text_col = _longest_column(header, body)
        if text_col is None:
            raise IngestError(
                path,
                "cannot tell which column holds the answers; name it with --text-column "
                f"(its columns are {_list(header)})",
            )
    case_col = _find_column(header, CASE_COLUMNS)
    fmt = path.suffix.lower()[1:]
    sources = []
    for n, row in enumerate(body, start=2):
        row = row + [""] * (len(header) - len(row))
        answer = normalise(row[text_col]).strip()
        if not answer:
            continue
        case = row[case_col].strip() if case_col is not None and row[case_col].strip() else None
        case = case or f"row {n}"
        attributes = {
            header[i]: row[i].strip()
            for i in range(len(header))
            if i not in (text_col, case_col) and header[i] and row[i].strip()
        }
        sources.append(
            Source(
                f"{path.stem} {case}",
                answer,
                fmt,
                path=str(path),
                case=case,
                attributes=attributes,
                meta={"row": n, "column": header[text_col]},
            )
        )
    if not sources:
        raise IngestError(path, f"has no answers in column {header[text_col]!r}")
    return sources


def _find_column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower().replace(" ", "_") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _longest_column(header: list[str], body: list[list[str]]) -> int | None:
    """The column whose cells are longest on average, if that looks like free text."""
    best, best_len = None, 20.0
    for i in range(len(header)):
        cells = [r[i] for r in body if i < len(r) and r[i].strip()]
        if cells:
            mean = sum(len(c) for c in cells) / len(cells)
            if mean > best_len:
                best, best_len = i, mean
    return best


def _list(header: list[str]) -> str:
    return ", ".join(repr(h) for h in header) or "(none)"
