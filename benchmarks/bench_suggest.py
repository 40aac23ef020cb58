"""Code suggestions on held-out hand-coded units: `CodeSuggester` (its defaults: MiniLM
embeddings, calibrated one-vs-rest logistic regression) against a plain TF-IDF + one-vs-rest
logistic regression in the same run, on the same splits, on two SYNTHETIC corpora written by
benchmarks/coded_corpus.py: interview transcripts (units: participant sentences, the
suggester's default unit) and short questionnaire answers (each answer coded as a whole, so a
unit is the whole answer: unit="turn" finds no turns in an answer and takes it whole).

Split: a seeded shuffle of the documents (interviews, or answers) into training and held-out
documents; training keeps the documents of wording group 0 (see coded_corpus.py). "same
wording": held-out documents of group 0 (the frames training saw); "new wording": held-out
documents of group 1 (frames training never saw, as in a new interview). Same training set
for both, so the gap between them is the cost of unseen wording. The suggester is fitted
through the real path, `CodeSuggester().fit(p, coder=CODER, documents=train)`, and scores
the held-out documents with `suggest(..., top_k=3, min_score=0, include_coded=True)`. The
baseline is fitted on exactly the same training units and labels. True codes of a unit: the
codes whose codings cover it (the suggester's own rule, `label_units`).

Metrics, over the held-out units that have at least one true code (n_eval):
- precision@1: share of those units whose top suggested code is true;
- precision@3: mean share of the top three suggested codes that are true (at most 1/3 for a
  unit with one code: compare methods, not with 1);
- recall@3: mean share of a unit's true codes found among its top three;
- shown precision / shown recall: what a coder sees at the suggester's default threshold
  (top 3, score >= 0.3): the share of shown suggestions that are true, over all held-out units
  including uncoded ones, and the share of true codes shown. The baseline uses the same rule
  on its own predict_proba.

Each (corpus, training share, seed, method) runs in a fresh process (peak memory is its own;
embeddings come from the project's cache, filled once by a warm-up child that also times
MiniLM). Figures: median and range (min-max) over the seeds.

    python benchmarks/bench_suggest.py [--seeds 5] [--train 0.5 0.2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from coded_corpus import CODER, ensure, wording
from common import median, report, run_child, spread, table

WORK = Path(os.environ.get("BENCH_SUGGEST_DIR") or tempfile.gettempdir()) / "bench_suggest"
STORE = WORK / "coded.qualcode"
CORPORA = {"interviews": "sentence", "questionnaire": "turn"}  # area -> unit
THRESHOLD, TOP_K = 0.3, 3


def split(
    titles: list[str], train_share: float, seed: int, words: str
) -> tuple[list[str], list[str]]:
    """Training and held-out documents: see the module docstring."""
    order = np.random.default_rng(seed).permutation(len(titles))
    cut = round(train_share * len(titles))
    train = [titles[i] for i in order[:cut] if wording(titles[i]) == 0]
    group = 0 if words == "same" else 1
    return train, [titles[i] for i in order[cut:] if wording(titles[i]) == group]


def child_embed() -> None:
    """Fill the project's MiniLM cache for every unit both corpora use; time the encoding."""
    import qualcode
    from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
    from qualcode.topics.units import select_units

    p = qualcode.open_project(STORE)
    texts = [t for area, unit in CORPORA.items() for t in select_units(p, unit, area=area)["text"]]
    t0 = time.perf_counter()
    embed_texts(texts, get_embedder("minilm"), EmbeddingCache.for_project(p))
    report({"embed_s": time.perf_counter() - t0, "units": len(texts)})


def child_run(method: str, area: str, train_share: float, seed: int, words: str) -> None:
    import qualcode
    from qualcode.topics.suggest import CodeSuggester, label_units
    from qualcode.topics.units import select_units

    p = qualcode.open_project(STORE)
    unit = CORPORA[area]
    titles = sorted(d.title for d in p.documents(area=area))
    train, test = split(titles, train_share, seed, words)
    test_units = select_units(p, unit, documents=test)
    truth = label_units(test_units, p.codings_df(coder=CODER))
    keys = list(zip(test_units["document_id"], test_units["start"], test_units["end"], strict=True))

    t0 = time.perf_counter()
    if method == "suggester":
        model = CodeSuggester().fit(p, coder=CODER, documents=train, unit=unit)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = model.suggest(p, documents=test, top_k=TOP_K, min_score=0.0, include_coded=True)
        ranked: dict[tuple, list[tuple[str, float]]] = {}
        for r in rows.itertuples():
            ranked.setdefault((r.document_id, r.start, r.end), []).append((r.code, r.score))
        top = [sorted(ranked.get(k, []), key=lambda cs: -cs[1]) for k in keys]
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        # the same training units and labels as CodeSuggester.fit (one rule, one place)
        units, labels = CodeSuggester()._training_data(p, CODER, train, unit)
        binarizer = MultiLabelBinarizer()
        Y = binarizer.fit_transform(labels)
        keep = Y.sum(axis=0) > 0
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
        X = vectorizer.fit_transform(units["text"])
        model = OneVsRestClassifier(LogisticRegression(max_iter=2000)).fit(X, Y[:, keep])
        codes = np.asarray(binarizer.classes_)[keep]
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        scores = model.predict_proba(vectorizer.transform(test_units["text"]))
        order = np.argsort(-scores, axis=1, kind="stable")[:, :TOP_K]
        top = [[(codes[j], float(scores[i, j])) for j in row] for i, row in enumerate(order)]
    suggest_s = time.perf_counter() - t0
    report({**metrics(top, truth), "fit_s": fit_s, "suggest_s": suggest_s})


def metrics(top: list[list[tuple[str, float]]], truth: list[set[str]]) -> dict[str, float]:
    """The metrics in the module docstring, from each unit's ranked (code, score) list."""
    p1 = p3 = r3 = 0.0
    n_eval = shown = shown_true = true_total = true_shown = 0
    for ranked, true in zip(top, truth, strict=True):
        codes = [c for c, _ in ranked[:TOP_K]]
        visible = [c for c, s in ranked[:TOP_K] if s >= THRESHOLD]
        shown += len(visible)
        shown_true += len(set(visible) & true)
        if not true:
            continue
        n_eval += 1
        hits = len(set(codes) & true)
        p1 += bool(codes) and codes[0] in true
        p3 += hits / TOP_K
        r3 += hits / len(true)
        true_total += len(true)
        true_shown += len(set(visible) & true)
    n = max(n_eval, 1)
    return {
        "p@1": p1 / n,
        "p@3": p3 / n,
        "r@3": r3 / n,
        "shown_precision": shown_true / max(shown, 1),
        "shown_recall": true_shown / max(true_total, 1),
        "n_eval": float(n_eval),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--train", type=float, nargs="+", default=[0.5])
    parser.add_argument("--wording", nargs="+", default=["new", "same"], choices=["new", "same"])
    parser.add_argument("--rebuild", action="store_true", help="write the corpus again")
    args = parser.parse_args()

    if args.rebuild:
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)
    ensure(STORE)
    warm = run_child(__file__, "embed")
    print(
        f"MiniLM cache: {warm['units']} units in {warm['embed_s']:.1f} s "
        f"(peak {warm['peak_mb']:.0f} MB; 0 s when already cached)"
    )
    rows = []
    for area in CORPORA:
        for share, words, method in itertools.product(
            args.train, args.wording, ("suggester", "baseline")
        ):
            runs = [
                run_child(__file__, "run", method, area, str(share), str(seed), words)
                for seed in range(args.seeds)
            ]
            rows.append(
                [
                    area,
                    share,
                    words,
                    "CodeSuggester (MiniLM)" if method == "suggester" else "TF-IDF + OvR LR",
                    spread(runs, "p@1"),
                    spread(runs, "p@3"),
                    spread(runs, "r@3"),
                    spread(runs, "shown_precision"),
                    spread(runs, "shown_recall"),
                    median(runs, "n_eval"),
                    median(runs, "fit_s"),
                    median(runs, "suggest_s"),
                    median(runs, "peak_mb"),
                ]
            )
    table(
        f"Code suggestions on held-out units, median (min-max) of {args.seeds} seeded splits",
        ["corpus", "train", "wording", "method", "p@1", "p@3", "r@3", "shown prec", "shown rec",
         "eval units", "fit s", "suggest s", "peak MB"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        if sys.argv[2] == "embed":
            child_embed()
        else:
            child_run(sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    else:
        main()
