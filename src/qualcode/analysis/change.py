"""Since the last report: what a run's figures were, saved beside its report, and what changed
between the previous good run's figures and this run's (new interviews, themes raised by more
or fewer people, new recommendations).

A run saves its figures as `figures.json` in its folder; the pipeline names the previous good
run's folder (`qualcode.pipeline.reports.previous_run`), so a rerun compares like with like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.analysis.selection import CoderChoice, select_codings, short_names
from qualcode.files import atomic_path

if TYPE_CHECKING:
    from qualcode.project import Project

FIGURES = "figures.json"


def figures(project: Project, *, area: str | None = None, coder: CoderChoice = None) -> dict:
    """What this report counts, to compare with the next one: people, interviews (by area
    and title), people per theme, and recommendation texts."""
    from qualcode.analysis.recommendations import recommendations_df

    docs = project.documents_df(area=area)
    codings = select_codings(project, area=area, coder=coder)
    per_code = codings.groupby("code")["participant"].nunique()
    recs = recommendations_df(project, area=area)
    return {
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "people": int((docs["area"].astype(str) + "/" + docs["case"].astype(str)).nunique()),
        "interviews": sorted(f"{r.area}/{r.title}" for r in docs.itertuples()),
        "codes": {str(code): int(n) for code, n in per_code.items()},
        "recommendations": sorted(str(t) for t in recs["text"]) if not recs.empty else [],
    }


def save_figures(folder: str | Path | None, data: dict) -> Path | None:
    """Write the figures into the run's folder (nothing when there is no folder)."""
    if folder is None:
        return None
    target = Path(folder) / FIGURES
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def load_figures(folder: str | Path | None) -> dict | None:
    """A run's saved figures, or None (no previous run, or it saved none)."""
    if folder is None:
        return None
    try:
        return json.loads((Path(folder) / FIGURES).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


@dataclass
class Change:
    """What changed between two reports' figures."""

    since: str | None  # when the previous report was made; None: no previous report
    new_interviews: list[str] = field(default_factory=list)
    removed_interviews: list[str] = field(default_factory=list)
    people: tuple[int, int] = (0, 0)
    grew: list[tuple[str, int, int]] = field(default_factory=list)  # (code, before, after)
    fell: list[tuple[str, int, int]] = field(default_factory=list)
    new_recommendations: list[str] = field(default_factory=list)


def since_last(previous: dict | None, current: dict) -> Change:
    """Compare the previous report's figures with this one's."""
    if not previous:
        return Change(since=None, people=(0, int(current.get("people", 0))))
    before, after = set(previous.get("interviews", [])), set(current.get("interviews", []))
    old, new = previous.get("codes", {}), current.get("codes", {})
    moves = [(c, int(old.get(c, 0)), int(new.get(c, 0))) for c in sorted(set(old) | set(new))]
    recs = set(previous.get("recommendations", []))
    return Change(
        since=previous.get("made"),
        new_interviews=sorted(after - before),
        removed_interviews=sorted(before - after),
        people=(int(previous.get("people", 0)), int(current.get("people", 0))),
        grew=sorted((m for m in moves if m[2] > m[1]), key=lambda m: (m[1] - m[2], m[0])),
        fell=sorted((m for m in moves if m[2] < m[1]), key=lambda m: (m[2] - m[1], m[0])),
        new_recommendations=[t for t in current.get("recommendations", []) if t not in recs],
    )


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%d %B %Y")
    except ValueError:
        return stamp


def _by_area(interviews: list[str]) -> str:
    counts: dict[str, int] = {}
    for key in interviews:
        area = key.split("/", 1)[0]
        counts[area] = counts.get(area, 0) + 1
    return ", ".join(f"{n} in {a.replace('-', ' ').title()}" for a, n in sorted(counts.items()))


def change_markdown(change: Change, *, top: int = 5) -> str:
    """What changed, in plain words, as Markdown."""
    if change.since is None:
        return (
            "This is the first report: there is no earlier one to compare with. The next "
            "report will say what changed since this one."
        )
    lines = [f"Since the last report ({_when(change.since)}):", ""]
    n = len(change.new_interviews)
    lines.append(
        f"- **{n} new interview{'s' if n != 1 else ''}**"
        + (f" ({_by_area(change.new_interviews)})" if n else "")
        + f"; {change.people[1]} people heard in all, {change.people[0]} before."
    )
    if change.removed_interviews:
        lines.append(f"- {len(change.removed_interviews)} interviews were withdrawn.")
    names = short_names([c for c, _, _ in change.grew + change.fell])
    for verb, moves in (("raised by more people", change.grew), ("by fewer", change.fell)):
        if moves:
            items = "; ".join(f"{names[c]} ({a} to {b} people)" for c, a, b in moves[:top])
            lines.append(f"- Themes {verb}: {items}.")
    if not change.grew and not change.fell:
        lines.append("- No theme was raised by more or fewer people.")
    k = len(change.new_recommendations)
    lines.append(f"- {k or 'No'} new recommendation{'s' if k != 1 else ''}.")
    lines += [f"  - {text}" for text in change.new_recommendations[:top]]
    return "\n".join(lines)
