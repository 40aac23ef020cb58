"""Theme model fit time, peak memory and agreement with the generating themes, at 1k, 10k and
50k units: qualcode's default pipeline (PCA + k-means) versus BERTopic's stock pipeline
(UMAP + HDBSCAN, its defaults) on the same cached embeddings, each fit in a fresh process
(so UMAP pays its numba compilation, as it does in every new kernel or pipeline run).
Goal: >= 5x faster at 10k with comparable agreement.

Units are synthetic: each is drawn from one of 12 themed vocabularies mixed with shared
everyday words and interview fillers; AMI compares topics (outliers as one more cluster)
with the generating theme. Embeddings are TF-IDF -> SVD (128 d), computed once per size and
shared by both pipelines (MiniLM at 50k would take minutes on 2 cores and measure the
embedder, not the topic model). Also: the embedding cache, first and second fit of a
1,000-unit project with MiniLM, in fresh processes (goal: no embedding work the second time).
Runs: 3 at 1k, 1 at 10k and 50k (the stock pipeline at 50k takes about 50 s here).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

SIZES = {1_000: 3, 10_000: 1, 50_000: 1}
THEMES = 12
SEED = 7
WORK = Path(os.environ.get("BENCH_THEMES_DIR") or tempfile.gettempdir()) / "bench_themes"

SHARED = [
    "really",
    "people",
    "time",
    "think",
    "said",
    "just",
    "went",
    "day",
    "week",
    "told",
    "got",
    "know",
    "home",
    "doctor",
    "family",
    "help",
    "little",
    "thing",
    "better",
    "hard",
    "good",
    "bad",
    "long",
    "wait",
    "money",
    "need",
    "told",
    "found",
    "wanted",
]
FILLERS = [
    "yeah",
    "um",
    "er",
    "like",
    "you",
    "know",
    "sort",
    "of",
    "kind",
    "of",
    "well",
    "right",
    "okay",
]


def synthetic(n: int, seed: int = SEED) -> tuple[list[str], np.ndarray]:
    """`n` units, each from one of THEMES vocabularies of 30 made-up theme words."""
    rng = np.random.default_rng(seed)
    vocab = [[f"t{t}w{w}" for w in range(30)] for t in range(THEMES)]
    weights = rng.dirichlet(np.ones(THEMES) * 3)
    themes = rng.choice(THEMES, size=n, p=weights)
    texts = []
    for t in themes:
        length = int(rng.integers(8, 25))
        k = max(2, int(length * rng.uniform(0.25, 0.5)))
        words = list(rng.choice(vocab[t], size=k)) + list(rng.choice(SHARED + FILLERS, length - k))
        if rng.random() < 0.15:  # some units borrow from a second theme
            words += list(rng.choice(vocab[int(rng.integers(THEMES))], size=2))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, themes


def prepare(n: int) -> None:
    """Write the units, themes and their (shared) embeddings once per size."""
    from qualcode.topics.embed import TfidfSVD

    WORK.mkdir(parents=True, exist_ok=True)
    if (WORK / f"emb{n}.npy").exists():
        return
    texts, themes = synthetic(n)
    vectors = TfidfSVD(dim=128, seed=SEED).encode(texts)
    np.save(WORK / f"emb{n}.npy", vectors)
    np.save(WORK / f"themes{n}.npy", themes)
    (WORK / f"texts{n}.txt").write_text("\n".join(texts))


def child_fit(kind: str, n: int) -> None:
    import logging

    from sklearn.metrics import adjusted_mutual_info_score

    logging.disable(logging.WARNING)
    texts = (WORK / f"texts{n}.txt").read_text().split("\n")
    embeddings = np.load(WORK / f"emb{n}.npy")
    themes = np.load(WORK / f"themes{n}.npy")
    t0 = time.perf_counter()
    from bertopic import BERTopic  # both pipelines import it (qualcode's lazily)

    from qualcode.topics.clusters import make_bertopic
    from qualcode.topics.themes import auto_topic_count

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    if kind == "qualcode":  # choosing the number of themes is part of the fit
        k = auto_topic_count(embeddings, seed=SEED)
        model = make_bertopic(seed=SEED, n_units=n, dim=embeddings.shape[1], n_topics=k)
    else:
        model = BERTopic(embedding_model=None)  # stock: UMAP(5, cosine) + HDBSCAN(10)
    labels, _ = model.fit_transform(texts, embeddings=embeddings)
    seconds = time.perf_counter() - t0
    labels = np.asarray(labels)
    report(
        {
            "fit_s": seconds,
            "import_s": t_import,
            "ami": adjusted_mutual_info_score(themes, labels),
            "topics": len(set(labels) - {-1}),
            "outliers": float((labels == -1).mean()),
        }
    )


def child_cache(store: str) -> None:
    import qualcode
    from qualcode.topics import MiniLM, ThemeModel

    calls = {"texts": 0}

    class Counting(MiniLM):
        def encode(self, texts):  # type: ignore[no-untyped-def]
            calls["texts"] += len(texts)
            return super().encode(texts)

    p = qualcode.open_project(store)
    t0 = time.perf_counter()
    ThemeModel(seed=SEED, embedder=Counting(), check_language=False).fit(p, area="synthetic")
    report({"fit_s": time.perf_counter() - t0, "encoded": calls["texts"]})


def cache_store() -> str:
    """A 1,000-unit synthetic project: 50 interviews of 20 participant turns."""
    import qualcode

    store = WORK / "cache.qualcode"
    for old in (store, Path(f"{store}.cache")):
        if old.is_dir():
            import shutil

            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    texts, _ = synthetic(1_000, seed=SEED + 1)
    p = qualcode.open_project(store)
    for d in range(50):
        turns = "\n".join(f"Participant: {t}." for t in texts[d * 20 : (d + 1) * 20])
        p.add_document(f"[SYNTHETIC]\n{turns}\n", area="synthetic", title=f"s{d:02d}")
    p.close()
    return str(store)


def main() -> None:
    if sys.argv[1:2] != ["--cache-only"]:
        fits()
    cache()


def fits() -> None:
    rows = []
    speed = {}
    for n, runs in SIZES.items():
        prepare(n)
        for kind in ("qualcode", "stock"):
            results = [run_child(__file__, "fit", kind, str(n)) for _ in range(runs)]
            speed[(kind, n)] = median(results, "fit_s")
            rows.append(
                [
                    "qualcode PCA+k-means" if kind == "qualcode" else "BERTopic stock UMAP+HDBSCAN",
                    n,
                    runs,
                    median(results, "fit_s"),
                    median(results, "import_s"),
                    median(results, "peak_mb"),
                    median(results, "ami"),
                    median(results, "topics"),
                    median(results, "outliers"),
                ]
            )
    table(
        f"Theme model fit on the same cached embeddings ({THEMES} generating themes)",
        ["pipeline", "units", "runs", "fit s", "import s", "peak MB", "AMI", "topics", "outliers"],
        rows,
    )
    for n in SIZES:
        print(f"speed-up at {n:,}: {speed[('stock', n)] / speed[('qualcode', n)]:.1f}x")


def cache() -> None:
    store = cache_store()
    first = run_child(__file__, "cache", store)
    second = run_child(__file__, "cache", store)
    table(
        "Embedding cache: ThemeModel(embedder=MiniLM).fit, 1,000 units, fresh processes",
        ["fit", "seconds", "texts encoded", "peak MB"],
        [
            ["first (empty cache)", first["fit_s"], first["encoded"], first["peak_mb"]],
            ["second (cached)", second["fit_s"], second["encoded"], second["peak_mb"]],
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        if sys.argv[2] == "fit":
            child_fit(sys.argv[3], int(sys.argv[4]))
        else:
            child_cache(sys.argv[3])
    else:
        main()
