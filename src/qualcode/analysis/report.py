"""Pieces of the area report (notebooks/05_area_report.ipynb) in plain words: the opening
summary, tables a non-technical reader can scan, quotes as text, and saving what is shown
(charts, tables, the framework matrix) into the report's folder."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.charts import save_figure, show
from qualcode.analysis.selection import CoderChoice, coders_for
from qualcode.errors import NotFoundError
from qualcode.files import atomic_path
from qualcode.sheets import write_csv

if TYPE_CHECKING:
    from qualcode.project import Project


class Outputs:
    """Shows charts and tables and, when `folder` is set, writes them there too."""

    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder) if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def figure(self, fig: Any, name: str) -> None:
        """Show a chart and save it; the exported report then loads plotly.js from the
        figures folder beside it rather than carrying its own copy."""
        save_figure(fig, self.folder, name)
        show(fig, plotlyjs="figures/plotly.min.js" if self.folder else None)

    def table(self, frame: pd.DataFrame, name: str) -> Path | None:
        if self.folder is None:
            return None
        target = self.folder / f"{name}.csv"
        with atomic_path(target) as tmp:
            write_csv(tmp, frame, index=True)
        return target

    def path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name


def check_area(project: Project, area: str) -> None:
    if area not in project.areas():
        raise NotFoundError(
            f"no area {area!r} in {project.location} (areas: {', '.join(project.areas())}); "
            "set the notebook's `area` parameter to one of them"
        )


def summary(project: Project, area: str, coder: CoderChoice) -> str:
    """The report's opening paragraph, in Markdown."""
    docs = project.documents_df(area=area)
    people = docs["case"].nunique()
    interviews = int((docs["format"] != "csv").sum()) if "format" in docs else len(docs)
    answers = len(docs) - interviews
    names = coders_for(project, coder)
    whose = (
        "the coding the team agreed (the consensus)"
        if coder == "consensus"
        else f"the coding of {', '.join(names) or 'nobody yet'}"
    )
    when = datetime.now(UTC).strftime("%d %B %Y")
    parts = [f"# What we heard in {area.replace('-', ' ').title()}", ""]
    parts.append(
        f"We heard from **{people} people**: {interviews} interviews"
        + (f" and {answers} written answers to a questionnaire" if answers else "")
        + f". This report uses {whose}, and was made on {when} from the project's latest data."
    )
    return "\n".join(parts)


def plain_table(frame: pd.DataFrame, columns: Mapping[str, str]) -> Any:
    """The named columns, renamed to plain words, without the index (a pandas Styler)."""
    shown = frame[list(columns)].rename(columns=dict(columns))
    return shown.style.hide(axis="index").format(precision=0, na_rep="")


def quotes_markdown(quotes: pd.DataFrame, *, codes: list[str], per_code: int = 2) -> str:
    """Quotes as Markdown: a heading per code, each quote with who said it (pseudonymised)."""
    lines = []
    for code in codes:
        rows = quotes[quotes["code"] == code].head(per_code)
        if rows.empty:
            continue
        lines.append(f"### {rows.iloc[0]['name']}")
        for row in rows.itertuples():
            who = f"participant {row.case_id}" + (f", {row.group}" if row.group else "")
            lines.append(
                f"> “{html.escape(row.quote)}”  \n> — {who} <small>{row.reference}</small>"
            )
            lines.append("")
    return "\n".join(lines) or "No coded passages yet."


def seldom_heard(reach: pd.DataFrame) -> str:
    under = reach[reach["under_target"]]
    if reach["target"].isna().all():
        return "No targets have been set for this area yet (see `pipelines/areas.yaml`)."
    if under.empty:
        return "Every group with a target has been reached."
    items = [f"- **{r.group}**: {r.heard} of {r.target} people" for r in under.itertuples()]
    return "Groups we have heard from less than planned (seldom heard):\n\n" + "\n".join(items)


def top_pairs(matrix: pd.DataFrame, n: int = 3) -> str:
    pairs = []
    labels = list(matrix.index)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if matrix.loc[a, b] > 0:
                pairs.append((int(matrix.loc[a, b]), a, b))
    if not pairs:
        return "No two themes came up together yet."
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    items = [f"- **{a}** with **{b}** ({k} times)" for k, a, b in pairs[:n]]
    return "The themes that came up together most often:\n\n" + "\n".join(items)


def by_group_table(frequencies: pd.DataFrame, by: str = "population_group") -> Any:
    """Themes (rows) by group (columns): the percentage of the group's people who raised it."""
    table = frequencies.pivot_table(index="name", columns=by, values="share", fill_value=0)
    table = table.round(0).astype(int)
    table.index.name = "Theme"
    table.columns.name = None
    return table.style.format("{}%")
