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

SMALL_BASE = 5  # groups of fewer people get counts, not percentages


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
    """The report's opening paragraph, in Markdown: one count of people (everyone heard, the
    base of every share and a row each in the framework matrix), and whose coding it uses as
    a number of coders, never their logins."""
    docs = project.documents_df(area=area)
    people = docs["case"].nunique()
    interviews = int((docs["format"] != "csv").sum()) if "format" in docs else len(docs)
    answers = len(docs) - interviews
    names = coders_for(project, coder)
    whose = (
        "the coding the team agreed (the consensus)"
        if coder == "consensus"
        else f"the coding of {counted(len(names), 'coder')}"
        if names
        else "no coding yet"
    )
    when = datetime.now(UTC).strftime("%d %B %Y")
    parts = [f"# What we heard in {area_title(area)}", ""]
    parts.append(
        f"We heard from **{counted(people, 'person', 'people')}**: "
        f"{counted(interviews, 'interview')}"
        + (f" and {counted(answers, 'written answer')} to a questionnaire" if answers else "")
        + f". This report uses {whose}, and was made on {when} from the project's latest data."
    )
    return "\n".join(parts)


def area_title(area: str) -> str:
    """An area's name as a heading ("great-yarmouth" -> "Great Yarmouth")."""
    return area.replace("-", " ").title()


def counted(n: int, one: str, many: str | None = None) -> str:
    """ "1 coder", "3 coders"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def of_base(part: int, base: int, *, unit: str = "", small: int = 0) -> str:
    """A share with its base: "12 of 44 turns (27%)"; without the percentage when the base
    is under `small` (a percentage of one or two people says more than they did)."""
    words = f"{part:,} of {base:,}" + (f" {unit}" if unit else "")
    if not base or base < small:
        return words
    return f"{words} ({round(100 * part / base)}%)"


def show_table(frame: pd.DataFrame) -> None:
    """Display a table of plain words: HTML without the index, and the same as text."""
    from IPython.display import display

    styled = frame.style.hide(axis="index").format(precision=0, na_rep="")
    left = [{"selector": "th, td", "props": [("text-align", "left"), ("vertical-align", "top")]}]
    html_table = styled.set_table_styles(left).to_html()
    display({"text/html": html_table, "text/plain": frame.to_string(index=False)}, raw=True)


def plain_table(frame: pd.DataFrame, columns: Mapping[str, str]) -> Any:
    """The named columns, renamed to plain words, without the index (a pandas Styler)."""
    shown = frame[list(columns)].rename(columns=dict(columns))
    return shown.style.hide(axis="index").format(precision=0, na_rep="")


def quotes_markdown(quotes: pd.DataFrame, *, codes: list[str], per_code: int = 2) -> str:
    """Quotes as Markdown: a heading per code, each quote with who said it (pseudonymised)
    and a note number; where each passage is in the transcripts is in `quote_sources`."""
    lines = []
    previous = None
    for number, row in enumerate(_shown_quotes(quotes, codes, per_code).itertuples(), start=1):
        if row.code != previous:
            lines.append(f"### {row.name}")
        previous = row.code
        who = f"participant {row.case_id}" + (f", {row.group}" if _known(row.group) else "")
        lines.append(f"> “{html.escape(row.quote)}”  \n> — {who} <sup>{number}</sup>")
        lines.append("")
    return "\n".join(lines) or "No coded passages yet."


def quote_sources(quotes: pd.DataFrame, *, codes: list[str], per_code: int = 2) -> pd.DataFrame:
    """Where each quote of `quotes_markdown` is, by its note number: for the research team,
    at the end of the report (the evidence workbook has the same per passage)."""
    shown = _shown_quotes(quotes, codes, per_code)
    return pd.DataFrame(
        {
            "Note": range(1, len(shown) + 1),
            "Theme": shown["name"].tolist(),
            "Participant": shown["case_id"].tolist(),
            "Transcript": [f"number {d}" for d in shown["document_id"]],
            "Characters": [
                f"{s:,} to {e:,}" for s, e in zip(shown["start"], shown["end"], strict=True)
            ],
        }
    )


def _shown_quotes(quotes: pd.DataFrame, codes: list[str], per_code: int) -> pd.DataFrame:
    """The first `per_code` quotes of each code, skipping a passage already quoted under an
    earlier code (a passage coded with two themes is quoted once)."""
    taken: list[tuple[int, int, int]] = []
    shown = []
    for code in codes:
        rows = quotes[quotes["code"] == code]
        spans = list(zip(rows["document_id"], rows["start"], rows["end"], strict=True))
        fresh = [
            i
            for i, (doc, start, end) in enumerate(spans)
            if not any(d == doc and start < e and s < end for d, s, e in taken)
        ]
        picked = fresh[:per_code]
        taken += [spans[i] for i in picked]
        shown.append(rows.iloc[picked])
    shown = [rows for rows in shown if not rows.empty]
    return pd.concat(shown, ignore_index=True) if shown else quotes.iloc[0:0]


def _known(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


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


def themes_table(frequencies: pd.DataFrame) -> pd.DataFrame:
    """Themes people raised, each with how many of the people heard raised it, with the
    base: "14 of 48 (29%)" (not codings, which count a passage once per coder)."""
    used = frequencies[frequencies["participants"] > 0]
    return pd.DataFrame(
        {
            "Theme": used["name"].tolist(),
            "People who raised it": [
                of_base(int(n), int(base))
                for n, base in zip(used["participants"], used["people"], strict=True)
            ],
        }
    )


def by_group_table(
    frequencies: pd.DataFrame, by: str = "population_group", *, small: int = SMALL_BASE
) -> pd.DataFrame:
    """Themes (rows) by group (columns, with the group's size): how many of the group's
    people raised each theme, "3 of 9 (33%)"; for a group under `small` people only the
    count ("1 of 2"), since a percentage of one or two people misleads."""
    sizes = frequencies.drop_duplicates(by).set_index(by)["people"]
    counts = frequencies.pivot_table(
        index="name", columns=by, values="participants", fill_value=0, aggfunc="sum"
    )
    table = pd.DataFrame({"Theme": counts.index})
    for group in counts.columns:
        base = int(sizes[group])
        cells = [of_base(int(n), base, small=small) for n in counts[group]]
        table[f"{group} ({counted(base, 'person', 'people')})"] = cells
    return table


def small_base_note(frequencies: pd.DataFrame, by: str = "population_group") -> str:
    """The note under the by-group table: which groups are too small for percentages."""
    sizes = frequencies.drop_duplicates(by).set_index(by)["people"]
    few = [f"{g} ({int(n)})" for g, n in sizes.items() if int(n) < SMALL_BASE]
    if not few:
        return ""
    return (
        f"Groups of fewer than {SMALL_BASE} people are shown as counts without a percentage, "
        f"because a percentage of one or two people says more than they did: {', '.join(few)}."
    )
