"""The speaker report of a transcript: who spoke, how often, in which role, and what looks wrong.

Every ingest shows it per file (and `Project.speakers` for a stored document), so a misread
transcript is never silent. A warning names the file and what to do when:

- fewer than two speakers were found (the others' labels were not recognised);
- one turn holds more than `ONE_TURN_SHARE` of the words of a transcript of two turns or more
  (a label inside it was missed, so one speaker swallowed the next);
- the interviewer's turns hold more than `INTERVIEWER_SHARE` of the words (a participant's
  words counted as the interviewer's: themes and suggestions leave them out);
- `--interviewer NAME` names none of the file's speakers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Protocol

from qualcode.ingest.readers import QUESTIONNAIRE_SUFFIXES
from qualcode.ingest.roles import INFERRED, OPTION, holds

ONE_TURN_SHARE = 0.6  # one turn holding more than this share of the words warns
INTERVIEWER_SHARE = 0.5  # interviewer turns holding more than this share of the words warn
# answers, not transcripts: no speakers expected
QUESTIONNAIRE_FORMATS = tuple(suffix.lstrip(".") for suffix in QUESTIONNAIRE_SUFFIXES)
MOST_SPEAKERS_SHOWN = 6  # speakers listed in one row of the table
HOW_TO_FIX = "docs/coding.md, 'Speakers and roles'"


class Turn(Protocol):
    """A stored turn (`store.speakers.turn_rows`) or a found `Unit`."""

    start: int
    end: int
    speaker: str | None
    role: str | None


@dataclass(frozen=True)
class Speaker:
    """One speaker of a document: name as labelled, role, number of turns and words."""

    name: str
    role: str | None
    turns: int
    words: int


@dataclass
class SpeakerReport:
    """A document's speakers, how their roles were decided, and what looks wrong."""

    file: str  # the path it was read from, or its title
    speakers: list[Speaker]
    rule: str | None  # see `ingest.roles`; None without turns
    warnings: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        """Words in all turns."""
        return sum(s.words for s in self.speakers)

    def shares(self) -> dict[str, float]:
        """Each role's share of the words in turns (0 to 1)."""
        total = self.words or 1
        found: dict[str, float] = {}
        for s in self.speakers:
            found[s.role or "unknown"] = found.get(s.role or "unknown", 0) + s.words / total
        return found


def speaker_report(
    file: str,
    text: str,
    turns: Sequence[Turn],
    roles: dict[str, Any] | None,
    *,
    format: str,
    interviewer: str | None = None,
) -> SpeakerReport:
    """The report of one document from its text, its turns and its roles record;
    `interviewer`: the name `--interviewer` gave, which should be one of its speakers'."""
    counts: dict[str, list[Any]] = {}
    longest = 0, ""
    for t in turns:
        words = len(text[t.start : t.end].split())
        seen = counts.setdefault(t.speaker or "(no label)", [t.role, 0, 0])
        seen[1], seen[2] = seen[1] + 1, seen[2] + words
        longest = max(longest, (words, t.speaker or "(no label)"))
    speakers = [Speaker(name, role, n, w) for name, (role, n, w) in counts.items()]
    report = SpeakerReport(file, speakers, (roles or {}).get("rule"))
    if format not in QUESTIONNAIRE_FORMATS:
        report.warnings = _warnings(report, len(turns), longest, interviewer)
    return report


def _warnings(
    report: SpeakerReport, turns: int, longest: tuple[int, str], interviewer: str | None
) -> list[str]:
    """What looks wrong in a transcript's speakers, each naming the file and what to do."""
    out, file, total = [], report.file, report.words or 1
    if not report.speakers:
        out.append(
            f"{file}: no speaker turns were found; if it is a transcript, start each turn "
            f"with its speaker's label (`Name:`) and ingest it again (see {HOW_TO_FIX})"
        )
    elif len(report.speakers) == 1:
        out.append(
            f"{file}: only one speaker ({report.speakers[0].name}) was found; if others "
            f"spoke, their labels were not recognised: check them (see {HOW_TO_FIX})"
        )
    if turns > 1 and longest[0] / total > ONE_TURN_SHARE:
        out.append(
            f"{file}: one turn of {longest[1]} holds {longest[0] / total:.0%} of the words; "
            "a speaker label inside it may not be recognised: check the labels there"
        )
    share = report.shares().get("interviewer", 0.0)
    if len(report.speakers) > 1 and share > INTERVIEWER_SHARE:
        names = ", ".join(s.name for s in report.speakers if s.role == "interviewer")
        how = "guessed from who asks the questions" if report.rule == INFERRED else report.rule
        out.append(
            f"{file}: interviewer turns ({names}; roles by {how}) hold {share:.0%} of the "
            f"words; if a participant's words are among them, name the interviewer with "
            f"{OPTION} NAME or p.set_speaker_role(...), or check the labels"
        )
    if interviewer and not any(holds(s.name, interviewer) for s in report.speakers):
        listed = ", ".join(s.name for s in report.speakers) or "none"
        out.append(
            f"{file}: {OPTION} {interviewer!r} is none of its speakers ({listed}); "
            f"roles were decided by {report.rule}: give a name its labels use"
        )
    return out


def speaker_table(reports: Iterable[SpeakerReport]) -> str:
    """One row per file: speakers with turns and role, each role's share of words, the rule."""
    rows = [("file", "speakers: turns (I interviewer, P participant)", "int.", "part.", "roles by")]
    for r in reports:
        shown = [f"{s.name}: {s.turns} ({(s.role or '?')[0].upper()})" for s in r.speakers]
        more = len(shown) - MOST_SPEAKERS_SHOWN
        cell = ", ".join(shown[:MOST_SPEAKERS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        shares = r.shares()
        rows.append(
            (
                PurePath(r.file).name,
                cell or "none found",
                f"{shares.get('interviewer', 0):.0%}" if r.speakers else "-",
                f"{shares.get('participant', 0):.0%}" if r.speakers else "-",
                r.rule or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in (2, 3) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
