"""A quote bank: per code, the passages that best represent what people said.

How a passage is chosen: each code's passages (overlapping codings merged) are turned into
TF-IDF vectors (words and word pairs, over every passage in the selection). A passage's
centrality is the cosine similarity of its vector to the mean of its code's vectors: high when
it uses the words most passages of that code use. Its score is centrality times a length fit
(1 between `min_words` and `max_words`, falling off outside, so a two-word fragment or a whole
page does not win). The best-scoring passages are taken, at most one per person, so the quotes
come from different people. Cases are shown by pseudonymous id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qualcode.analysis.framework import reference
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
    passages = merge_passages(codings, document_texts(project, codings["document_id"].unique()))
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
        picked = scored.drop_duplicates("participant").head(per_code)
        for rank, row in enumerate(picked.itertuples(), start=1):
            out.append(
                {
                    "code": code,
                    "name": names[code],
                    "rank": rank,
                    "quote": " ".join(row.text.split()),
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
