"""A quote bank: per code, the passages that best represent what people said.

A quote stands alone: each coded passage (overlapping codings of a code merged, so a passage
two coders coded is one passage) is widened to whole sentences within its speaker's turn,
grown by the next (or previous) sentence of the same turn while it is shorter than
`min_words`, and cut at a sentence end near `max_words`; a passage still too short, or in an
interviewer's turn, is never quoted. Widened passages that overlap are one passage.

How a passage is chosen: the passages are turned into
TF-IDF vectors (words and word pairs, over every passage in the selection). A passage's
centrality is the cosine similarity of its vector to the mean of its code's vectors: high when
it uses the words most passages of that code use. Its score is centrality times a length fit
(1 between `min_words` and `max_words`, falling off outside, so a two-word fragment or a whole
page does not win). The best-scoring passages are taken, at most one per person and first from
groups not yet quoted for the code, so the quotes come from different people and groups.
Cases are shown by pseudonymous id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qualcode.analysis.framework import reference
from qualcode.analysis.quote_spans import drop_overlaps, tidy, whole_sentences
from qualcode.analysis.selection import (
    CoderChoice,
    document_texts,
    merge_passages,
    pseudonym,
    select_codings,
    short_names,
)

if TYPE_CHECKING:
    from qualcode.project import Project

COLUMNS = [
    "code",
    "name",
    "rank",
    "quote",
    "case_id",
    "group",
    "reference",
    "words",
    "centrality",
    "score",
    "document_id",
    "start",
    "end",
]


def length_fit(words: int, min_words: int, max_words: int) -> float:
    """1 inside [min_words, max_words], falling off in proportion outside it."""
    if words < min_words:
        return words / min_words
    if words > max_words:
        return max_words / words
    return 1.0


def quote_bank(
    project: Project,
    *,
    area: str | None = None,
    coder: CoderChoice = None,
    per_code: int = 3,
    min_words: int = 8,
    max_words: int = 80,
    group: str = "population_group",
    max_passages: int = 2_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per code, the `per_code` most representative passages (see the module docstring),
    ranked, with a pseudonymous case id, the case's `group` attribute and a reference back
    (document id and offsets). A code with more than `max_passages` passages is scored on a
    sample of that many drawn with `seed`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    codings = select_codings(project, area=area, coder=coder)
    texts = document_texts(project, codings["document_id"].unique())
    passages = merge_passages(codings, texts)
    passages = standalone(project, passages, texts, area=area, min_words=min_words,
                          max_words=max_words)  # fmt: skip
    if passages.empty:
        return pd.DataFrame(columns=COLUMNS)
    groups = (
        codings.drop_duplicates("participant").set_index("participant")[group]
        if group in codings
        else pd.Series(dtype=object)
    )
    rng = np.random.default_rng(seed)
    keep = []
    for _, rows in passages.groupby("code"):
        if len(rows) > max_passages:
            rows = rows.iloc[np.sort(rng.choice(len(rows), max_passages, replace=False))]
        keep.append(rows)
    passages = pd.concat(keep, ignore_index=True)
    vectors = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True).fit(
        passages["text"]
    )
    guid = project.guid
    names = short_names(list(passages["code"].unique()))
    out = []
    for code, rows in passages.groupby("code", sort=True):
        matrix = vectors.transform(rows["text"])
        centre = np.asarray(matrix.mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        sims = matrix @ centre / norm if norm else np.zeros(matrix.shape[0])
        words = rows["text"].str.split().str.len().to_numpy()
        scored = rows.assign(
            words=words,
            centrality=np.round(np.asarray(sims).ravel(), 4),
            score=[
                round(float(c) * length_fit(int(w), min_words, max_words), 4)
                for c, w in zip(np.asarray(sims).ravel(), words, strict=True)
            ],
        ).sort_values(["score", "document_id", "start"], ascending=[False, True, True])
        picked = balanced(scored, groups, per_code)
        for rank, row in enumerate(picked.itertuples(), start=1):
            out.append(
                {
                    "code": code,
                    "name": names[code],
                    "rank": rank,
                    "quote": tidy(row.text),
                    "case_id": pseudonym(guid, row.area, row.case),
                    "group": groups.get(row.participant, None),
                    "reference": reference(row.document_id, row.start, row.end),
                    "words": int(row.words),
                    "centrality": float(row.centrality),
                    "score": float(row.score),
                    "document_id": int(row.document_id),
                    "start": int(row.start),
                    "end": int(row.end),
                }
            )
    order = {p: i for i, p in enumerate(project.codes_df()["path"])}
    frame = pd.DataFrame(out, columns=COLUMNS)
    frame = frame.sort_values(
        ["code", "rank"], key=lambda s: s.map(order) if s.name == "code" else s
    )
    return frame.reset_index(drop=True)


def standalone(
    project: Project,
    passages: pd.DataFrame,
    texts: dict[int, str],
    *,
    area: str | None,
    min_words: int,
    max_words: int,
) -> pd.DataFrame:
    """The passages widened to quotes that stand alone (see `quote_spans.whole_sentences`):
    the interviewer's and those too short left out, overlapping ones of a code made one."""
    if passages.empty:
        return passages
    docs = set(passages["document_id"])
    sentences: dict[int, list[tuple[int, int]]] = {}
    turns: dict[int, list[tuple[int, int, str | None]]] = {}
    for kind, into in (("sentence", sentences), ("turn", turns)):
        units = project.units_df(kind, area=area)
        units = units[units["document_id"].isin(docs)]
        for doc, start, end, role in units[["document_id", "start", "end", "role"]].itertuples(
            index=False, name=None
        ):
            span = (int(start), int(end)) if kind == "sentence" else (int(start), int(end), role)
            into.setdefault(int(doc), []).append(span)  # type: ignore[arg-type]
    rows = []
    for row in passages.to_dict("records"):
        doc = int(row["document_id"])
        span = whole_sentences(
            texts[doc], row["start"], row["end"], sentences=sentences.get(doc, []),
            turns=turns.get(doc, []), min_words=min_words, max_words=max_words,
        )  # fmt: skip
        if span is not None:
            rows.append({**row, "start": span[0], "end": span[1], "text": texts[doc][slice(*span)]})
    if not rows:
        return passages.iloc[0:0]
    widened = pd.DataFrame(rows).sort_values(["code", "document_id", "start"], kind="stable")
    kept = []
    for _, group in widened.groupby("code", sort=False):
        spans = list(zip(group["document_id"], group["start"], group["end"], strict=True))
        kept.append(group.iloc[drop_overlaps(spans)])
    return pd.concat(kept, ignore_index=True)


def balanced(scored: pd.DataFrame, groups: pd.Series, per_code: int) -> pd.DataFrame:
    """The best `per_code` rows of `scored` (best first), one per person, taking first the
    best of each group not yet quoted, so one group's voices do not fill a theme."""
    people: set[str] = set()
    heard: set[object] = set()
    chosen: list[int] = []
    for fresh_groups_only in (True, False):
        for i, person in enumerate(scored["participant"]):
            if len(chosen) == per_code:
                break
            group = groups.get(person, None)
            group = None if not isinstance(group, str) else group
            if person in people or (fresh_groups_only and group in heard):
                continue
            people.add(person)
            heard.add(group)
            chosen.append(i)
    return scored.iloc[sorted(chosen)]
