"""Machine-found themes as a report (notebooks/03_themes.ipynb): each theme named by keywords a
reader can use and its best quote, its size with the base ("12 of 44 turns (27%)"), and the
codes nearest to it in words, never as scores.

Keywords come from the theme model (c-TF-IDF); here they lose what says nothing to a reader:
stop words and fillers, people's names (speakers, interviewers, cases, common first names),
word pairs that repeat a word ("walk walk"), and words said in only one turn of the theme
(small talk such as "ham", one person's pet word such as "numpty").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.charts import bar_height, whole_number_axis
from qualcode.analysis.quote_spans import tidy, whole_sentences
from qualcode.analysis.report import of_base
from qualcode.analysis.selection import document_texts, pseudonym, short_names
from qualcode.privacy.names import FIRST_NAMES
from qualcode.topics.stopwords import stop_words

if TYPE_CHECKING:
    from qualcode.project import Project

KEYWORDS = 4  # shown per theme
QUOTE_WORDS = (8, 60)  # a theme's quote: whole sentences, at least / about at most
GROUP = "population_group"  # the case attribute shown with a quote


def people_names(project: Project, area: str | None, docs: pd.DataFrame | None = None) -> set[str]:
    """Lower-case words that name people in `area`: speakers' labels, interviewers and cases
    (attributes, from `docs` when the caller has read the area's documents), and the common
    first names privacy detection knows."""
    turns = project.units_df("turn", area=area)
    docs = project.documents_df(area=area) if docs is None else docs
    values = [*turns["speaker"].dropna(), *docs["case"].dropna()]
    if "interviewer" in docs:
        values += list(docs["interviewer"].dropna())
    found = {w for v in values for w in re.findall(r"[^\W\d_]+", str(v).lower())}
    return found | set(FIRST_NAMES)


def readable_keywords(
    keywords: Sequence[str], texts: Sequence[str], *, names: Collection[str], limit: int = KEYWORDS
) -> list[str]:
    """The first `limit` of `keywords` a reader can use (see the module docstring): each word
    neither a stop word, a filler nor a name, a pair never one word twice, and said in at
    least two of the theme's `texts` when it has two or more (unless none is), and not a word
    an earlier keyword holds."""
    stop = set(stop_words())
    # as BERTopic saw them: lower case, only letters, digits and spaces ("they'll" -> "theyll")
    lowered = [
        " ".join(re.sub(r"[^a-z0-9 ]+", "", t.lower().replace("\n", " ")).split()) for t in texts
    ]
    usable = []
    for keyword in keywords:
        words = keyword.lower().split()
        if (
            words
            and len(set(words)) == len(words)
            and not any(w in stop or w in names for w in words)
        ):
            usable.append(keyword.lower())
    repeated = [k for k in usable if sum(f" {k} " in f" {t} " for t in lowered) >= 2]
    kept: list[str] = []
    for keyword in repeated if len(texts) >= 2 and repeated else usable:
        if set(keyword.split()) <= {w for k in kept for w in k.split()}:
            continue  # "north" after "north tees"
        kept.append(keyword)
        if len(kept) == limit:
            break
    return kept


def themes_table(project: Project, themes: Any) -> pd.DataFrame:
    """One row per theme (not the turns with no clear theme), largest first: `theme` (its
    keywords), `size` and `share` ("12 of 44 turns (27%)"), `quote`, `who` (pseudonymous
    participant and group), `codes` (the nearest codes' names, empty when none is near:
    a theme the codebook may be missing)."""
    topics = themes.topics_df()
    units = themes.units_
    docs = project.documents_df(area=themes.area_)
    names = people_names(project, themes.area_, docs)
    texts = document_texts(project, units["document_id"].unique())
    sentences = {  # read once: each theme's quote is cut at their bounds
        int(doc): list(group[["start", "end"]].itertuples(index=False, name=None))
        for doc, group in project.units_df("sentence", area=themes.area_).groupby("document_id")
    }
    groups = docs.set_index("case")[GROUP].to_dict() if GROUP in docs else {}
    rows = []
    for topic, row in topics.sort_values("size", ascending=False).iterrows():
        if topic == -1:
            continue
        mine = units[themes.labels_ == topic]["text"].tolist()
        words = readable_keywords(row["keywords"].split(", "), mine, names=names)
        quote, who = _best_quote(project, themes, int(topic), (texts, sentences, groups))
        near = [] if row["new_code"] else _near_codes(themes, int(topic))
        rows.append(
            {
                "theme": ", ".join(words).capitalize() or "A theme without clear keywords",
                "size": int(row["size"]),
                "share": of_base(int(row["size"]), int(themes.n_units_), unit=f"{themes.unit_}s"),
                "quote": quote,
                "who": who,
                "codes": ", ".join(near),
            }
        )
    return pd.DataFrame(rows, columns=["theme", "size", "share", "quote", "who", "codes"])


def _near_codes(themes: Any, topic: int, n: int = 3) -> list[str]:
    near = themes.nearest_codes_.loc[topic].sort_values(ascending=False).head(n)
    labels = short_names(list(themes.nearest_codes_.columns))
    return [labels[path] for path in near.index]


def _best_quote(
    project: Project,
    themes: Any,
    topic: int,
    area: tuple[dict[int, str], dict[int, list[tuple[int, int]]], dict[str, Any]],
) -> tuple[str, str]:
    """The theme's first representative unit that makes a whole-sentence quote, and who
    said it; `area` is the area's texts, sentence bounds by document, and group by case."""
    texts, sentences, groups = area
    for unit_id in themes.quotes_.get(topic, []):
        unit = themes.units_.loc[unit_id]
        doc = int(unit["document_id"])
        span = whole_sentences(
            texts[doc], int(unit["start"]), int(unit["start"]) + 1,
            sentences=sentences.get(doc, []),
            turns=[(int(unit["start"]), int(unit["end"]), None)],
            min_words=QUOTE_WORDS[0], max_words=QUOTE_WORDS[1],
        )  # fmt: skip
        if span is not None:
            who = f"participant {pseudonym(project.guid, str(unit['area']), str(unit['case']))}"
            group = groups.get(unit["case"])
            who += f", {group}" if isinstance(group, str) and group else ""
            return tidy(texts[doc][slice(*span)]), who
    return "", ""


def themes_markdown(table: pd.DataFrame) -> str:
    """The themes as Markdown sections: keywords as the heading, size, best quote, codes."""
    if table.empty:
        return "No themes to show."
    lines = []
    for number, row in enumerate(table.itertuples(), start=1):
        lines += [f"### {number}. {row.theme}", "", f"{row.share}.", ""]
        if row.quote:
            lines += [f"> “{row.quote}”  \n> — {row.who}", ""]
        lines.append(
            f"Nearest codes in the codebook: {row.codes}."
            if row.codes
            else "No code in the codebook is near this theme: the codebook may be missing it."
        )
        lines.append("")
    return "\n".join(lines)


def themes_chart(table: pd.DataFrame, unit: str) -> Any:
    """Theme sizes as horizontal bars, largest on top, labelled with their keywords."""
    import plotly.express as px

    data = table.iloc[::-1]
    fig = px.bar(data, x="size", y="theme", orientation="h",
                 labels={"size": f"{unit.capitalize()}s", "theme": ""})  # fmt: skip
    fig.update_layout(height=bar_height(len(data)), margin={"l": 10, "r": 10, "t": 30, "b": 10})
    whole_number_axis(fig, float(data["size"].max()) if len(data) else 0.0)
    return fig
