"""Which codes go together: in the same unit (sentence, turn, paragraph) or on overlapping
spans of text."""

from __future__ import annotations

import math
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.analysis.selection import CoderChoice, select_codings, short_names
from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.project import Project

UNITS = ("sentence", "turn", "paragraph", "overlap")
TOGETHER = {"turn": "answer", "overlap": "passage"}  # a unit in a reader's words


def cooccurrence(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    unit: str = "turn",
) -> pd.DataFrame:
    """A codes x codes matrix of how often two codes go together.

    With `unit` "sentence", "turn" or "paragraph", a cell counts the units a coder gave both
    codes (the diagonal: the units given that code); with "overlap", the pairs of one coder's
    codings whose spans overlap (the diagonal: codings of that code). Counting per coder keeps
    two coders' different codes on one sentence (a disagreement) from passing as a pair.
    Labels are code names (paths where names repeat); the order is the codebook's.
    """
    if unit not in UNITS:
        raise QualcodeError(f"unit {unit!r} is not one of {', '.join(UNITS)}")
    codings = select_codings(project, area=area, coder=coder)
    paths = [p for p in project.codes_df()["path"] if p in set(codings["code"])]
    index = {p: i for i, p in enumerate(paths)}
    matrix = np.zeros((len(paths), len(paths)), dtype=int)
    if unit == "overlap":
        for _, group in codings.groupby(["coder", "document_id"]):
            spans = sorted(zip(group["start"], group["end"], group["code"], strict=True))
            for code in group["code"]:
                matrix[index[code], index[code]] += 1
            for i, (s1, e1, c1) in enumerate(spans):
                for s2, e2, c2 in spans[i + 1 :]:
                    if s2 >= e1:
                        break
                    if c1 != c2 and s1 < e2:
                        matrix[index[c1], index[c2]] += 1
                        matrix[index[c2], index[c1]] += 1
    elif not codings.empty:
        units = project.units_df(unit, area=area)
        units = units[units["document_id"].isin(set(codings["document_id"]))]
        bounds = {
            doc: (g["start"].to_numpy(), g["end"].to_numpy())
            for doc, g in units.sort_values("start").groupby("document_id")
        }
        seen: dict[tuple[str, int, int], set[str]] = {}
        for doc, s, e, code, who in codings[
            ["document_id", "start", "end", "code", "coder"]
        ].itertuples(index=False, name=None):
            if doc not in bounds:
                continue
            starts, ends = bounds[doc]
            first = int(np.searchsorted(ends, s, side="right"))
            last = int(np.searchsorted(starts, e, side="left"))
            for u in range(first, last):
                seen.setdefault((who, doc, u), set()).add(code)
        for codes in seen.values():
            for code in codes:
                matrix[index[code], index[code]] += 1
            for c1, c2 in combinations(sorted(codes), 2):
                matrix[index[c1], index[c2]] += 1
                matrix[index[c2], index[c1]] += 1
    labels = [short_names(paths)[p] for p in paths]
    frame = pd.DataFrame(matrix, index=labels, columns=labels)
    frame.index.name = frame.columns.name = "code"
    frame.attrs["unit"] = unit
    return frame


def cooccurrence_chart(matrix: pd.DataFrame) -> Any:
    """A heatmap of a co-occurrence matrix (the diagonal left blank, so pairs stand out)."""
    import plotly.express as px

    values = matrix.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, np.nan)
    shown = pd.DataFrame(values, index=matrix.index, columns=matrix.columns)
    unit = matrix.attrs.get("unit", "unit")
    fig = px.imshow(
        shown,
        text_auto=True,
        color_continuous_scale="Blues",
        labels={"color": f"Times in the same {TOGETHER.get(unit, unit)}", "x": "", "y": ""},
        aspect="auto",
    )
    largest = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    fig.update_coloraxes(colorbar={"dtick": max(1, math.ceil(largest / 8)), "tickformat": ",d"})
    size = max(360, 60 + 34 * len(matrix))
    fig.update_layout(height=size, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_xaxes(tickangle=-45)
    return fig
