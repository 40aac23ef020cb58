"""Code suggestions on held-out hand-coded units: `CodeSuggester` (its default chooses between
words, meaning and a blend by cross-validation on the coder's codings) and each method it can
be fixed to, against the plain baseline (TF-IDF words and pairs + one-vs-rest logistic
regression, the issue's 15 lines of scikit-learn), in the same run on the same splits, on three
corpora:

- interviews: SYNTHETIC two-speaker transcripts from benchmarks/coded_corpus.py (units:
  participant sentences, the suggester's default unit);
- questionnaire: SYNTHETIC short answers from the same generator, coded whole (unit="turn"
  finds no turns in an answer and takes it whole);
- handwritten: benchmarks/data/handwritten/comments.csv (SYNTHETIC, but written by hand one
  comment at a time, not from frames: paraphrase, misspelling, dialect, one-word answers,
  long turns; ~480 comments, 21 codes), each comment a document coded whole.

Split: a seeded shuffle of the documents, `--train` (0.8) of them for training. For the
frame-generated corpora training keeps documents of wording group 0 and the held-out
documents are those of group 1 ("new wording": frames training never saw; see
coded_corpus.py), since held-out text in trained frames is learnt by heart. Every method is
fitted through the real path, `CodeSuggester(method=...).fit(p, coder=CODER, documents=train)`,
and scores the held-out documents with `suggest(..., top_k=3, min_score=0, include_coded=True)`.
The baseline is fitted on exactly the same training units and labels. True codes of a unit:
the codes whose codings cover it (the suggester's own rule, `label_units`).

Metrics, over the held-out units that have at least one true code (n_eval):
- p@1: share of those units whose top suggested code is true;
- p@3: mean share of the top three suggested codes that are true (at most 1/3 for a unit with
  one code: compare methods, not with 1);
- r@3: mean share of a unit's true codes found among its top three;
- what a coder sees at the suggester's default threshold (top 3, score >= 0.3), over all
  held-out units including uncoded ones: suggestions shown per unit, the share of them that
  are true, and the share of true codes shown. The baseline uses the same rule on its own
  predict_proba.

Each (corpus, seed, method) runs in a fresh process (peak memory is its own; embeddings come
from the project's cache, filled once by a warm-up child that also times MiniLM). Figures:
median and range (min-max) over the seeds; fit seconds include cross-validation.

    python benchmarks/bench_suggest.py [--seeds 5] [--train 0.8] [--corpus handwritten]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from coded_corpus import CODER, HANDWRITTEN_AREA, ensure, ensure_handwritten, wording
from common import median, report, run_child, spread, table

WORK = Path(os.environ.get("BENCH_SUGGEST_DIR") or tempfile.gettempdir()) / "bench_suggest"
STORES = {"synthetic": WORK / "coded.qualcode", "handwritten": WORK / "handwritten.qualcode"}
CORPORA = {  # corpus -> (store, area, unit)
    "interviews": ("synthetic", "interviews", "sentence"),
    "questionnaire": ("synthetic", "questionnaire", "turn"),
    "handwritten": ("handwritten", HANDWRITTEN_AREA, "turn"),
}
METHODS = {
    "baseline": "TF-IDF + OvR LR (baseline)",
    "auto": "CodeSuggester() default",
    "words": "CodeSuggester words",
    "meaning": "CodeSuggester meaning",
    "blend": "CodeSuggester blend",
}
THRESHOLD, TOP_K = 0.3, 3
MEDIANS = ("shown_per_unit", "shown_precision", "shown_recall", "n_eval", "fit_s", "suggest_s")


def split(corpus: str, titles: list[str], train_share: float, seed: int) -> tuple[list, list]:
    """Training and held-out documents: see the module docstring."""
    order = np.random.default_rng(seed).permutation(len(titles))
    cut = round(train_share * len(titles))
    train, test = [titles[i] for i in order[:cut]], [titles[i] for i in order[cut:]]
    if CORPORA[corpus][0] == "synthetic":  # new wording: frames training never saw
        return [t for t in train if wording(t) == 0], [t for t in test if wording(t) == 1]
    return train, test


def child_embed(corpora: list[str]) -> None:
    """Fill each project's MiniLM cache for every unit `corpora` use; time the encoding."""
    import qualcode
    from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
    from qualcode.topics.units import select_units

    t0 = time.perf_counter()
    units = 0
    for store, area, unit in (CORPORA[c] for c in corpora):
        p = qualcode.open_project(STORES[store])
        texts = select_units(p, unit, area=area)["text"].tolist()
        embed_texts(texts, get_embedder("minilm"), EmbeddingCache.for_project(p))
        units += len(texts)
        p.close()
    report({"embed_s": time.perf_counter() - t0, "units": units})


def child_run(method: str, corpus: str, train_share: float, seed: int) -> None:
    import qualcode
    from qualcode.topics.suggest import CodeSuggester, label_units
    from qualcode.topics.units import select_units

    store, area, unit = CORPORA[corpus]
    p = qualcode.open_project(STORES[store])
    titles = sorted(d.title for d in p.documents(area=area))
    train, test = split(corpus, titles, train_share, seed)
    test_units = select_units(p, unit, documents=test)
    truth = label_units(test_units, p.codings_df(coder=CODER))
    keys = list(zip(test_units["document_id"], test_units["start"], test_units["end"], strict=True))
    chose = ""
    t0 = time.perf_counter()
    if method != "baseline":
        model = CodeSuggester(method=method).fit(p, coder=CODER, documents=train, unit=unit)
        fit_s = time.perf_counter() - t0
        chose = str(model.choice_)
        t0 = time.perf_counter()
        rows = model.suggest(p, documents=test, top_k=TOP_K, min_score=0.0, include_coded=True)
        ranked: dict[tuple, list[tuple[str, float]]] = {}
        for r in rows.itertuples():
            ranked.setdefault((r.document_id, r.start, r.end), []).append((r.code, r.score))
        top = [sorted(ranked.get(k, []), key=lambda cs: -cs[1]) for k in keys]
    else:
        top, fit_s, t0 = baseline(p, train, unit, test_units["text"].tolist())
    suggest_s = time.perf_counter() - t0
    report({**metrics(top, truth), "fit_s": fit_s, "suggest_s": suggest_s, "chose": chose})


def baseline(p, train: list[str], unit: str, texts: list[str]) -> tuple[list, float, float]:  # type: ignore[no-untyped-def]
    """The issue's plain TF-IDF + one-vs-rest logistic regression: ranked codes per text, fit
    seconds, and the time its scoring started."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    from qualcode.topics.suggest import CodeSuggester

    t0 = time.perf_counter()
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
    scores = model.predict_proba(vectorizer.transform(texts))
    order = np.argsort(-scores, axis=1, kind="stable")[:, :TOP_K]
    return (
        [[(codes[j], float(scores[i, j])) for j in row] for i, row in enumerate(order)],
        fit_s,
        t0,
    )


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
        "shown_per_unit": shown / max(len(truth), 1),
        "shown_precision": shown_true / max(shown, 1),
        "shown_recall": true_shown / max(true_total, 1),
        "n_eval": float(n_eval),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--train", type=float, default=0.8)
    parser.add_argument("--corpus", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--method", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--rebuild", action="store_true", help="write the corpora again")
    args = parser.parse_args()

    if args.rebuild:
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)
    if {CORPORA[c][0] for c in args.corpus} != {"handwritten"}:
        ensure(STORES["synthetic"])
    ensure_handwritten(STORES["handwritten"])
    warm = run_child(__file__, "embed", *args.corpus)
    print(
        f"MiniLM cache: {warm['units']} units in {warm['embed_s']:.1f} s "
        f"(peak {warm['peak_mb']:.0f} MB; 0 s when already cached)"
    )
    rows, chosen = [], {}
    for corpus in args.corpus:
        for method in args.method:
            runs = [
                run_child(__file__, "run", method, corpus, str(args.train), str(seed))
                for seed in range(args.seeds)
            ]
            rows.append(
                [corpus, METHODS[method]]
                + [spread(runs, k) for k in ("p@1", "p@3", "r@3")]
                + [median(runs, k) for k in (*MEDIANS, "peak_mb")]
            )
            print(" | ".join(map(str, rows[-1])), flush=True)  # as it comes: runs are slow
            if method == "auto":
                chosen[corpus] = [r["chose"] for r in runs]
    table(
        f"Code suggestions on held-out units, median (min-max) of {args.seeds} seeded splits "
        f"({args.train:.0%} of documents for training)",
        ["corpus", "method", "p@1", "p@3", "r@3", "shown/unit", "shown prec", "shown rec",
         "eval units", "fit s", "suggest s", "peak MB"],
        rows,
    )  # fmt: skip
    for corpus, choices in chosen.items():
        kinds = collections.Counter(c.split(":")[0] for c in choices)
        print(f"\nThe default on {corpus}: " + ", ".join(f"{k} x{n}" for k, n in kinds.items()))
        print(f"  seed 0: {choices[0]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        if sys.argv[2] == "embed":
            child_embed(sys.argv[3:])
        else:
            child_run(sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6]))
    else:
        main()
