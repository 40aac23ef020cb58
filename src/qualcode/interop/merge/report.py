"""What a merge tells its caller: the counts, the conflicts and the errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qualcode.errors import QualcodeError

KINDS = ("areas", "coders", "codes", "cases", "documents", "codings", "memos", "recommendations")
KEEP = ("ours", "theirs")


class MergeError(QualcodeError):
    """The other project cannot be merged as asked; nothing was written."""


@dataclass(frozen=True)
class Conflict:
    """One thing the two projects disagree on, and the option that settles it."""

    kind: str  # coder | code | document | case | coding | memo
    name: str
    detail: str
    resolve: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r}: {self.detail}; {self.resolve}"


@dataclass
class MergeReport:
    """What a merge added, what was already here, and what conflicts (if any) stopped it."""

    source: str
    target: str
    dry_run: bool = False
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    present: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions applied, things left as ours
    deletions: list[str] = field(default_factory=list)  # what each side's deletions did here

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())

    @property
    def rows_removed(self) -> int:
        """Rows deleted here because the other side had deleted them."""
        return sum(self.removed.values())

    def __str__(self) -> str:
        verb = "would merge" if self.dry_run else "merged"
        lines = [f"{verb} {self.source} into {self.target}"]
        width = max(len(k) for k in KINDS)
        lines.append(f"{'':{width}}  {'added':>7}  {'already here':>12}  {'removed':>7}")
        for kind in KINDS:
            lines.append(
                f"{kind:{width}}  {self.added[kind]:>7}  {self.present[kind]:>12}  "
                f"{self.removed[kind]:>7}"
            )
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"deleted: {n}" for n in self.deletions]
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} conflicts (nothing was written):")
            lines += [f"  - {c}" for c in self.conflicts]
        elif self.dry_run:
            lines.append("no conflicts; dry run: nothing was written")
        return "\n".join(lines)


class MergeConflict(MergeError):
    """The projects disagree; the merge was refused and nothing was written."""

    def __init__(self, report: MergeReport) -> None:
        self.report = report
        listed = "\n".join(f"  - {c}" for c in report.conflicts)
        super().__init__(
            f"{len(report.conflicts)} conflicts merging {report.source}; nothing was merged. "
            f"Settle each with the option named, or see the plan with dry_run=True "
            f"(--dry-run):\n{listed}"
        )


def parse_pairs(values: Sequence[str], what: str, option: str) -> dict[str, str]:
    """`NAME=VALUE` options from the command line, as a dict, or a clear error."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, result = value.rpartition("=")
        if not sep or not name.strip() or not result.strip():
            raise MergeError(f"{option} takes {what}, not {value!r}")
        out[name.strip()] = result.strip()
    return out
