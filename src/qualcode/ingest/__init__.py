"""Ingest: read transcript files and folders into an area of a project.

Each file is read, normalised and segmented on its own and written in its own transaction, so
the corpus is streamed (memory stays flat) and one bad file never stops or half-writes the
rest: it is refused with one line that names it and says why.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import IngestError, QualcodeError
from qualcode.ingest.add import add_source
from qualcode.ingest.decode import DEFAULT_MAX_MB, DecodeWarning
from qualcode.ingest.readers import (
    QUESTIONNAIRE_SUFFIXES,
    Participants,
    Questionnaire,
    TextColumns,
    column_list,
    iter_files,
    read_file,
    read_participants,
    read_questionnaire,
)
from qualcode.ingest.roles import PARTICIPANTS, apply_interviewer
from qualcode.ingest.speakers import (
    QUESTIONNAIRE_FORMATS,
    SpeakerReport,
    speaker_report,
    speaker_table,
)
from qualcode.store.speakers import turn_rows

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
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)  # path -> columns
    cases_updated: set[str] = field(default_factory=set)  # cases whose attributes changed
    warnings: list[str] = field(default_factory=list)  # read, but not exactly as written
    speakers: list[SpeakerReport] = field(default_factory=list)  # per transcript, as stored

    @property
    def ok(self) -> bool:
        """True when no file was refused."""
        return not self.refused

    @property
    def speaker_warnings(self) -> list[str]:
        """What looks wrong in the transcripts' speakers (`ingest.speakers`), file by file."""
        return [w for r in self.speakers for w in r.warnings]

    def __str__(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.new_versions)} new versions, "
            f"{len(self.unchanged)} unchanged, {len(self.refused)} refused"
        ]
        if self.cases_updated:
            n = len(self.cases_updated)
            lines.append(f"attributes updated for {n} case{'' if n == 1 else 's'}")
        for path, found in self.questionnaires.items():
            line = (
                f"{path}: questions {column_list(found.questions, none='none')}; "
                f"attributes {column_list(found.attributes, none='none')}"
            )
            if found.left_out:
                line += f"; not taken {column_list(found.left_out)}"
            lines.append(line)
        if self.speakers:
            lines.append(speaker_table(self.speakers))
        lines += [f"warning {text}" for text in self.warnings + self.speaker_warnings]
        lines += [f"refused {path}: {reason}" for path, reason in self.refused]
        return "\n".join(lines)


@contextlib.contextmanager
def _noted(report: IngestReport) -> Iterator[None]:
    """Keep a reader's `DecodeWarning`s in the report, where the summary shows them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DecodeWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, DecodeWarning):
            report.warnings.append(str(warning.message))
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def ingest(
    project: StoreAccess,
    paths: list[Path],
    *,
    area: str,
    text_column: TextColumns = None,
    max_mb: float | None = None,
    progress: bool = True,
    interviewer: str | None = None,
) -> IngestReport:
    """Read files and folders into `area`; a `participants.csv` beside them gives case attributes.

    Files are matched to participants by the `file` column (name or stem) or by case id; a
    questionnaire (.csv/.xlsx) gives one document per respondent and open question (the
    `text_column`s, one or several, else every column of free text). Re-ingesting an
    unchanged file does nothing; a changed one becomes a new version. A participants file
    replaces the attributes it names for its cases (audited) and keeps the others.
    `interviewer` names the interviewer's speaker label in every transcript, over the
    participants file's `interviewer` column and over inference (see `ingest.roles`); the
    report gives each transcript's speakers, as stored, and warns of what looks wrong.
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
        limit = max_mb if max_mb is not None else DEFAULT_MAX_MB
        try:
            with _noted(report):
                if path.suffix.lower() in QUESTIONNAIRE_SUFFIXES:
                    found = read_questionnaire(path, text_column=text_column, max_mb=limit)
                    report.questionnaires[str(path)] = found
                    sources = found.sources
                else:
                    sources = read_file(path, text_column=text_column, max_mb=limit)
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
            named = (
                participants.file_to_case.get(path.name)
                or participants.file_to_case.get(path.stem)
                or source.case
                or (source.title if source.title in participants.by_case else None)
            )
            source.case = named  # None: the title, or the case the document has already
            case = named or source.title
            source.attributes = _attributes(participants.attributes_for(case), source.attributes)
            try:
                document, status, case_changed = add_source(
                    project,
                    source,
                    area=area,
                    interviewer=interviewer,
                    attribute_rule=PARTICIPANTS,
                )
            except QualcodeError as exc:
                report.refused.append((str(path), str(exc)))
                continue
            if source.format not in QUESTIONNAIRE_FORMATS:
                if status == "unchanged" and interviewer:
                    document = apply_interviewer(project, document, interviewer)
                report.speakers.append(_speakers(project, document, str(path), interviewer))
            if case_changed:
                report.cases_updated.add(case)
            {
                "added": report.added,
                "new version": report.new_versions,
                "unchanged": report.unchanged,
            }[status].append(document)
    return report


def _speakers(
    project: StoreAccess, document: Document, path: str, interviewer: str | None
) -> SpeakerReport:
    """A transcript's speaker report, from its turns as stored (so an unchanged file's too)."""
    with project.reading() as conn:
        turns = turn_rows(conn, document.id)
    roles = document.meta.get("roles")
    return speaker_report(
        path, document.text, turns, roles, format=document.format, interviewer=interviewer
    )


def _attributes(listed: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """A case's attributes from the participants file and from the file itself (a
    questionnaire's columns): the file's own win, but its empty cells do not clear a value
    the participants file gives."""
    return {**listed, **{k: v for k, v in own.items() if v is not None or k not in listed}}


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
        merged.named.update(found.named)
    return merged


__all__ = ["IngestReport", "ingest"]
