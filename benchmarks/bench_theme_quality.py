"""Theme quality against hand coding: how well ThemeModel's topics line up with the codes of
the SYNTHETIC coded corpus (benchmarks/coded_corpus.py, shared with bench_suggest.py), for
qualcode's default pipeline (PCA + k-means) and BERTopic's stock one (UMAP + HDBSCAN, its
defaults, unseeded) on the same cached MiniLM embeddings, in the same run.

Units: participant sentences of the interviews (the corpus codes whole sentences) and whole
questionnaire answers. Both pipelines see every unit, uncoded chit-chat included.
- AMI: adjusted mutual information between topic (outliers, -1, as one more cluster) and code,
  over the units with exactly one code (a unit with two codes has no single primary code);
- matched codes: the share of codes with a matching topic, a topic whose units are >= 50% that
  code and which holds >= 30% of the code's units (units with several codes count for each);
- topics, outlier share, fit seconds (embeddings cached: the topic model only) and peak MB.
Median of 3 runs (seeds 0-2 for qualcode; the stock pipeline takes no seed), each in a fresh
process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_suggest import CORPORA, STORE  # the same corpus, store and units
from coded_corpus import CODER, ensure
from common import median, report, run_child, spread, table

RUNS = 3
PURITY, COVERAGE = 0.5, 0.3


def child(kind: str, area: str, seed: int) -> None:
    import logging

    import qualcode
    from qualcode.topics.suggest import label_units

    logging.disable(logging.WARNING)
    p = qualcode.open_project(STORE)
    unit = CORPORA[area]
    t0 = time.perf_counter()
    if kind == "qualcode":
        from qualcode.topics import ThemeModel

        model = ThemeModel(seed=seed, embedder="minilm", check_language=False)
        model.fit(p, area=area, unit=unit)
        units, topics = model.units_, model.labels_
    else:
        from bertopic import BERTopic

        from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
        from qualcode.topics.units import select_units

        units = select_units(p, unit, area=area)
        texts = units["text"].tolist()
        vectors = embed_texts(texts, get_embedder("minilm"), EmbeddingCache.for_project(p))
        topics = np.asarray(BERTopic(embedding_model=None).fit_transform(texts, vectors)[0])
    seconds = time.perf_counter() - t0
    labels = label_units(units, p.codings_df(coder=CODER))
    report({**quality(topics, labels), "fit_s": seconds})


def quality(topics: np.ndarray, labels: list[set[str]]) -> dict[str, float]:
    """AMI on single-code units and the share of codes with a matching topic (see above)."""
    from sklearn.metrics import adjusted_mutual_info_score

    single = [i for i, codes in enumerate(labels) if len(codes) == 1]
    ami = adjusted_mutual_info_score(
        [next(iter(labels[i])) for i in single], [int(topics[i]) for i in single]
    )
    codes = sorted({c for codes in labels for c in codes})
    matched = 0
    for code in codes:
        has = np.array([code in codes_ for codes_ in labels])
        for t in set(topics.tolist()) - {-1}:
            in_topic = topics == t
            purity = has[in_topic].mean()
            coverage = (has & in_topic).sum() / has.sum()
            if purity >= PURITY and coverage >= COVERAGE:
                matched += 1
                break
    return {
        "ami": float(ami),
        "matched": matched / len(codes),
        "codes": float(len(codes)),
        "topics": float(len(set(topics.tolist()) - {-1})),
        "outliers": float((topics == -1).mean()),
        "units": float(len(topics)),
    }


def main() -> None:
    ensure(STORE)
    rows = []
    for area, unit in CORPORA.items():
        for kind in ("qualcode", "stock"):
            runs = [run_child(__file__, kind, area, str(seed)) for seed in range(RUNS)]
            rows.append(
                [
                    f"{area} ({unit}s)",
                    "qualcode PCA+k-means" if kind == "qualcode" else "BERTopic stock UMAP+HDBSCAN",
                    int(runs[0]["units"]),
                    spread(runs, "ami"),
                    f"{round(median(runs, 'matched') * runs[0]['codes'])} "
                    f"of {int(runs[0]['codes'])}",
                    median(runs, "topics"),
                    median(runs, "outliers"),
                    median(runs, "fit_s"),
                    median(runs, "peak_mb"),
                ]
            )
    table(
        f"Themes against hand coding (synthetic corpus, MiniLM, median of {RUNS} runs)",
        ["corpus", "pipeline", "units", "AMI (range)", "codes matched", "topics", "outliers",
         "fit s", "peak MB"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
