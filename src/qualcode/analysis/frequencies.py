"""How often each code was used: codings, documents and people, overall or by group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.charts import bar_height, whole_number_axis
from qualcode.analysis.selection import CoderChoice, select_codings, short_names
from qualcode.errors import QualcodeError
from qualcode.views import CODING_COLUMNS

if TYPE_CHECKING:
    from qualcode.project import Project


def code_frequencies(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    by: str | Sequence[str] | None = None,
    question: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per code (and per group of `by`: "area" or any case attribute such as
    "population_group"): codings, documents and participants (people heard on it), `people`
    (the group's people heard: the base of the share) and `share`, the percentage of the
    group's people whose words were given the code.

    Without `by`, every code of the codebook is listed, unused ones with zeros. With
    `question`, only the codings of a questionnaire's answers to it count (and its
    respondents are the people).
    """
    groups = [by] if isinstance(by, str) else list(by or [])
    codings = select_codings(project, area=area, coder=coder, question=question)
    missing = [g for g in groups if g not in codings.columns and not codings.empty]
    if missing:
        attrs = [c for c in codings.columns if c not in _BASE]
        raise QualcodeError(
            f"no case attribute {', '.join(map(repr, missing))}; group by area or one of: "
            f"{', '.join(attrs) or 'no attributes recorded'}"
        )
    docs = project.documents_df(area=area, question=question)
    people = docs.assign(participant=docs["area"].astype(str) + "/" + docs["case"].astype(str))
    for g in groups:
        codings[g] = codings[g].fillna("(not recorded)") if g in codings else []
        if g in people:
            people[g] = people[g].fillna("(not recorded)")
    keys = [*groups, "code"]
    counts = (
        codings.groupby(keys, dropna=False)
        .agg(
            codings=("code", "size"),
            documents=("document_id", "nunique"),
            participants=("participant", "nunique"),
        )
        .reset_index()
    )
    if not groups:
        paths = project.codes_df()["path"].tolist()
        counts = (
            pd.DataFrame({"code": paths})
            .merge(counts, on="code", how="left")
            .fillna({"codings": 0, "documents": 0, "participants": 0})
        )
        heard = people["participant"].nunique()
        counts["people"] = heard
        counts["share"] = 100 * counts["participants"] / heard if heard else 0.0
    else:
        present = [g for g in groups if g in people]
        sizes = people.groupby(present)["participant"].nunique().rename("people").reset_index()
        counts = counts.merge(sizes, on=present, how="left") if present else counts
        counts["share"] = 100 * counts["participants"] / counts.get("people", pd.NA)
        if "people" not in counts:
            counts["people"] = pd.NA
    for col in ("codings", "documents", "participants"):
        counts[col] = counts[col].astype(int)
    counts["people"] = counts["people"].astype("Int64")
    counts["share"] = counts["share"].astype(float).round(1)
    counts.insert(len(groups) + 1, "name", counts["code"].map(short_names(counts["code"].unique())))
    return counts.sort_values(
        [*groups, "participants", "code"], ascending=[*[True] * len(groups), False, True]
    ).reset_index(drop=True)


# columns of codings_df that are not case attributes, plus those added here
_BASE = {*CODING_COLUMNS, "participant", "code_name"}


def frequency_chart(frequencies: pd.DataFrame, *, top: int = 15, by: str | None = None) -> Any:
    """A horizontal bar chart of people heard per code (the `top` codes), coloured by `by`."""
    import plotly.express as px

    used = frequencies[frequencies["participants"] > 0]
    order = used.groupby("name")["participants"].sum().sort_values(ascending=False).head(top).index
    data = used[used["name"].isin(order)]
    fig = px.bar(
        data,
        x="participants",
        y="name",
        color=by,
        orientation="h",
        category_orders={"name": list(order)},
        labels={"participants": "People who talked about it", "name": "", by or "": by or ""},
        hover_data=["codings", "documents", "share"],
    )
    fig.update_layout(height=bar_height(len(order)), margin={"l": 10, "r": 10, "t": 30, "b": 10})
    totals = data.groupby("name")["participants"].sum()
    whole_number_axis(fig, float(totals.max()) if len(totals) else 0.0)
    return fig
