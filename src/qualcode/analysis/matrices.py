"""Mixed-methods tables for statistics packages (SPSS, R, Stata) and spreadsheets.

- `code_case_matrix`: one row per case (area, case, pseudonymous case id, case attributes),
  one column per code: 0/1 (did the case's words get the code?) or counts of coded passages;
- `quote_table`: one row per coding, with its case, the case's attributes, passage and coder;
- `memo_table`: every memo with what it is attached to (a coding, a document, a code, or
  nothing) and when it was written.

Column names of the matrix are safe identifiers for statistics packages: lower case ASCII
letters, digits and underscores, starting with a letter, at most 32 characters (Stata's
limit; SPSS allows 64), unique. Codes become `c_` + their path (`Access/GP appointments` ->
`c_access_gp_appointments`), attributes keep their own (cleaned) names. `column_key` says
which column stands for which code path or attribute; exports write it beside the matrix.
Only current document versions count, and by default only people's codings (see
`qualcode.analysis`: never machine suggestions unless named).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.analysis.selection import (
    CoderChoice,
    case_ids,
    document_texts,
    merge_passages,
    select_codings,
)
from qualcode.errors import QualcodeError
from qualcode.files import atomic_path
from qualcode.sheets import write_csv, write_xlsx
from qualcode.store import codes as code_store
from qualcode.store.identity import require_area
from qualcode.views import CODING_COLUMNS, case_attributes
from qualcode.views import matrices as matrix_views

if TYPE_CHECKING:
    from qualcode.project import Project

MAX_NAME = 32
TABLES = ("presence", "counts", "quotes", "memos")
KEY_COLUMNS = ["column", "kind", "label"]
QUOTE_COLUMNS = [
    "area",
    "case",
    "case_id",
    "code",
    "passage",
    "coder",
    "document",
    "document_id",
    "start",
    "end",
    "coding_id",
    "memo",
]
MEMO_COLUMNS = [
    "attached_to",
    "author",
    "title",
    "memo",
    "code",
    "area",
    "case",
    "document",
    "document_id",
    "passage",
    "start",
    "end",
    "coding_id",
    "memo_id",
    "created_at",
    "updated_at",
]


def safe_name(label: str, taken: set[str], prefix: str = "") -> str:
    """`label` as a statistics-package variable name, unique among `taken` (which it joins)."""
    ascii_ = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    base = prefix + re.sub(r"[^0-9a-z]+", "_", ascii_.lower()).strip("_")
    if not base or not base[0].isalpha():
        base = "v_" + base if base else "v"
    base = base[:MAX_NAME].rstrip("_")
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
        n += 1
    taken.add(name)
    return name


def _cases(project: Project, area: str | None, documents: set[int] | None) -> pd.DataFrame:
    """One row per case of the current documents: case key, area, case, case id, attributes."""
    with project.reading() as conn:
        if area is not None:
            require_area(conn, area)
        rows = matrix_views.current_cases(conn, area=area)
        if documents is not None:
            rows = [r for r in rows if r[0] in documents]
        attributes = case_attributes(conn, sorted({r[2] for r in rows if r[2] is not None}))
    frame = pd.DataFrame(rows, columns=["document_id", "area", "case_key", "case", "title"])
    frame["case"] = frame["case"].fillna(frame["title"])  # no case: the document is its own
    frame["participant"] = frame["area"].astype(str) + "/" + frame["case"].astype(str)
    guid = project.guid
    frame["case_id"] = case_ids(guid, frame["area"], frame["case"])
    cases = frame.drop_duplicates("participant")[["participant", "area", "case", "case_id"]]
    keys = frame.drop_duplicates("participant").set_index("participant")["case_key"]
    if not attributes.empty:
        attrs = attributes.reindex(keys.to_numpy())
        attrs.index = keys.index
        cases = cases.merge(attrs, left_on="participant", right_index=True, how="left")
    return cases.sort_values(["area", "case"], kind="stable").reset_index(drop=True)


def _allowed(project: Project, area: str | None, only_pseudonymised: bool) -> set[int] | None:
    """The documents an export may show: all current ones, or refuse unless pseudonymised."""
    if not only_pseudonymised:
        return None
    from qualcode.privacy import require_pseudonymised

    return {doc.id for doc in require_pseudonymised(project, area=area)}


def code_case_matrix(
    project: Project,
    *,
    counts: bool = False,
    coders: CoderChoice = None,
    area: str | None = None,
    pseudonymise: bool = False,
    only_pseudonymised: bool = False,
) -> pd.DataFrame:
    """Cases x codes for statistics packages: `area`, `case`, `case_id` (a stable
    pseudonymous id), the case attributes, then one column per code of the codebook (in its
    order): 1 if any of the case's current documents has the code, else 0; with `counts`, the
    number of coded passages (overlapping codings of a code by the chosen coders merged, so
    two coders' highlight of one sentence counts once). Every case of the current documents
    is a row, uncoded ones all 0. Column names are safe identifiers; `column_key(matrix)`
    maps them back. `pseudonymise` leaves out the case names (`only_pseudonymised` implies
    it, and refuses unless every document is pseudonymised)."""
    allowed = _allowed(project, area, only_pseudonymised)
    cases = _cases(project, area, allowed)
    codings = select_codings(project, area=area, coder=coders)
    if allowed is not None:
        codings = codings[codings["document_id"].isin(allowed)]
    paths = project.codes_df()["path"].tolist()
    passages = merge_passages(codings, document_texts(project, codings["document_id"].unique()))
    table = (
        passages.groupby(["participant", "code"]).size().unstack(fill_value=0)
        if not passages.empty
        else pd.DataFrame()
    )
    table = table.reindex(index=cases["participant"], columns=paths, fill_value=0)
    if not counts:
        table = (table > 0).astype(int)
    lead = cases.drop(columns="participant")
    if pseudonymise or only_pseudonymised:
        lead = lead.drop(columns="case")
    taken: set[str] = set()
    key = []
    renamed = {}
    for column in lead.columns:
        kind = "case" if column in ("area", "case", "case_id") else "attribute"
        renamed[column] = safe_name(column, taken)
        key.append((renamed[column], kind, column))
    lead = lead.rename(columns=renamed)
    code_names = [safe_name(path, taken, prefix="c_") for path in paths]
    key.extend((name, "code", path) for name, path in zip(code_names, paths, strict=True))
    values = pd.DataFrame(table.to_numpy(dtype=int), columns=code_names)
    matrix = pd.concat([lead.reset_index(drop=True), values], axis=1)
    matrix.attrs["key"] = pd.DataFrame(key, columns=KEY_COLUMNS)
    matrix.attrs["kind"] = "counts" if counts else "presence"
    return matrix


def column_key(matrix: pd.DataFrame) -> pd.DataFrame:
    """What each column of a `code_case_matrix` stands for: column, kind, label (code path or
    attribute name)."""
    key = matrix.attrs.get("key")
    if key is None:
        raise QualcodeError("this table has no column key; make it with code_case_matrix(...)")
    return key


def quote_table(
    project: Project,
    *,
    coders: CoderChoice = None,
    area: str | None = None,
    pseudonymise: bool = False,
    only_pseudonymised: bool = False,
) -> pd.DataFrame:
    """One row per coding (current documents; people's codings unless `coders` names
    others): area, case, case_id, the case attributes, code, passage, coder, document (title),
    document_id, start, end, coding_id, memo. `pseudonymise` leaves out case names and
    document titles (`only_pseudonymised` implies it, and refuses unless every document is
    pseudonymised)."""
    allowed = _allowed(project, area, only_pseudonymised)
    codings = select_codings(project, area=area, coder=coders)
    if allowed is not None:
        codings = codings[codings["document_id"].isin(allowed)]
    codings = codings.reset_index()
    guid = project.guid
    codings["case"] = codings["case"].fillna(codings["title"])
    codings["case_id"] = case_ids(guid, codings["area"], codings["case"])
    codings = codings.rename(columns={"text": "passage", "title": "document"})
    attributes = [
        c
        for c in codings.columns
        if c not in {*CODING_COLUMNS, *QUOTE_COLUMNS, "coding_id", "participant", "code_name"}
    ]
    order = [*QUOTE_COLUMNS[:3], *attributes, *QUOTE_COLUMNS[3:]]
    frame = codings.reindex(columns=order)
    frame = frame.sort_values(["area", "case", "document_id", "start", "coding_id"], kind="stable")
    if pseudonymise or only_pseudonymised:
        frame = frame.drop(columns=["case", "document"])
    if only_pseudonymised:  # coders' own words, not scanned for personal data
        frame = frame.drop(columns="memo")
    return frame.reset_index(drop=True)


def memo_table(
    project: Project,
    *,
    area: str | None = None,
    pseudonymise: bool = False,
    only_pseudonymised: bool = False,
) -> pd.DataFrame:
    """Every memo, oldest first, with what it is attached to (`attached_to`: "coding",
    "document", "code", "document and code" or "free"), its author, title and text, and the
    code, document (area, case, title, id) and passage it belongs to. Memos on codings or
    documents of earlier document versions are left out. With `area`, memos on other areas'
    documents are left out; code and free memos belong to the whole project and stay.
    `pseudonymise` leaves out case names and document titles. `only_pseudonymised` is
    refused: memo texts are the coders' own words, never scanned for personal data, so read
    them and share them knowingly (without it)."""
    if only_pseudonymised:
        raise QualcodeError(
            "memos are coders' own words and are not pseudonymised, so the memos table is not "
            "exported with only_pseudonymised (--only-pseudonymised); read the memos, then "
            "export them without it"
        )
    rows = _memo_rows(project, area)
    frame = pd.DataFrame(rows, columns=MEMO_COLUMNS)
    for column in ("document_id", "start", "end", "coding_id", "memo_id"):
        frame[column] = frame[column].astype("Int64")
    frame = frame.sort_values(["created_at", "attached_to"], kind="stable").reset_index(drop=True)
    if pseudonymise or only_pseudonymised:
        frame = frame.drop(columns=["case", "document"])
    return frame


def _attached_to(document_id: int | None, code_id: int | None) -> str:
    """What a memo (not a coding's) is attached to, in the memos table's words."""
    if document_id is not None:
        return "document and code" if code_id is not None else "document"
    return "code" if code_id is not None else "free"


def _memo_rows(project: Project, area: str | None) -> list[dict[str, object]]:
    """The memos table's rows, unsorted: memos, then codings' memos, of current documents
    (of `area`; code and free memos always)."""
    with project.reading() as conn:
        if area is not None:
            require_area(conn, area)
        paths = code_store.paths(conn)
        docs = matrix_views.document_places(conn)
        free = matrix_views.memos(conn)
        on_codings = matrix_views.coding_memos(conn)
    texts = document_texts(project, sorted({r.document_id for r in on_codings}))

    def keep(doc_id: int | None) -> bool:
        if doc_id is None:
            return True
        doc = docs[doc_id]
        return bool(doc.is_current) and (area is None or doc.area == area)

    def where(doc_id: int | None) -> dict[str, object]:
        if doc_id is None:
            return {}
        doc = docs[doc_id]
        return {
            "area": doc.area,
            "case": doc.case or doc.title,
            "document": doc.title,
            "document_id": doc_id,
        }

    rows: list[dict[str, object]] = []
    for r in free:
        if not keep(r.document_id):
            continue
        rows.append(
            {
                "attached_to": _attached_to(r.document_id, r.code_id),
                "author": r.name,
                "title": r.title,
                "memo": r.text,
                "code": paths.get(r.code_id) if r.code_id is not None else None,
                **where(r.document_id),
                "memo_id": r.id,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
        )
    for r in on_codings:
        if not keep(r.document_id):
            continue
        rows.append(
            {
                "attached_to": "coding",
                "author": r.name,
                "title": None,
                "memo": r.memo,
                "code": paths.get(r.code_id),
                **where(r.document_id),
                "passage": texts[r.document_id][r.start : r.end],
                "start": r.start,
                "end": r.end,
                "coding_id": r.id,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
        )
    return rows


def export_table(
    project: Project,
    path: str | Path,
    table: str,
    *,
    area: str | None = None,
    coders: CoderChoice = None,
    only_pseudonymised: bool = False,
) -> list[Path]:
    """Write one of `TABLES` ("presence", "counts", "quotes", "memos") to .csv or .xlsx,
    atomically; returns the files written. The matrices come with their column key: a sheet
    "key" in the workbook, or `<name>-key.csv` beside the CSV."""
    path = Path(path)
    suffix = path.suffix.lower()
    if table not in TABLES:
        raise QualcodeError(f"{path}: table {table!r} is not one of {', '.join(TABLES)}")
    if suffix not in (".csv", ".xlsx"):
        raise QualcodeError(
            f"{path}: export the {table} table as .csv or .xlsx, not {suffix or 'no'} extension"
        )
    if table == "memos":
        if coders is not None:
            raise QualcodeError(
                f"{path}: the memos table has every author's memos; leave out coder"
            )
        frame = memo_table(project, area=area, only_pseudonymised=only_pseudonymised)
    elif table == "quotes":
        frame = quote_table(
            project, coders=coders, area=area, only_pseudonymised=only_pseudonymised
        )
    else:
        frame = code_case_matrix(
            project,
            counts=table == "counts",
            coders=coders,
            area=area,
            only_pseudonymised=only_pseudonymised,
        )
    key = frame.attrs.get("key")
    written = [path]
    if suffix == ".csv":
        if key is None:
            with atomic_path(path) as tmp:
                write_csv(tmp, frame)
        else:  # both files or neither
            key_path = path.with_name(f"{path.stem}-key.csv")
            with atomic_path(path) as tmp, atomic_path(key_path) as key_tmp:
                write_csv(tmp, frame)
                write_csv(key_tmp, key)
            written.append(key_path)
    else:
        with atomic_path(path) as tmp:
            write_xlsx(tmp, {table: frame} if key is None else {table: frame, "key": key})
    return written
