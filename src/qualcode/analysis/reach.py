"""Reach: how many people were heard per area and group, against the area's targets.

Targets live in the area's config (the `areas.config` JSON column) as
`{"targets": {"population_group": {"Carers": 30, "Young people": 25}}}`: set them with
`set_targets`, or list them per area in `pipelines/areas.yaml`, which the pipeline applies
(`apply_area_config`) before each run. A group under its target is flagged as seldom heard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.charts import bar_height, whole_number_axis
from qualcode.errors import QualcodeError
from qualcode.model import attribute_values
from qualcode.store import areas as area_store
from qualcode.views import reach as reach_views

if TYPE_CHECKING:
    from qualcode.project import Project

NOT_RECORDED = "(not recorded)"
COLUMNS = ["area", "group", "heard", "target", "percent_of_target", "under_target", "note"]


def targets(project: Project, area: str) -> dict[str, dict[str, int]]:
    """The area's targets: attribute -> group -> number of people."""
    with project.reading() as conn:
        return reach_views.targets(conn, area)


def set_targets(
    project: Project,
    area: str,
    targets: Mapping[str, int],
    *,
    attribute: str = "population_group",
    by: str | None = None,
) -> bool:
    """Set the area's targets for one attribute (group -> people); audited. Returns whether
    anything changed (setting the same targets again writes nothing)."""
    clean: dict[str, int] = {}
    for group, number in targets.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise QualcodeError(
                f"target for {group!r} in area {area!r} must be a whole number of people, "
                f"got {number!r}"
            )
        clean[str(group)] = number
    with project.writing() as conn:
        return area_store.set_targets(conn, area, attribute, clean, actor=by or project.user)


def apply_area_config(
    project: Project, areas: Mapping[str, Any], *, by: str = "pipeline"
) -> list[str]:
    """Set targets from a pipelines/areas.yaml `areas:` mapping; returns the areas changed.
    Areas the project does not hold are left for the caller to report."""
    known = set(project.areas())
    changed = []
    for area, spec in (areas or {}).items():
        if area not in known or not isinstance(spec, Mapping):
            continue
        for attribute, groups in (spec.get("targets") or {}).items():
            if not isinstance(groups, Mapping):
                raise QualcodeError(
                    f"targets for {area!r} must map each {attribute} group to a number of people"
                )
            if set_targets(project, area, dict(groups), attribute=attribute, by=by):
                changed.append(area)
    return sorted(set(changed))


def reach(
    project: Project, *, area: str | None = None, attribute: str = "population_group"
) -> pd.DataFrame:
    """Per area and group (the case attribute `attribute`): people heard (cases with a current
    transcript or answer), the target, the percentage reached and `under_target` (seldom heard:
    fewer people than the target). Groups with a target and nobody heard are listed with 0; a
    person with several values is heard in each of their groups."""
    docs = project.documents_df(area=area)
    areas = [area] if area is not None else project.areas()
    rows = []
    for name in areas:
        mine = docs[docs["area"] == name]
        cells = mine[attribute] if attribute in mine else pd.Series(None, index=mine.index)
        # a person in two groups ("Carers; Older people") is heard in both
        groups = [([] if pd.isna(v) else attribute_values(v)) or [NOT_RECORDED] for v in cells]
        people = mine.assign(group=groups).explode("group")
        heard = people.groupby("group")["case"].nunique().to_dict()
        goal = targets(project, name).get(attribute, {})
        for group in sorted(set(heard) | set(goal)):
            target = goal.get(group)
            n = int(heard.get(group, 0))
            under = target is not None and n < target
            rows.append(
                {
                    "area": name,
                    "group": group,
                    "heard": n,
                    "target": target,
                    "percent_of_target": round(100 * n / target, 1) if target else None,
                    "under_target": under,
                    "note": (
                        f"seldom heard: {target - n} more to reach the target"
                        if under and target is not None
                        else ""
                    ),
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["target"] = frame["target"].astype("Int64")
    frame["percent_of_target"] = frame["percent_of_target"].astype(float)
    return frame


def reach_chart(frame: pd.DataFrame) -> Any:
    """People heard per group as bars (groups under target in orange, the others in blue,
    each colour its own legend entry), targets as markers."""
    import plotly.graph_objects as go

    data = frame.sort_values(["heard"], ascending=True)
    label = data["group"] if data["area"].nunique() <= 1 else data["area"] + ": " + data["group"]
    fig = go.Figure()
    under = data["under_target"].astype(bool)
    for rows, colour, name in (
        (~under, "#0072B2", "people heard"),
        (under, "#E69F00", "people heard, under target"),
    ):
        if not rows.any():
            continue
        fig.add_trace(
            go.Bar(
                x=data.loc[rows, "heard"],
                y=label[rows],
                orientation="h",
                marker_color=colour,
                name=name,
                text=[n or "" for n in data.loc[rows, "note"]],
                textposition="none",
                hovertemplate="%{y}: %{x} heard<br>%{text}<extra></extra>",
            )
        )
    has_target = data["target"].notna()
    if has_target.any():
        fig.add_trace(
            go.Scatter(
                x=data.loc[has_target, "target"].astype(float),
                y=label[has_target],
                mode="markers",
                marker={
                    "symbol": "line-ns-open",
                    "size": 22,
                    "color": "black",
                    "line": {"width": 3},
                },
                name="target",
            )
        )
    fig.update_layout(
        height=bar_height(len(data)),
        xaxis_title="People heard",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h"},
        yaxis={"categoryorder": "array", "categoryarray": list(label)},
    )
    largest = max(data["heard"].max(), data["target"].max() if has_target.any() else 0)
    whole_number_axis(fig, float(largest) if len(data) else 0.0)
    return fig
