"""Codings as CSV or Excel tables, for spreadsheets and statistics packages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.files import atomic_path
from qualcode.sheets import write_csv, write_xlsx

if TYPE_CHECKING:
    from qualcode.project import Project


def export_codings(
    project: Project, path: str | Path, *, only_pseudonymised: bool = False, **filters: Any
) -> Path:
    """Write `codings_df(**filters)` to .csv or .xlsx (by extension), atomically; with
    `only_pseudonymised`, refuse unless every document exported is pseudonymised, leave the
    coders' memos out, and give the pseudonymous `case_id` in place of case and title."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise QualcodeError(
            f"{path}: export codings as .csv or .xlsx, not {suffix or 'no'} extension"
        )
    if filters.get("coder") is not None:  # a misspelt name is an error, not an empty table
        from qualcode.analysis.selection import coders_for

        coders_for(project, filters["coder"])
    frame = project.codings_df(**filters).reset_index()
    if only_pseudonymised:
        from qualcode.analysis.selection import case_ids
        from qualcode.privacy import require_pseudonymised

        docs = require_pseudonymised(project, area=filters.get("area"))
        frame = frame[frame["document_id"].isin({d.id for d in docs})]
        frame = frame.drop(columns="memo")  # coders' own words, not scanned: they stay home
        frame.insert(
            frame.columns.get_loc("case"),
            "case_id",
            case_ids(project.guid, frame["area"], frame["case"].fillna(frame["title"])),
        )
        frame = frame.drop(columns=["case", "title"])  # often people's names
    for col in ("created_at", "updated_at"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            write_csv(tmp, frame)
        else:
            write_xlsx(tmp, {"codings": frame})
    return path
