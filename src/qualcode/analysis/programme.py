"""The programme report (notebooks/06_programme_report.ipynb): every area side by side. Who
was heard where against the targets, themes by area, what is common and what is local, the
recommendations and their status by area, and change over waves. Every number is given with
its base ("3 of 9 people"), every area by its name, never an id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.reach import reach
from qualcode.analysis.recommendations import recommendations_df
from qualcode.analysis.selection import CoderChoice, code_name
from qualcode.analysis.waves import case_waves, people_of, wave_order

if TYPE_CHECKING:
    from qualcode.project import Project


def area_name(area: str) -> str:
    """An area's name as a reader writes it ("great-yarmouth" is "Great Yarmouth")."""
    return area.replace("-", " ").replace("_", " ").title()


def summary(project: Project) -> str:
    """The report's opening paragraph, in Markdown."""
    docs = project.documents_df()
    areas = project.areas()
    people = docs.groupby("area")["case"].nunique()
    interviews = int((docs["format"] != "csv").sum())
    answers = len(docs) - interviews
    each = ", ".join(f"{area_name(a)} {int(people.get(a, 0))}" for a in areas)
    when = datetime.now(UTC).strftime("%d %B %Y")
    return "\n".join(
        [
            "# What we heard across the programme",
            "",
            f"This report brings together **{len(areas)} areas**. We heard from "
            f"**{int(people.sum())} people** ({each}): {interviews} interviews"
            + (f" and {answers} written answers to a questionnaire" if answers else "")
            + f". It was made on {when} from the project's latest data.",
        ]
    )


def reach_by_area(project: Project, *, attribute: str = "population_group") -> pd.DataFrame:
    """Groups (rows) by area (columns): "2 of 4" against a target, "2 (no target)" without,
    and a first row with everyone heard in the area."""
    frame = reach(project, attribute=attribute)
    areas = project.areas()
    columns = [area_name(a) for a in areas]
    groups = sorted(frame["group"].unique())
    table = pd.DataFrame("", index=pd.Index(groups, name="Group"), columns=columns, dtype=object)
    for row in frame.itertuples():
        target = None if pd.isna(row.target) else int(row.target)
        cell = f"{row.heard} of {target}" if target is not None else f"{row.heard} (no target)"
        table.loc[row.group, area_name(row.area)] = cell + (" (under)" if row.under_target else "")
    docs = project.documents_df()
    heard = docs.groupby("area")["case"].nunique()
    everyone = pd.DataFrame(
        [[f"{int(heard.get(a, 0))} people" for a in areas]],
        index=pd.Index(["Everyone heard"], name="Group"),
        columns=columns,
    )
    return pd.concat([everyone, table])


def under_target(project: Project, *, attribute: str = "population_group") -> str:
    """The groups heard less than planned, area by area, in Markdown."""
    frame = reach(project, attribute=attribute)
    under = frame[frame["under_target"]]
    if frame["target"].isna().all():
        return "No targets have been set yet (see `pipelines/areas.yaml`)."
    if under.empty:
        return "Every group with a target has been reached in every area."
    lines = ["Groups heard from less than planned (seldom heard):", ""]
    for area, rows in under.groupby("area", sort=True):
        items = "; ".join(f"{r.group} {r.heard} of {int(r.target)}" for r in rows.itertuples())
        lines.append(f"- **{area_name(str(area))}**: {items}")
    return "\n".join(lines)


def themes_by_area(project: Project, *, coder: CoderChoice = None) -> pd.DataFrame:
    """Per area and theme: people who raised it, people heard in the area and the share."""
    frame = code_frequencies(project, coder=coder, by="area")  # `people`: the area's base
    frame["people"] = frame["people"].astype(int)
    return frame[["area", "code", "name", "participants", "people", "share"]]


def themes_table(themes: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """Themes (rows, the `top` raised by most people) by area (columns), each cell
    "3 of 9 people (33%)"."""
    if themes.empty:
        return pd.DataFrame()
    totals = themes.groupby("name")["participants"].sum().sort_values(ascending=False)
    names = [n for n in totals.index if totals[n] > 0][:top]
    areas = sorted(themes["area"].unique())
    people = themes.groupby("area")["people"].first()
    table = pd.DataFrame(index=pd.Index(names, name="Theme"), dtype=object)
    for area in areas:
        mine = themes[themes["area"] == area].set_index("name")["participants"]
        table[area_name(area)] = [people_of(int(mine.get(n, 0)), int(people[area])) for n in names]
    return table


def common_and_local(
    themes: pd.DataFrame,
    *,
    common_share: float = 20.0,
    lead: float = 30.0,
    least: int = 3,
    top: int = 8,
) -> str:
    """What is common (raised by at least `common_share`% of the people of every area) and
    what is local (raised in one area only, or by `lead` points more of one area's people
    than the other areas' average, and by at least `least` people there), in Markdown."""
    used = themes[themes["participants"] > 0]
    areas = int(themes["area"].nunique())
    if used.empty:
        return "No coded passages yet."
    spread = used.groupby("name")["area"].nunique()
    share = themes.pivot_table(index="name", columns="area", values="share", fill_value=0)
    common = [n for n in share.index if (share.loc[n] >= common_share).all()]
    common.sort(key=lambda n: -share.loc[n].min())
    lines = [
        f"**Common to all {areas} areas** (raised by at least {common_share:.0f} in every 100 "
        "people heard in each): " + (", ".join(common) or "no theme") + "."
    ]
    counts = {(r.area, r.name): (int(r.participants), int(r.people)) for r in themes.itertuples()}
    heard = themes.groupby("area")["people"].first()
    local = []
    for row in used.itertuples():
        others = share.loc[row.name].drop(row.area)
        alone = spread[row.name] == 1 and areas > 1
        gap = row.share - (others.mean() if len(others) else 0.0)
        if alone or (gap >= lead and row.participants >= least):
            where = "only in" if alone else "far more in"
            rest = "; ".join(
                f"{people_of(*counts.get((a, row.name), (0, int(heard[a]))))} in {area_name(a)}"
                for a in others.index
            )
            local.append(
                (gap, f"- **{row.name}**, {where} {area_name(row.area)}: "
                 f"{people_of(row.participants, row.people)}; elsewhere {rest}")
            )  # fmt: skip
    local.sort(key=lambda item: -item[0])
    lines += ["", "**Local**: themes raised in one area only, or far more there than elsewhere:"]
    lines += [""] + ([text for _, text in local[:top]] or ["- None."])
    return "\n".join(lines)


def themes_chart(themes: pd.DataFrame, *, top: int = 15) -> Any:
    """Themes by area as a grid of shaded squares, each labelled with people and base: a chart
    that prints (no hover needed to read it)."""
    import plotly.graph_objects as go

    table = themes_table(themes, top=top)
    share = themes.assign(area=themes["area"].map(area_name)).pivot_table(
        index="name", columns="area", values="share", fill_value=0
    )
    share = share.reindex(index=table.index, columns=table.columns).fillna(0)
    labels = table.map(lambda c: c.split(" (")[0].replace(" people", "").replace(" person", ""))
    fig = go.Figure(
        go.Heatmap(
            z=share.values,
            x=list(table.columns),
            y=list(table.index),
            text=labels.values,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": "% of people"},
            hovertemplate="%{y} in %{x}: %{text} people<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(320, 120 + 28 * len(table)),
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig


def recommendations_by_area(project: Project) -> pd.DataFrame:
    """Areas (rows) by status (columns): how many recommendations, with a total."""
    recs = recommendations_df(project)
    if recs.empty:
        return pd.DataFrame()
    recs = recs.assign(area=recs["area"].map(lambda a: a if a.startswith("(") else area_name(a)))
    table = pd.crosstab(recs["area"], recs["status"].str.capitalize(), margins=True,
                        margins_name="All")  # fmt: skip
    table.index.name = "Area"
    table.columns.name = None
    return table


def recommendation_list(project: Project) -> pd.DataFrame:
    """Each recommendation in words: area, text, themes, status and response."""
    recs = recommendations_df(project)
    if recs.empty:
        return pd.DataFrame(columns=["Area", "Recommendation", "Themes", "Status", "Response"])
    return pd.DataFrame(
        {
            "Area": recs["area"].map(lambda a: a if a.startswith("(") else area_name(a)),
            "Recommendation": recs["text"],
            "Themes": recs["codes"].map(lambda c: ", ".join(map(code_name, c))),
            "Status": recs["status"].str.capitalize(),
            "Response": recs["response"].fillna(""),
        }
    )


def people_by_wave(project: Project, *, by: str = "wave", period: str = "quarter") -> pd.DataFrame:
    """Areas (rows) by wave (columns): people heard in each wave."""
    waves = case_waves(project, by=by, period=period)
    if waves.empty:
        return pd.DataFrame()
    table = pd.crosstab(waves["area"].map(area_name), waves["wave"], margins=True,
                        margins_name="All")  # fmt: skip
    table = table[[*wave_order(waves), "All"]]
    table.index.name = "Area"
    table.columns.name = None
    return table


def shown(table: pd.DataFrame) -> Any:
    """A table as the report shows it: its row labels as the first column, no index."""
    return table.reset_index().style.hide(axis="index")
