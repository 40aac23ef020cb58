"""The theme pipeline itself: reduce, cluster, name by class-based TF-IDF (c-TF-IDF).

`TopicFit` does what `BERTopic(embedding_model=None).fit_transform(texts, embeddings)` does
with the same parts (reducer, clusterer, vectorizer; topics renumbered largest first with -1
kept for outliers; keywords by c-TF-IDF with frequent words reduced), giving the same labels
and keywords, without importing BERTopic. Why: `import bertopic` pulls in torch,
transformers, plotly, UMAP and numba (6 s warm, ~20 s cold, ~400 MB) in every report kernel,
for a fit that takes a fraction of a second on cached vectors (issue 18). `make_bertopic`
builds the BERTopic equivalent for comparison (benchmarks/bench_themes.py, the tests).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from qualcode.topics.errors import TopicsError
from qualcode.topics.stopwords import stop_words, strip_fillers

N_CANDIDATES = 30  # keywords ranked per topic before the top `top_n_words` are kept


def auto_topic_size(n_units: int) -> int:
    """A minimum topic size that grows slowly with the corpus (6 at 150 units, 50 at 10k)."""
    return int(max(5, round(n_units**0.5 / 2)))


def make_parts(
    *,
    seed: int,
    n_units: int,
    dim: int,
    reduction: str = "pca",
    n_components: int = 20,
    clustering: str = "kmeans",
    n_topics: int | None = None,
    min_topic_size: int | None = None,
    min_samples: int | None = None,
) -> tuple[Any, Any, Any]:
    """(reducer, clusterer, vectorizer): PCA (or UMAP), k-means (or HDBSCAN), and the
    interview-aware word counter."""
    from sklearn.feature_extraction.text import CountVectorizer

    components = max(2, min(n_components, dim, n_units - 2))
    if reduction == "pca":
        from sklearn.decomposition import PCA

        reducer: Any = PCA(n_components=components, random_state=seed)
    elif reduction == "umap":
        from umap import UMAP

        reducer = UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        )
    else:
        raise TopicsError(f"reduction {reduction!r} is not 'pca' or 'umap'")
    clusterer: Any
    if clustering == "kmeans":
        from sklearn.cluster import KMeans

        if n_topics is None:
            raise TopicsError("k-means needs n_topics (see auto_topic_count)")
        k = max(2, min(n_topics, n_units // 2))
        clusterer = KMeans(n_clusters=k, random_state=seed, n_init="auto")
    elif clustering == "hdbscan":
        import hdbscan

        clusterer = hdbscan.HDBSCAN(
            min_cluster_size=min_topic_size or auto_topic_size(n_units),
            min_samples=min_samples or 1,  # fewer outliers on TF-IDF vectors (bench_themes)
            metric="euclidean",
            cluster_selection_method="eom",
            prediction_data=True,
        )
    else:
        raise TopicsError(f"clustering {clustering!r} is not 'kmeans' or 'hdbscan'")
    vectorizer = CountVectorizer(
        stop_words=stop_words(),
        preprocessor=strip_fillers,
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_']+\b",
        ngram_range=(1, 2),
        min_df=1,  # counted over topics (one document each), not units: 2 left no terms at all
    )  # when a large area fell into one or two topics (bench_theme_quality)
    return reducer, clusterer, vectorizer


def make_bertopic(*, top_n_words: int = 8, **parts: Any) -> Any:
    """The same pipeline as a BERTopic model (imports BERTopic, and with it torch)."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer

    reducer, clusterer, vectorizer = make_parts(**parts)
    return BERTopic(
        embedding_model=None,
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=top_n_words,
        calculate_probabilities=False,
        verbose=False,
    )


class TopicFit:
    """Reduce, cluster and name topics as BERTopic does (see the module docstring)."""

    def __init__(self, reducer: Any, clusterer: Any, vectorizer: Any, *, top_n_words: int = 8):
        self.reducer = reducer
        self.clusterer = clusterer
        self.vectorizer = vectorizer
        self.top_n_words = top_n_words
        self.topics: dict[int, list[tuple[str, float]]] = {}

    def fit_transform(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Topic per text: 0 the largest, -1 for outliers; keywords in `get_topics()`."""
        reduced = np.nan_to_num(self.reducer.fit_transform(embeddings))
        self.clusterer.fit(reduced)
        raw = np.asarray(self.clusterer.labels_, dtype=int)
        labels = _largest_first(raw)
        self.topics = self._keywords(list(texts), labels)
        return labels

    def get_topics(self) -> dict[int, list[tuple[str, float]]]:
        return self.topics

    def _keywords(self, texts: list[str], labels: np.ndarray) -> dict[int, list[tuple[str, float]]]:
        """The top words of each topic by c-TF-IDF (each topic's units joined as one text)."""
        topics = sorted(set(labels.tolist()))
        joined = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == topic)
                  for topic in topics]  # fmt: skip
        counts = self.vectorizer.fit_transform(_clean(joined))
        words = self.vectorizer.get_feature_names_out()
        weights = c_tf_idf(counts)
        n = max(self.top_n_words, N_CANDIDATES)
        indices = _top_n_idx_sparse(weights, n)
        scores = _top_n_values_sparse(weights, indices)
        order = np.argsort(scores, 1)
        indices = np.take_along_axis(indices, order, axis=1)
        scores = np.take_along_axis(scores, order, axis=1)
        return {
            int(topic): [
                (words[i], s) if i is not None and s > 0 else ("", 0.00001)
                for i, s in zip(indices[row][::-1], scores[row][::-1], strict=True)
            ][: self.top_n_words]
            for row, topic in enumerate(topics)
        }


def _largest_first(raw: np.ndarray) -> np.ndarray:
    """Topics renumbered by size, largest 0, -1 kept; ties ordered as BERTopic orders them
    (its sizes, in order of first appearance, sorted by pandas)."""
    import collections

    import pandas as pd

    sizes = collections.Counter(raw.tolist())
    frame = pd.DataFrame(sizes.items(), columns=["old", "size"]).sort_values(
        "size", ascending=False
    )
    frame = frame[frame.old != -1]
    mapping = {-1: -1, **dict(zip(frame.old, range(len(frame)), strict=True))}
    return np.array([mapping[t] for t in raw.tolist()], dtype=int)


def c_tf_idf(counts: Any) -> Any:
    """Class-based TF-IDF with frequent words reduced: each row's counts L1-normalised and
    square-rooted, times log(1 + average words per class / the word's count in all classes)."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    counts = sp.csr_matrix(counts)
    df = np.squeeze(np.asarray(counts.sum(axis=0)))
    average = int(counts.sum(axis=1).mean())
    idf = np.log((average / df) + 1)
    diag = sp.diags(idf, offsets=0, shape=(len(idf), len(idf)), format="csr", dtype=np.float64)
    tf = normalize(counts, axis=1, norm="l1", copy=False)
    tf.data = np.sqrt(tf.data)
    return sp.csr_matrix(tf * diag)


def _clean(texts: list[str]) -> list[str]:
    """Only letters, digits and spaces, as BERTopic counts words ("they'll" -> "theyll")."""
    cleaned = [
        re.sub(r"[^A-Za-z0-9 ]+", "", t.replace("\n", " ").replace("\t", " ")) for t in texts
    ]
    return [t if t != "" else "emptydoc" for t in cleaned]


def _top_n_idx_sparse(matrix: Any, n: int) -> np.ndarray:
    """Column indices of the top `n` values of each row (None where a row has fewer)."""
    rows = []
    for lo, hi in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True):
        pick = min(n, hi - lo)
        values = matrix.indices[lo + np.argpartition(matrix.data[lo:hi], -pick)[-pick:]]
        rows.append([values[i] if len(values) >= i + 1 else None for i in range(n)])
    return np.array(rows)


def _top_n_values_sparse(matrix: Any, indices: np.ndarray) -> np.ndarray:
    return np.array(
        [
            [matrix[row, i] if i is not None else 0 for i in values]
            for row, values in enumerate(indices)
        ]
    )
