"""Ingest: read transcript files and folders into an area of a project.

Each file is read, normalised and segmented on its own and written in its own transaction, so
the corpus is streamed (memory stays flat) and one bad file never stops or half-writes the
rest: it is refused with one line that names it and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import IngestError, QualcodeError
from qualcode.ingest.add import add_source
from qualcode.ingest.decode import DEFAULT_MAX_MB
from qualcode.ingest.readers import Participants, iter_files, read_file, read_participants

if TYPE_CHECKING:
    from qualcode.model import Document
    from qualcode.store.access import StoreAccess

PARTICIPANTS_FILE = "participants.csv"


@dataclass
class IngestReport:
    """What an ingest did, file by file."""

    added: list[Document] = field(default_factory=list)
    new_versions: list[Document] = field(default_factory=list)
    unchanged: list[Document] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        """True when no file was refused."""
        return not self.refused

    def __str__(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.new_versions)} new versions, "
            f"{len(self.unchanged)} unchanged, {len(self.refused)} refused"
        ]
        lines += [f"refused {path}: {reason}" for path, reason in self.refused]
        return "\n".join(lines)


def ingest(
    project: StoreAccess,
    paths: list[Path],
    *,
    area: str,
    text_column: str | None = None,
    max_mb: float | None = None,
    progress: bool = True,
) -> IngestReport:
    """Read files and folders into `area`; a `participants.csv` beside them gives case attributes.

    Files are matched to participants by the `file` column (name or stem) or by case id; a
    questionnaire (.csv/.xlsx) gives one document per answer. Re-ingesting an unchanged file
    does nothing; a changed one becomes a new version.
    """
    from tqdm.auto import tqdm

    report = IngestReport()
    participants = _participants(paths, report)
    files: list[Path] = []
    for path in paths:
        try:
            files.extend(iter_files([path]))
        except IngestError as exc:
            report.refused.append((exc.path, exc.reason))
    seen: dict[str, str] = {}  # title -> file it came from, in this batch
    for path in tqdm(files, desc=f"ingest {area}", unit="file", disable=not progress):
        try:
            sources = read_file(
                path,
                text_column=text_column,
                max_mb=max_mb if max_mb is not None else DEFAULT_MAX_MB,
            )
        except IngestError as exc:
            report.refused.append((exc.path, exc.reason))
            continue
        for source in sources:
            if source.title in seen:
                report.refused.append(
                    (
                        str(path),
                        (
                            f"has the same name {source.title!r} as {seen[source.title]} "
                            "in this batch; rename one of them and ingest it again"
                        ),
                    )
                )
                continue
            seen[source.title] = str(path)
            case = (
                participants.file_to_case.get(path.name)
                or participants.file_to_case.get(path.stem)
                or source.case
                or source.title
            )
            source.case = case
            source.attributes = {**participants.by_case.get(case, {}), **source.attributes}
            try:
                document, status = add_source(project, source, area=area)
            except QualcodeError as exc:
                report.refused.append((str(path), str(exc)))
                continue
            {
                "added": report.added,
                "new version": report.new_versions,
                "unchanged": report.unchanged,
            }[status].append(document)
    return report


def _participants(paths: list[Path], report: IngestReport) -> Participants:
    """Merge every participants.csv given, or found directly in a given folder."""
    merged = Participants(by_case={}, file_to_case={})
    for path in paths:
        candidate = path / PARTICIPANTS_FILE if path.is_dir() else path
        if candidate.name != PARTICIPANTS_FILE or not candidate.is_file():
            continue
        try:
            found = read_participants(candidate)
        except IngestError as exc:
            report.refused.append((exc.path, exc.reason))
            continue
        merged.by_case.update(found.by_case)
        merged.file_to_case.update(found.file_to_case)
    return merged


__all__ = ["IngestReport", "ingest"]
