"""The agreement report (notebooks/04_agreement.ipynb) in plain words: which coders were
compared on which transcripts and who was left out of what and why, agreement per theme in
rounded numbers under plain headings, each pair of coders on the transcripts the two share,
and the passages where the coders differ without Python lists.

Which comparison: the overall figures compare the coders on the transcripts they all coded.
A coder who coded only a few of the transcripts the others share would shrink that to those
few (with three coders, two of whom coded nine transcripts and one two, "all coded" is two
transcripts), so the group is the one with the most coder-pair comparisons: transcripts
shared times pairs of coders. Everyone left out is named with the reason, and every pair
that shares a transcript is compared on the transcripts the two share.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.analysis.report import counted
from qualcode.analysis.selection import short_names
from qualcode.coding.agreement import ALL_CODES, agreement_table
from qualcode.coding.bootstrap import alpha_in_words
from qualcode.views import agreement as agreement_views

if TYPE_CHECKING:
    from qualcode.project import Project

MAX_SUBSETS = 12  # coders beyond this are compared all together, not searched for a group


@dataclass
class Comparison:
    """Who is compared on what: `coders` on `documents` for the overall figures; `left_out`
    (coder -> why); `pairs` (coder, coder, the documents both coded); `titles` (id -> title)."""

    coders: list[str]
    documents: list[int]
    left_out: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str, list[int]]] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)

    @property
    def enough(self) -> bool:
        return len(self.coders) >= 2 and bool(self.documents)


def _best_group(by_coder: dict[str, set[int]]) -> tuple[list[str], list[int]]:
    """The coders (two or more) with the most pair comparisons on the documents they all
    coded; ties go to more coders, then names in order."""
    names = sorted(by_coder)
    if len(names) > MAX_SUBSETS:
        return names, sorted(set.intersection(*(by_coder[n] for n in names)))
    best: tuple[int, int, list[str]] = (0, 0, names)
    best_docs: set[int] = set()
    for size in range(len(names), 1, -1):
        for group in combinations(names, size):
            shared = set.intersection(*(by_coder[n] for n in group))
            score = len(shared) * size * (size - 1) // 2
            if (score, size) > best[:2]:
                best, best_docs = (score, size, list(group)), shared
    return best[2], sorted(best_docs)


def comparison(
    project: Project,
    coders: Sequence[str],
    *,
    area: str | None = None,
    documents: Sequence[int] | None = None,
) -> Comparison:
    """Who to compare on what (see the module docstring). With `documents` (a blind round's),
    every coder is compared on them."""
    with project.reading() as conn:
        by_coder = agreement_views.documents_by_coder(conn, list(coders), area=area)
    if documents is not None:
        chosen, docs = list(coders), sorted(documents)
    else:
        chosen, docs = _best_group(by_coder) if len(by_coder) >= 2 else (list(coders), [])
    left_out = {}
    for name in sorted(set(by_coder) - set(chosen)):
        mine = len(by_coder[name] & set(docs))
        left_out[name] = (
            f"coded {mine} of the {counted(len(docs), 'transcript')} the others share; "
            f"comparing everyone on those {mine} alone would rest on too little"
            if mine
            else f"coded none of the {counted(len(docs), 'transcript')} the others share"
        )
    pairs = [
        (a, b, sorted(by_coder[a] & by_coder[b]))
        for a, b in combinations(sorted(by_coder), 2)
        if by_coder[a] & by_coder[b]
    ]
    every = sorted(set().union(*by_coder.values())) if by_coder else []
    titles = {int(d): str(t) for d, t in project.documents_df()["title"].items() if d in every}
    return Comparison(chosen, docs, left_out, pairs, titles)


def comparison_in_words(comp: Comparison) -> str:
    """Which coders were compared on which transcripts, and who was left out and why."""
    if not comp.enough:
        return (
            "Agreement needs two or more coders who coded the same transcripts; "
            f"{_names(comp.coders) or 'nobody'} coded none in common yet."
        )
    listed = ", ".join(comp.titles.get(d, f"number {d}") for d in comp.documents)
    lines = [
        f"This report compares the coding of {_names(comp.coders)} on the "
        f"{counted(len(comp.documents), 'transcript')} they all coded ({listed})."
    ]
    for name, why in comp.left_out.items():
        lines.append(
            f"Left out of the overall figures: {name}, who {why}. {name} is compared with "
            "each other coder below, on the transcripts the two share."
        )
    return "\n\n".join(lines)


def meaning_in_words(unit: str) -> str:
    """What the figures mean, for a reader who has never met them; `unit` is what one
    decision is about ("sentence", "turn" or "paragraph")."""
    units = {"turn": "answer", "sentence": "sentence", "paragraph": "paragraph"}.get(unit, unit)
    return (
        "## Agreement, theme by theme\n\n"
        f"Each {units} of the transcripts is a decision for each theme: did the coder give it "
        f"that theme or not. *Agreement* is the share of {units}s where the coders made the "
        f"same decision; since most {units}s get most themes from nobody, it is high even by "
        "chance. **Cohen's κ** (kappa, for two coders) and **Krippendorff's α** (alpha, for "
        "any number of coders) take out the agreement chance alone would give: 1 is perfect "
        "agreement, 0 no better than chance. α is the figure to report: 0.80 or more supports "
        "firm conclusions, 0.67 is the lowest for tentative ones. The range is where α lies "
        f"with 95% confidence, from 1,000 resamples of the {units}s."
    )


def _names(names: Sequence[str]) -> str:
    names = list(names)
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _number(value: float, places: int = 2) -> str:
    return (
        "–"
        if value is None or math.isnan(value)
        else f"{value + 0.0:.{places}f}".replace("-0.00", "0.00")
    )


def _percent(value: float) -> str:
    """One decimal: 99.6% of sentences alike is not 100%."""
    return "–" if math.isnan(value) else f"{value:.1f}%"


def per_code_table(table: pd.DataFrame) -> pd.DataFrame:
    """An `agreement_table` for a reader: one row per theme and one for all themes, rounded,
    plain headings; Cohen's κ only when two coders were compared."""
    labels = short_names([c for c in table["code"] if c != ALL_CODES])
    shown = pd.DataFrame(
        {
            "Theme": [labels.get(c, "All themes together") for c in table["code"]],
            "Agreement": [_percent(v) for v in table["percent_agreement"]],
        }
    )
    if table["cohen_kappa"].notna().any():
        shown["Cohen's κ"] = [_number(v) for v in table["cohen_kappa"]]
    shown["Krippendorff's α"] = [_number(v) for v in table["krippendorff_alpha"]]
    if "alpha_low" in table:
        shown["α, 95% range"] = [
            f"{_number(lo)} to {_number(hi)}" if not math.isnan(lo) else "–"
            for lo, hi in zip(table["alpha_low"], table["alpha_high"], strict=True)
        ]
    return shown


def overall_in_words(table: pd.DataFrame) -> str:
    """The all-themes row in one plain sentence."""
    row = table[table["code"] == ALL_CODES].iloc[0]
    prefix = "p_alpha_below_"
    p_below = {float(k[len(prefix) :]): row[k] for k in row.index if str(k).startswith(prefix)}
    if "alpha_low" not in row:
        return f"Over all themes, Krippendorff's α is {_number(row['krippendorff_alpha'])}."
    words = alpha_in_words(
        row["krippendorff_alpha"], row["alpha_low"], row["alpha_high"], p_below,
        table.attrs.get("confidence", 0.95),
    )  # fmt: skip
    rounded = re.sub(r"-?\d\.\d{3,}", lambda m: _number(float(m.group())), words)
    return f"Over all themes: {rounded.replace('alpha', 'Krippendorff’s α')}."


def pairs_table(project: Project, comp: Comparison, *, unit: str = "sentence") -> pd.DataFrame:
    """Each pair of coders who share a transcript, on the transcripts the two share."""
    rows = []
    for a, b, docs in comp.pairs:
        table = agreement_table(project, coders=[a, b], unit=unit, documents=docs, bootstrap=0)
        row = table[table["code"] == ALL_CODES].iloc[0]
        rows.append(
            {
                "Coders": f"{a} and {b}",
                "Transcripts both coded": len(docs),
                "Agreement": _percent(row["percent_agreement"]),
                "Cohen's κ": _number(row["cohen_kappa"]),
                "Krippendorff's α": _number(row["krippendorff_alpha"]),
            }
        )
    return pd.DataFrame(rows)


def spans_table(spans: pd.DataFrame) -> pd.DataFrame:
    """A `span_agreement` table for a reader."""
    labels = short_names([c for c in spans["code"] if c != ALL_CODES])
    return pd.DataFrame(
        {
            "Theme": [labels.get(c, "All themes together") for c in spans["code"]],
            "Highlighted passages": spans["segments"].astype(int).tolist(),
            "Matched by the other coders": [
                f"{round(v)}%" if not math.isnan(v) else "–" for v in spans["overlap_agreement"]
            ],
            "Unitizing α": [_number(v) for v in spans["unitizing_alpha"]],
        }
    )


def differences_table(
    differ: pd.DataFrame, coders: Sequence[str], *, words: int = 30
) -> pd.DataFrame:
    """A `disagreements` table for a reader: the transcript, the passage (cut to `words`
    words), each coder's themes there in words, and what they differ on."""
    every = {c for name in coders for v in differ[name] if isinstance(v, list) for c in v}
    labels = short_names(sorted(every | {c for v in differ["differ_on"] for c in v}))

    def themes(value: object) -> str:
        if not isinstance(value, list):
            return str(value)  # "not coded"
        return "; ".join(labels[c] for c in value) or "no theme"

    passage = [
        " ".join(t.split()[:words]) + (" …" if len(t.split()) > words else "")
        for t in differ["text"]
    ]
    shown = pd.DataFrame({"Transcript": differ["title"].tolist(), "Passage": passage})
    for name in coders:
        shown[name] = [themes(v) for v in differ[name]]
    shown["They differ on"] = [themes(v) for v in differ["differ_on"]]
    return shown
