"""The framework matrix (the Framework Method of UK health research): cases x codes, each
cell the case's coded passages cut to a short extract with a reference back to the text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.analysis.selection import (
    CoderChoice,
    document_texts,
    merge_passages,
    pseudonym,
    select_codings,
    short_names,
)
from qualcode.files import atomic_path
from qualcode.sheets import append_row

if TYPE_CHECKING:
    from qualcode.project import Project


def extract(text: str, words: int = 25) -> str:
    """The first `words` words of a passage, on one line, with … where it was cut."""
    parts = re.sub(r"\s+", " ", text).strip().split(" ")
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def reference(document_id: int, start: int, end: int) -> str:
    """A reference back to the text: document id and character offsets."""
    return f"[doc {document_id}: {start}-{end}]"


def framework_passages(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    words: int = 25,
    pseudonymise: bool = True,
) -> pd.DataFrame:
    """The framework in long form: one row per case, code and passage (overlapping codings of
    a code merged), with the full text, a short extract and its reference."""
    codings = select_codings(project, area=area, coder=coder)
    passages = merge_passages(codings, document_texts(project, codings["document_id"].unique()))
    guid = project.guid
    passages["case_id"] = [
        pseudonym(guid, a, c) if pseudonymise else c
        for a, c in zip(passages["area"], passages["case"], strict=True)
    ]
    passages["extract"] = [extract(t, words) for t in passages["text"]]
    passages["reference"] = [
        reference(d, s, e)
        for d, s, e in zip(passages["document_id"], passages["start"], passages["end"], strict=True)
    ]
    if pseudonymise:
        passages = passages.drop(columns=["case", "participant", "title"])
    return passages.sort_values(["case_id", "code", "document_id", "start"]).reset_index(drop=True)


def framework_matrix(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    words: int = 25,
    per_cell: int = 3,
    pseudonymise: bool = True,
    every_case: bool = False,
) -> pd.DataFrame:
    """Cases (rows; pseudonymous ids unless `pseudonymise=False`) x codes (columns, in
    codebook order): each cell the case's first `per_cell` passages of that code, each cut to
    `words` words and followed by its reference, `[doc 12: 340-512]`; "(+2 more)" says what
    was left out. Empty where the case never had the code. Rows are the cases with coded
    passages, or with `every_case` every person heard (the people a report counts)."""
    passages = framework_passages(
        project, area=area, coder=coder, words=words, pseudonymise=pseudonymise
    )
    order = [p for p in project.codes_df()["path"] if p in set(passages["code"])]
    cells: dict[tuple[str, str], str] = {}
    for (case, code), group in passages.groupby(["case_id", "code"]):
        shown = [f"“{x}” {r}" for x, r in zip(group["extract"], group["reference"], strict=True)][
            :per_cell
        ]
        more = len(group) - len(shown)
        cells[(case, code)] = "\n".join(shown) + (f"\n(+{more} more)" if more > 0 else "")
    cases = set(passages["case_id"])
    if every_case:
        docs = project.documents_df(area=area)
        heard = zip(docs["area"].astype(str), docs["case"].astype(str), strict=True)
        guid = project.guid
        cases |= {pseudonym(guid, a, c) if pseudonymise else c for a, c in heard}
    cases = sorted(cases)
    matrix = pd.DataFrame(
        [[cells.get((case, code), "") for code in order] for case in cases],
        index=pd.Index(cases, name="case"),
        columns=[short_names(order)[p] for p in order],
    )
    matrix.attrs["passages"] = passages
    return matrix


def export_framework(matrix: pd.DataFrame, path: str | Path) -> Path:
    """Write the matrix to XLSX (wrapped text, frozen headings; a second sheet with every
    passage in full when the matrix carries them), atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = "framework"
    append_row(sheet, ["case", *map(str, matrix.columns)])
    for case, row in matrix.iterrows():
        append_row(sheet, [str(case), *row.tolist()])
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    for i in range(2, len(matrix.columns) + 2):
        sheet.column_dimensions[get_column_letter(i)].width = 45
    sheet.freeze_panes = "B2"
    passages = matrix.attrs.get("passages")
    if passages is not None and not passages.empty:
        full = book.create_sheet("passages")
        columns = [c for c in passages.columns if c not in ("participant",)]
        append_row(full, columns)
        for values in passages[columns].itertuples(index=False, name=None):
            append_row(full, values)
        for cell in full[1]:
            cell.font = Font(bold=True)
        full.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path
