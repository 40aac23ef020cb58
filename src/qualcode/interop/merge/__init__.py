"""Merge a project coded on another laptop into this one (`Project.merge`, `qualcode merge`).

Community researchers code offline on their own laptops, each with a copy of the project;
the lead brings their work together. Objects are matched the way people recognise them:
documents by GUID, else by text with title, or with case and question (never by text alone),
codes by GUID or else by path, coders by GUID or else by name (only when the user says the
two are the same person), codings by GUID or else by (document, start, end, code, coder).
New things are added with their own GUIDs, coders and timestamps; what is already here is
counted, not copied twice. Deletions travel: each side's audit log says what it removed.

Conflicts (the same code path meaning different things, one coder name on both sides for
two GUIDs, a different text under a known title, a case attribute with two values, a delete
on one side and an edit on the other) are never resolved silently: the merge is refused with
every conflict and the option that settles it. Everything is written in one write
transaction, or nothing is. The options are described in docs/exchange.md.

The modules: `read` opens the other project (file, .qdpx, server) and reads it in one
snapshot; `merger` matches its rows to ours (the store's identity rules) and writes what is
new; `history` decides what each side's deletions do; `report` holds what the caller is told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.interop.merge.merger import MergeOptions, Merger
from qualcode.interop.merge.read import read_other
from qualcode.interop.merge.report import (
    KEEP,
    KINDS,
    Conflict,
    MergeConflict,
    MergeError,
    MergeReport,
    parse_pairs,
)

if TYPE_CHECKING:
    from qualcode.project import Project

_Merger = Merger  # the name tests patch a step of

__all__ = [
    "KINDS",
    "Conflict",
    "MergeConflict",
    "MergeError",
    "MergeOptions",
    "MergeReport",
    "Merger",
    "merge_project",
    "parse_pairs",
]


class _Rollback(Exception):
    def __init__(self, report: MergeReport) -> None:
        self.report = report


def merge_project(
    target: Project,
    other: Project | str | Path,
    *,
    same_coders: Sequence[str] = (),
    rename_coders: Mapping[str, str] | None = None,
    keep: str | None = None,
    keep_codes: Mapping[str, str] | None = None,
    new_versions: Sequence[str] = (),
    area: str | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """Merge `other` into `target`; the options are described in docs/exchange.md."""
    options = MergeOptions(
        same_coders=set(same_coders),
        rename_coders=dict(rename_coders or {}),
        keep=_keep(keep, "keep"),
        keep_codes={str(k): _keep(v, f"keep_codes[{k!r}]") for k, v in (keep_codes or {}).items()},
        new_versions=set(new_versions),
    )
    for old, new in options.rename_coders.items():
        if not isinstance(new, str) or not new.strip() or new.strip() == old:
            raise MergeError(f"rename_coders[{old!r}] must be a new, non-empty name; got {new!r}")
    side, label, areas_known = read_other(other, target, area)
    report = MergeReport(source=label, target=target.location, dry_run=dry_run)
    try:
        with target.writing() as conn:
            Merger(conn, target.user, side, report, options, area, areas_known).run()
            if dry_run or report.conflicts:
                raise _Rollback(report)
    except _Rollback:
        pass
    if report.conflicts and not dry_run:
        raise MergeConflict(report)
    return report


def _keep(value: str | None, what: str) -> str | None:
    if value is None or value in KEEP:
        return value
    raise MergeError(f"{what} must be 'ours' or 'theirs', not {value!r}")
