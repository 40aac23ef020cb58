"""Codings from a table (CSV, TSV or XLSX), such as the sample project's two coders' work
or codings done in a spreadsheet: one row per coding with `area`, `title`, `code`, `coder`,
and `start`/`end` (character offsets) or the quoted `text`, or both (then they must agree).

The whole table is checked before anything is written, and a coding already in the project
(same document, span, code and coder) is not added twice, so loading a file again adds nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.errors import QualcodeError
from qualcode.model import CONSENSUS
from qualcode.sheets import csv_value

if TYPE_CHECKING:
    from qualcode.project import Project

REQUIRED = ("area", "title", "code", "coder")


@dataclass
class CodingTableReport:
    path: Path
    added: int = 0
    already_there: int = 0
    coders: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.path.name}: {self.added} codings added, {self.already_there} already there "
            f"(coders: {', '.join(self.coders)})"
        )


def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise QualcodeError(f"{path}: no such file")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".tsv"):
        notes = 0  # leading "# ..." lines are notes (such as "SYNTHETIC")
        with path.open(encoding="utf-8-sig") as fh:
            while fh.readline().startswith("#"):
                notes += 1
        if suffix == ".tsv":  # tab-separated, no quoting: quotes are part of the text
            return pd.read_csv(
                path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, skiprows=notes
            ).fillna("")
        table = pd.read_csv(path, dtype=str, skiprows=notes).fillna("")
        return table.map(csv_value).rename(columns=csv_value)  # '=... back to =...
    raise QualcodeError(
        f"{path}: codings come as .csv, .tsv or .xlsx, not {suffix or 'no'} extension"
    )


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet as text, read within ingest's limits (no zip bombs, no huge sheets)."""
    from qualcode.ingest.decode import check_size
    from qualcode.ingest.limits import Limits
    from qualcode.ingest.office import xlsx_rows

    limits = Limits()
    check_size(path, max_mb=limits.max_mb)
    rows = [r for r in limits.check_rows(path, xlsx_rows(path, limits)) if any(r)]
    if not rows:
        return pd.DataFrame()
    header, width = rows[0], len(rows[0])
    return pd.DataFrame([(r + [""] * width)[:width] for r in rows[1:]], columns=header, dtype=str)


def import_codings(project: Project, path: str | Path) -> CodingTableReport:
    """Load codings from a table (see the module docstring); rows for the `consensus` layer
    are adjudicated in the name of the project's user."""
    path = Path(path)
    table = read_table(path)
    missing = [c for c in REQUIRED if c not in table.columns]
    has_offsets = {"start", "end"} <= set(table.columns)
    if missing or not (has_offsets or "text" in table.columns):
        raise QualcodeError(
            f"{path}: needs columns {', '.join(REQUIRED)} and start/end or text "
            f"(missing: {', '.join(missing) or 'start/end or text'})"
        )
    docs = {(d.area, d.title): d for d in project.documents()}
    planned = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        doc = docs.get((row["area"], row["title"]))
        if doc is None:
            raise QualcodeError(
                f"{path}, line {line}: no document titled {row['title']!r} in area "
                f"{row['area']!r}; ingest the transcripts first"
            )
        quoted = str(row.get("text", "") or "")
        if has_offsets and row["start"] != "" and row["end"] != "":
            start, end = int(row["start"]), int(row["end"])
            if quoted and doc.text[start:end] != quoted:
                raise QualcodeError(
                    f"{path}, line {line}: the text at {start}-{end} of {doc.title!r} is not "
                    f"the quoted text {quoted[:40]!r}"
                )
        else:
            start = doc.text.find(quoted) if quoted else -1
            if start < 0 or doc.text.find(quoted, start + 1) >= 0:
                why = "not found" if start < 0 else "found more than once; give start and end"
                raise QualcodeError(f"{path}, line {line}: quoted text {why} in {doc.title!r}")
            end = start + len(quoted)
        project.codebook.get(row["code"])  # an unknown code is a clear error, before writing
        planned.append((doc, start, end, row["code"], row["coder"].strip()))
    report = CodingTableReport(path, coders=sorted({p[4] for p in planned}))
    existing = {(c.document_id, c.start, c.end, c.code_id, c.coder) for c in project.codings()}
    for doc, start, end, code, coder in planned:
        key = (doc.id, start, end, project.codebook.get(code).id, coder)
        if key in existing:
            report.already_there += 1
            continue
        if coder == CONSENSUS:
            project.adjudicate(doc, start, end, code, adjudicator=project.user)
        else:
            project.code(doc, start, end, code, coder=coder)
        existing.add(key)
        report.added += 1
    return report
