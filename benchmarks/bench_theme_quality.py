"""Theme quality against hand coding: how well ThemeModel's topics line up with people's
codes, for qualcode's default pipeline (PCA + k-means) and BERTopic's stock one (UMAP +
HDBSCAN, its defaults, unseeded) on the same cached MiniLM embeddings, in the same run, on
two SYNTHETIC corpora (benchmarks/coded_corpus.py, shared with bench_suggest.py):
- `handwritten`: 479 comments written by hand one by one, not from frames, each coded whole
  into 21 codes (benchmarks/data/handwritten/README.md); a unit is a whole comment;
- `interviews` (participant sentences) and `questionnaire` (whole answers) of the frame
  corpus. Both pipelines see every unit, uncoded ones included.
- AMI: adjusted mutual information between topic (outliers, -1, as one more cluster) and the
  unit's main code: on the hand-written corpus its first code (the writer's main one), over
  the units with a code; on the frame corpus (codings carry no order) over the units with
  exactly one code;
- AMI all codes (multi-label aware): the same over one row per (unit, code) pair, so a unit
  with two codes counts for both;
- matched codes: the share of codes with a matching topic, a topic whose units are >= 50% that
  code and which holds >= 30% of the code's units (units with several codes count for each);
- topics, outlier share, fit seconds (embeddings cached: the topic model only) and peak MB.
Median of 5 runs (seeds 0-4 for qualcode; the stock pipeline takes no seed), each in a fresh
process.

    python benchmarks/bench_theme_quality.py [--corpora handwritten interviews questionnaire]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_suggest import CORPORA, STORE  # the same corpus, store and units
from coded_corpus import CODER, HANDWRITTEN_AREA, ensure, ensure_handwritten, load_handwritten
from common import median, report, run_child, spread, table

RUNS = 5
HANDWRITTEN_STORE = STORE.parent / "handwritten.qualcode"
UNITS = {**CORPORA, HANDWRITTEN_AREA: "turn"}  # area -> unit (a comment is one unit)
PURITY, COVERAGE = 0.5, 0.3


def child(kind: str, area: str, seed: int) -> None:
    import logging

    import qualcode
    from qualcode.topics.suggest import label_units

    logging.disable(logging.WARNING)
    hand = area == HANDWRITTEN_AREA
    p = qualcode.open_project(HANDWRITTEN_STORE if hand else STORE)
    unit = UNITS[area]
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
    if hand:  # the CSV's codes, in the writer's order (the store's may spell "/" otherwise)
        codes = {c.id: list(c.codes) for c in load_handwritten()}
        labels = [codes[title] for title in units["title"]]
    else:  # no order: only units with exactly one code have a main code
        found = label_units(units, p.codings_df(coder=CODER))
        labels = [sorted(c) if len(c) == 1 else [] for c in found]
        every = [sorted(c) for c in found]
    report({**quality(topics, labels, labels if hand else every), "fit_s": seconds})


def quality(
    topics: np.ndarray, labels: list[list[str]], every: list[list[str]]
) -> dict[str, float]:
    """AMI against each unit's main code (`labels[i][0]`, units with none left out), AMI over
    every (unit, code) pair of `every`, and the share of codes with a matching topic."""
    from sklearn.metrics import adjusted_mutual_info_score

    main = [i for i, codes in enumerate(labels) if codes]
    ami = adjusted_mutual_info_score([labels[i][0] for i in main], [int(topics[i]) for i in main])
    pairs = [(code, int(topics[i])) for i, codes in enumerate(every) for code in codes]
    ami_all = adjusted_mutual_info_score([c for c, _ in pairs], [t for _, t in pairs])
    labels = [set(codes) for codes in every]
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
        "ami_all": float(ami_all),
        "matched": matched / len(codes),
        "codes": float(len(codes)),
        "topics": float(len(set(topics.tolist()) - {-1})),
        "outliers": float((topics == -1).mean()),
        "units": float(len(topics)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", nargs="+", default=[HANDWRITTEN_AREA, *CORPORA])
    areas = parser.parse_args().corpora
    if HANDWRITTEN_AREA in areas:
        ensure_handwritten(HANDWRITTEN_STORE)
    if set(areas) & set(CORPORA):
        ensure(STORE)
    rows = []
    for area in areas:
        for kind in ("qualcode", "stock"):
            runs = [run_child(__file__, kind, area, str(seed)) for seed in range(RUNS)]
            rows.append(
                [
                    f"{area} ({UNITS[area]}s)",
                    "qualcode PCA+k-means" if kind == "qualcode" else "BERTopic stock UMAP+HDBSCAN",
                    int(runs[0]["units"]),
                    spread(runs, "ami"),
                    median(runs, "ami_all"),
                    f"{round(median(runs, 'matched') * runs[0]['codes'])} "
                    f"of {int(runs[0]['codes'])}",
                    median(runs, "topics"),
                    median(runs, "outliers"),
                    median(runs, "fit_s"),
                    median(runs, "peak_mb"),
                ]
            )
    table(
        f"Themes against hand coding (SYNTHETIC corpora, MiniLM, median of {RUNS} runs)",
        ["corpus", "pipeline", "units", "AMI main code (range)", "AMI all codes",
         "codes matched", "topics", "outliers", "fit s", "peak MB"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
