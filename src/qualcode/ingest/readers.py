"""One reader per file type, each returning `Source`s, or an `IngestError` naming the file.

Plain text and Markdown are read as they are; Word documents paragraph by paragraph;
WebVTT and SRT captions become "Speaker: words" lines, one per turn, with cue times kept on the
turn; questionnaires (.csv, .xlsx) give one document per respondent and open question, the other
columns becoming attributes of the respondent (the case).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import IngestError
from qualcode.ingest.captions import read_captions
from qualcode.ingest.decode import check_size, normalise, read_text
from qualcode.ingest.limits import DEFAULT_MAX_MB, Limits
from qualcode.ingest.office import docx_lines, xlsx_rows
from qualcode.ingest.source import Source
from qualcode.model import attribute_value

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".xlsx")
QUESTIONNAIRE_SUFFIXES = (".csv", ".xlsx")
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


TextColumns = str | Sequence[str] | None  # --text-column: one name, several, or None (find them)
QUESTION_LABEL = re.compile(r"^\s*(q)\s*(\d+[a-z]?)\b", re.IGNORECASE)  # "Q1", "q 2b"
_NOT_PROSE = re.compile(r"[\d\s.,:;/+\-TZ%£$€()]+")  # numbers, dates, times, amounts


@dataclass
class Participants:
    """Case attributes from a participants.csv, and which file belongs to which case.

    `named` lists, per case, every attribute column of the file that named it: a later file
    replaces those attributes of the case (an empty cell removes one) and keeps the others."""

    by_case: dict[str, dict[str, Any]]
    file_to_case: dict[str, str]
    named: dict[str, list[str]] = field(default_factory=dict)

    def attributes_for(self, case: str) -> dict[str, Any]:
        """The case's attributes as the file gives them, None for each named but empty."""
        given = self.by_case.get(case, {})
        return {**dict.fromkeys(self.named.get(case, [])), **given}


@dataclass
class Questionnaire:
    """What a questionnaire gave: its answers, and which columns were taken as questions,
    which became case attributes and which free-text columns were left out (not named)."""

    sources: list[Source]
    questions: list[str]
    attributes: list[str]
    left_out: list[str] = field(default_factory=list)


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
    path: Path, *, text_column: TextColumns = None, max_mb: float = DEFAULT_MAX_MB
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
    return _questionnaire(path, rows, text_column).sources


def read_questionnaire(
    path: Path, *, text_column: TextColumns = None, max_mb: float = DEFAULT_MAX_MB
) -> Questionnaire:
    """Read a .csv or .xlsx questionnaire: its answers and how its columns were used."""
    path = Path(path)
    return _questionnaire(path, _read_table(path, max_mb), text_column)


def read_participants(path: Path) -> Participants:
    """Read a participants.csv: a case column, optionally a file column, then attributes
    ("COPD; diabetes" is two values). A case named twice is refused, naming both rows."""
    rows = _read_table(path, DEFAULT_MAX_MB)
    header = [h.strip() for h in rows[0]] if rows else []
    case_col = _find_column(header, CASE_COLUMNS)
    if case_col is None:
        raise IngestError(
            path,
            f"needs a 'case' column naming each participant; its columns are {column_list(header)}",
        )
    file_col = _find_column(header, ("file", "filename", "transcript"))
    columns = [h for i, h in enumerate(header) if h and i not in (case_col, file_col)]
    found = Participants(by_case={}, file_to_case={})
    first_row: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        record = dict(zip(header, (c.strip() for c in row), strict=False))
        case = record.get(header[case_col], "")
        if not case:
            continue
        if case in first_row:
            raise IngestError(
                path,
                f"names case {case!r} twice (rows {first_row[case]} and {n}); "
                "keep one row per participant and ingest again",
            )
        first_row[case] = n
        values = {k: attribute_value(record.get(k)) for k in columns}
        found.by_case[case] = {k: v for k, v in values.items() if v is not None}
        found.named[case] = columns
        if file_col is not None and record.get(header[file_col]):
            name = record[header[file_col]]
            found.file_to_case[name] = case
            found.file_to_case[Path(name).stem] = case
    return found


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


def _questionnaire(path: Path, rows: list[list[str]], text_column: TextColumns) -> Questionnaire:
    """One source per respondent and question column; the other columns are attributes."""
    header = [h.strip() for h in rows[0]]
    body = [row + [""] * (len(header) - len(row)) for row in rows[1:]]
    case_col = _find_column(header, CASE_COLUMNS)
    found = _free_text_columns(header, body, skip=case_col)
    named = [text_column] if isinstance(text_column, str) else list(text_column or [])
    for name in named:
        if name not in header:
            raise IngestError(
                path, f"has no column {name!r}; its columns are {column_list(header)}"
            )
    chosen = list(dict.fromkeys(header.index(name) for name in named)) or found
    if not chosen:
        raise IngestError(
            path,
            "cannot tell which column holds the answers; name it with --text-column "
            f"(its columns are {column_list(header)})",
        )
    candidates = sorted({*found, *chosen})
    labels = _question_labels([header[i] for i in candidates]) if len(candidates) > 1 else {}
    attribute_cols = [
        i for i in range(len(header)) if header[i] and i != case_col and i not in candidates
    ]
    fmt = path.suffix.lower()[1:]
    sources = []
    for n, row in enumerate(body, start=2):
        case = row[case_col].strip() if case_col is not None and row[case_col].strip() else None
        case = case or f"row {n}"
        attributes = {header[i]: attribute_value(row[i]) for i in attribute_cols}
        for col in chosen:
            answer = normalise(row[col]).strip()
            if not answer:
                continue
            label = labels.get(header[col])
            sources.append(
                Source(
                    f"{path.stem} {case}" + (f" ({label})" if label else ""),
                    answer,
                    fmt,
                    path=str(path),
                    case=case,
                    attributes=dict(attributes),
                    meta={"row": n, "column": header[col], "question": header[col]},
                )
            )
    if not sources:
        shown = ", ".join(repr(header[i]) for i in chosen)
        raise IngestError(path, f"has no answers in column {shown}")
    return Questionnaire(
        sources=sources,
        questions=[header[i] for i in chosen],
        attributes=[header[i] for i in attribute_cols],
        left_out=[header[i] for i in candidates if i not in chosen],
    )


def _question_labels(questions: list[str]) -> dict[str, str]:
    """A short, stable label per question column for titles: its number ("Q1") where the
    header starts with one, else the header itself, cut at a word near 40 characters; the
    whole headers where two labels would be the same."""
    labels = {}
    for question in questions:
        number = QUESTION_LABEL.match(question)
        if number:
            labels[question] = f"Q{number.group(2).lower()}"
        elif len(question) <= 40:
            labels[question] = question
        else:
            labels[question] = question[:40].rsplit(" ", 1)[0].rstrip(" ,.;:?") + "..."
    if len(set(labels.values())) < len(labels):
        return {q: q for q in questions}
    return labels


def _find_column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower().replace(" ", "_") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _free_text_columns(header: list[str], body: list[list[str]], *, skip: int | None) -> list[int]:
    """Columns that hold open answers: those named like one ("answer", "comments"), and
    those whose cells look like free text. The others (ids, dates, numbers, a few repeated
    choices) are attributes of the respondent."""
    named = {i for i, h in enumerate(header) if _find_column([h], ANSWER_COLUMNS) is not None}
    return [
        i
        for i in range(len(header))
        if header[i] and i != skip and (i in named or _looks_like_prose([r[i] for r in body]))
    ]


def _looks_like_prose(column: list[str]) -> bool:
    """Free text: cells over 20 characters on average, mostly different from each other,
    mostly with spaces in them (not ids, links or codes) and not numbers or dates."""
    cells = [c.strip() for c in column if c.strip()]
    if not cells:
        return False
    if sum(len(c) for c in cells) / len(cells) <= 20:
        return False
    if len(set(cells)) <= len(cells) / 2:
        return False
    if sum(any(ch.isspace() for ch in c) for c in cells) <= len(cells) / 2:
        return False
    return sum(bool(_NOT_PROSE.fullmatch(c)) for c in cells) <= len(cells) / 5


def column_list(columns: list[str], *, most: int = 12, none: str = "(none)") -> str:
    """Column names for a message: quoted, and cut after `most` ("and 19,988 more") so a
    table of thousands of columns still gives a one-line message."""
    shown = ", ".join(repr(c) for c in columns[:most]) or none
    more = len(columns) - most
    return f"{shown} and {more:,} more" if more > 0 else shown
