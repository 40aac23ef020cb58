"""ThemeModel: themes in transcript units, seeded, cached, mapped to the codebook.

scikit-learn style: parameters in `__init__`, `fit(project, area=..., unit=...)`, learned
state in attributes ending in `_`. The default pipeline is PCA (20 components) + k-means, with
as many themes as gain most silhouette over structureless data (`auto_topic_count`), on
cached embeddings: chosen by measurement against BERTopic's stock UMAP + HDBSCAN on the same
vectors, it fits in a fraction of the time with no numba compilation in each new process
(benchmarks/bench_themes.py) and lines up with hand coding at least as well
(bench_theme_quality.py), where PCA + HDBSCAN gathered thousands of MiniLM sentence vectors
into two themes. k-means puts every unit in a theme; `clustering="hdbscan"` (the `hdbscan`
package, which can assign new points) leaves unclear units out as theme -1, and
`reduction="umap"` is kept for comparison. The fit is BERTopic's pipeline without importing
BERTopic (`topics.clusters`), so a report kernel on cached vectors never loads torch.
Machine output never becomes a person's coding: `accept` proposes codings owned by the coder
`suggest:themes` (role "model") for review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode.model import SUGGESTION_PREFIX
from qualcode.store import codes as code_store
from qualcode.topics.cache import cache_dir
from qualcode.topics.checks import MIN_UNITS, check_units
from qualcode.topics.clusters import TopicFit, make_parts
from qualcode.topics.embed import EmbeddingCache, embed_texts, get_embedder
from qualcode.topics.errors import NotFittedError, TopicsError
from qualcode.topics.proposals import propose_codings
from qualcode.topics.units import select_units
from qualcode.views import texts as text_views

if TYPE_CHECKING:
    from qualcode.model import Code, Coding
    from qualcode.project import Project

SUGGEST_CODER = "suggest:themes"
OUTLIER_LABEL = "(no clear theme)"
SAVE_FORMAT = 3  # 2: clustering and n_topics; 3: model_ is a TopicFit, not BERTopic


@dataclass
class Accepted:
    """What `ThemeModel.accept` created: the code (new or existing) and proposed codings."""

    code: Code
    created_code: bool
    codings: list[Coding] = field(default_factory=list)
    skipped: int = 0  # units already proposed for this code

    def __repr__(self) -> str:
        made = "new code" if self.created_code else "existing code"
        return (
            f"<Accepted {made} {self.code.path!r}: {len(self.codings)} codings proposed "
            f"by {SUGGEST_CODER}, {self.skipped} already there>"
        )


def auto_topic_count(embeddings: np.ndarray, *, n_components: int = 20, seed: int = 0) -> int:
    """How many themes k-means looks for: the count, from 4 up to the square root of the units
    (at most 100), whose k-means clustering of up to 2,000 units gains most silhouette over
    the same clustering of structureless data (a Gaussian with the units' spread per PCA
    component).

    Why the gain, not the silhouette itself: on text with no sharp clusters (real comments)
    the silhouette is highest for a few coarse splits even of structureless data, and picked 6
    themes where people used ~50 codes (issue 20); the gain cancels that bias and still peaks
    at the true count where clusters are clear (benchmarks/bench_theme_quality.py)."""
    from sklearn.decomposition import PCA

    n = len(embeddings)
    components = max(2, min(n_components, embeddings.shape[1], n - 2))
    reduced = PCA(n_components=components, random_state=seed).fit_transform(embeddings)
    rng = np.random.default_rng(seed)
    sample = reduced[rng.choice(n, size=min(n, 2000), replace=False)]
    structureless = rng.normal(size=sample.shape) * sample.std(axis=0)
    top = int(min(100, max(4, round(n**0.5))))
    grid = sorted({int(k) for k in np.geomspace(4, top, 10).round() if 2 <= k < len(sample) // 2})
    if not grid:
        return 2
    gains = [_silhouette(sample, k, seed) - _silhouette(structureless, k, seed) for k in grid]
    return grid[int(np.argmax(gains))]


def _silhouette(points: np.ndarray, k: int, seed: int) -> float:
    """The silhouette of a seeded k-means clustering of `points` into `k` (-1: one cluster)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    labels = KMeans(n_clusters=k, random_state=seed, n_init="auto").fit_predict(points)
    return float(silhouette_score(points, labels)) if len(set(labels)) > 1 else -1.0


class ThemeModel:
    """Themes (topics) in a project's units, as a researcher's starting point, not a finding.

    >>> themes = ThemeModel(seed=7, embedder="tfidf").fit(p, area="hartlepool", unit="turn")
    >>> themes.topics_df()
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        unit: str = "turn",
        embedder: Any = "minilm",
        min_topic_size: int | None = None,
        min_samples: int | None = None,
        include_interviewer: bool = False,
        reduction: str = "pca",
        n_components: int = 20,
        clustering: str = "kmeans",
        n_topics: int | None = None,
        top_n_words: int = 8,
        n_quotes: int = 3,
        min_units: int = MIN_UNITS,
        check_language: bool = True,
    ) -> None:
        self.seed = seed
        self.unit = unit
        self.embedder = embedder
        self.min_topic_size = min_topic_size
        self.min_samples = min_samples
        self.include_interviewer = include_interviewer
        self.reduction = reduction
        self.n_components = n_components
        self.clustering = clustering
        self.n_topics = n_topics
        self.top_n_words = top_n_words
        self.n_quotes = n_quotes
        self.min_units = min_units
        self.check_language = check_language

    def __repr__(self) -> str:
        if not hasattr(self, "labels_"):
            return f"<ThemeModel seed={self.seed} unit={self.unit!r} embedder={self.embedder!r}>"
        where = self.area_ or "all areas"
        return (
            f"<ThemeModel {len(self.topics_)} themes in {self.n_units_} {self.unit_}s of "
            f"{where}, seed={self.seed}>"
        )

    # fitting ---------------------------------------------------------------------------------

    def fit(
        self,
        project: Project,
        *,
        area: str | None = None,
        unit: str | None = None,
        documents: Any = None,
        question: str | Sequence[str] | None = None,
    ) -> ThemeModel:
        """Find themes in the units of `area` (or the whole project, or `documents`), or of
        the answers to a questionnaire's `question` only."""
        unit = unit or self.unit
        embedder = get_embedder(self.embedder, seed=self.seed)  # unknown names fail first
        units = select_units(
            project,
            unit,
            area=area,
            documents=documents,
            include_interviewer=self.include_interviewer,
            question=question,
        )
        what = f"area {area!r}" if area else "the selection" if documents else "the project"
        if question is not None:
            what = f"the answers to {question!r} in {what}"
        check_units(units, what=what, min_units=self.min_units, language=self.check_language)
        texts = units["text"].tolist()
        cache = EmbeddingCache.for_project(project)
        embeddings = embed_texts(texts, embedder, cache)

        n_topics = self.n_topics
        if n_topics is None and self.clustering == "kmeans":
            n_topics = auto_topic_count(embeddings, n_components=self.n_components, seed=self.seed)
        parts = make_parts(
            seed=self.seed,
            n_units=len(texts),
            dim=embeddings.shape[1],
            reduction=self.reduction,
            n_components=self.n_components,
            clustering=self.clustering,
            n_topics=n_topics,
            min_topic_size=self.min_topic_size,
            min_samples=self.min_samples,
        )
        model = TopicFit(*parts, top_n_words=self.top_n_words)
        np.random.seed(self.seed)  # as BERTopic did: k-means and PCA take their own seeds
        try:
            labels = model.fit_transform(texts, embeddings)
        except (ValueError, TypeError) as exc:
            raise TopicsError(
                f"no themes could be found in {what} ({len(texts)} units): {exc}. "
                "Try a smaller min_topic_size or a smaller unit."
            ) from exc
        labels = np.asarray(labels, dtype=int)

        self._project = project
        self.model_ = model
        self.embedder_ = embedder
        self.project_guid_ = project.guid
        self.area_ = area
        self.unit_ = unit
        self.n_units_ = len(texts)
        self.labels_ = labels
        self.embeddings_ = embeddings
        self.units_ = units.assign(topic=labels)
        self.topic_sizes_ = pd.Series(labels).value_counts().sort_index().to_dict()
        self.topics_ = {
            int(t): [(w, float(s)) for w, s in words if w]
            for t, words in model.get_topics().items()
        }
        self.centroids_ = {
            t: _unit(embeddings[labels == t].mean(axis=0)) for t in self.topic_sizes_
        }
        self.quotes_ = self._representative_quotes()
        self.nearest_codes_ = self._nearest_codes(project, cache)
        return self

    def _representative_quotes(self) -> dict[int, list[int]]:
        """Per topic, the unit ids closest to its centroid (preferring units of 6+ words)."""
        quotes = {}
        words = self.units_["text"].str.split().str.len().to_numpy()
        ids = self.units_.index.to_numpy()
        for t, centroid in self.centroids_.items():
            rows = np.flatnonzero(self.labels_ == t)
            sims = self.embeddings_[rows] @ centroid
            sims = sims - (words[rows] < 6) * 10.0  # short "Yeah, the bus." last
            order = rows[np.argsort(-sims, kind="stable")]
            quotes[t] = [int(i) for i in ids[order[: self.n_quotes]]]
        return quotes

    def _nearest_codes(self, project: Project, cache: EmbeddingCache) -> pd.DataFrame:
        """Cosine similarity of each topic centroid to each code's vector (topics x codes)."""
        codes, definitions, passages = code_texts(project)
        if codes.empty:
            return pd.DataFrame(index=pd.Index(sorted(self.centroids_), name="topic"))
        all_passages = [p for path in codes["path"] for p in passages.get(path, [])]
        vectors = embed_texts(definitions + all_passages, self.embedder_, cache)
        code_vectors = []
        at = len(definitions)
        for i, path in enumerate(codes["path"]):
            own = passages.get(path, [])
            vector = vectors[i]
            if own:
                vector = 0.5 * vector + 0.5 * _unit(vectors[at : at + len(own)].mean(axis=0))
                at += len(own)
            code_vectors.append(_unit(vector))
        topics = sorted(self.centroids_)
        matrix = np.vstack([self.centroids_[t] for t in topics]) @ np.vstack(code_vectors).T
        return pd.DataFrame(
            matrix, index=pd.Index(topics, name="topic"), columns=codes["path"].tolist()
        )

    # results ----------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError("this ThemeModel is not fitted yet: call .fit(project, ...)")

    def label(self, topic: int) -> str:
        """A readable label: the topic's three strongest keywords."""
        self._check_fitted()
        if topic == -1:
            return OUTLIER_LABEL
        words = [w for w, _ in self.topics_.get(topic, [])][:3]
        return ", ".join(words).capitalize() if words else f"Theme {topic}"

    def topics_df(self, *, n_codes: int = 3, code_threshold: float | None = None) -> pd.DataFrame:
        """One row per theme: id, label, keywords, size, share, quotes, nearest codes.

        `new_code` is True where no code is nearer than `code_threshold` (cosine; default
        0.35 for MiniLM, 0.15 for TF-IDF): a theme the codebook may be missing.
        """
        self._check_fitted()
        if code_threshold is None:
            code_threshold = 0.35 if self.embedder_.name.startswith("all-MiniLM") else 0.15
        texts = self.units_["text"]
        rows = []
        for t in sorted(self.topic_sizes_, key=lambda t: (t == -1, t)):
            near = (
                self.nearest_codes_.loc[t].sort_values(ascending=False).head(n_codes)
                if self.nearest_codes_.shape[1]
                else pd.Series(dtype=float)
            )
            rows.append(
                {
                    "id": t,
                    "label": self.label(t),
                    "keywords": ", ".join(w for w, _ in self.topics_.get(t, [])),
                    "size": self.topic_sizes_[t],
                    "share": self.topic_sizes_[t] / self.n_units_,
                    "quotes": [_quote(texts.loc[i]) for i in self.quotes_.get(t, [])],
                    "nearest_codes": [f"{path} ({score:.2f})" for path, score in near.items()],
                    "new_code": t != -1 and (near.empty or float(near.iloc[0]) < code_threshold),
                }
            )
        return pd.DataFrame(rows).set_index("id")

    def quotes_df(self, topic: int) -> pd.DataFrame:
        """The units of one theme, nearest its centre first, with document and offsets."""
        self._check_fitted()
        self._check_topic(topic)
        rows = self.labels_ == topic
        frame = self.units_[rows].copy()
        frame["similarity"] = self.embeddings_[rows] @ self.centroids_[topic]
        return frame.sort_values("similarity", ascending=False).drop(columns="topic")

    def _check_topic(self, topic: int) -> None:
        if topic not in self.topic_sizes_:
            known = ", ".join(str(t) for t in sorted(self.topic_sizes_))
            raise TopicsError(f"no theme {topic!r} in this model; themes are {known}")

    def visualize(self, kind: str = "barchart", **options: Any) -> Any:
        """A plotly figure: "barchart" (sizes and keywords), "map" (units in 2-D, coloured by
        theme), "areas" (themes by area, or by= a case attribute), "codes" (theme x code)."""
        from qualcode.topics import visual

        self._check_fitted()
        return visual.figure(self, kind, **options)

    # themes meet the codebook -------------------------------------------------------------------

    def accept(
        self,
        topic_id: int,
        *,
        as_code: str | None = None,
        coder: str,
        parent: Any = None,
        project: Project | None = None,
    ) -> Accepted:
        """Accept a theme: create the code `as_code` (if new; under `parent`) and propose
        codings of the theme's units to it, owned by the coder `suggest:themes`, for `coder`
        to review. Never writes `coder`'s own codings. Returns what it created."""
        from qualcode.errors import NotFoundError

        self._check_fitted()
        self._check_topic(topic_id)
        if topic_id == -1:
            raise TopicsError("theme -1 holds the units with no clear theme; accept a real theme")
        project = project or getattr(self, "_project", None)
        if project is None:
            raise TopicsError("pass project= (this model was loaded without one)")
        if project.guid != self.project_guid_:
            raise TopicsError("this theme model was fitted on another project; fit it again here")
        name = (as_code or self.label(topic_id)).strip()
        created = False
        try:
            code = project.codebook.get(name)
        except NotFoundError:
            keywords = ", ".join(w for w, _ in self.topics_[topic_id])
            code = project.codebook.add(
                name,
                parent=parent,
                description=f"From theme {topic_id} ({keywords}); accepted by {coder}.",
            )
            created = True
        memo = f"theme {topic_id} '{self.label(topic_id)}' accepted by {coder}"
        quotes = self.quotes_df(topic_id)
        proposed = propose_codings(
            project,
            ((row.document_id, row.start, row.end, code.id, memo) for row in quotes.itertuples()),
            coder=SUGGEST_CODER,
        )
        made, skipped = proposed.codings, proposed.skipped
        return Accepted(code=code, created_code=created, codings=made, skipped=skipped)

    # saving -----------------------------------------------------------------------------------

    def default_name(self) -> str:
        self._check_fitted()
        return f"{self.area_ or 'all'}-{self.unit_}-{self.embedder_.name[:12]}-seed{self.seed}"

    def save(self, project: Project, name: str | None = None) -> Path:
        """Save beside the store (`<store>.cache/themes/<name>.joblib`); returns the path."""
        import joblib

        self._check_fitted()
        if project.guid != self.project_guid_:
            raise TopicsError("this theme model was fitted on another project")
        name = _safe_name(name or self.default_name())
        folder = cache_dir(project) / "themes"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.joblib"
        state = {k: v for k, v in self.__dict__.items() if k != "_project"}
        joblib.dump({"format": SAVE_FORMAT, "state": state}, path, compress=3)
        return path

    @classmethod
    def load(cls, project: Project, name: str) -> ThemeModel:
        """A model saved with `save` for this project (see `ThemeModel.saved(project)`)."""
        import joblib

        path = cache_dir(project) / "themes" / f"{_safe_name(name)}.joblib"
        if not path.is_file():
            known = ", ".join(cls.saved(project)) or "none"
            raise TopicsError(f"no saved theme model {name!r} for this project (saved: {known})")
        data = joblib.load(path)
        if data.get("format") != SAVE_FORMAT:
            raise TopicsError(f"{path} was saved by another version of qualcode; fit it again")
        model = cls.__new__(cls)
        model.__dict__.update(data["state"])
        if model.project_guid_ != project.guid:
            raise TopicsError(f"{path} belongs to another project")
        model._project = project
        return model

    @staticmethod
    def saved(project: Project) -> list[str]:
        """Names of the theme models saved for this project."""
        folder = cache_dir(project) / "themes"
        return sorted(p.stem for p in folder.glob("*.joblib")) if folder.is_dir() else []


def code_texts(project: Project) -> tuple[pd.DataFrame, list[str], dict[str, list[str]]]:
    """What a code's vector is made of: (codes, each code's definition, up to 20 passages
    people coded with it, by path); machine suggestions are left out."""
    codes = project.codes_df()
    if codes.empty:
        return codes, [], {}
    with project.reading() as conn:
        examples = text_views.code_examples(
            conn,
            code_store.tree(conn),
            per_code=20,
            leave_out=SUGGESTION_PREFIX,
            viewer=project.user,
        )
    passages = {path: [text[:1000] for text in texts] for path, texts in examples.items()}
    definitions = [
        ". ".join(s for s in (row.name, row.description, row.inclusion, row.example) if s)
        for row in codes.itertuples()
    ]
    return codes, definitions, passages


def theme_texts(
    project: Project,
    area: str | None,
    *,
    unit: str = "turn",
    include_interviewer: bool = False,
    codes: bool = True,
) -> list[str]:
    """Every text fitting `area`'s themes embeds: its units and (with `codes`) the codes'
    definitions and passages (the same for every area), so they can be embedded ahead, in
    one process (the pipeline does, before the area kernels start); no units when the area
    has none to model."""
    try:
        texts = select_units(project, unit, area=area, include_interviewer=include_interviewer)[
            "text"
        ].tolist()
    except TopicsError:
        texts = []
    if codes:
        _codes, definitions, passages = code_texts(project)
        texts += [*definitions, *(p for ps in passages.values() for p in ps)]
    return texts


def fit_area(
    project: Project,
    area: str | None,
    *,
    unit: str = "turn",
    seed: int = 0,
    embedder: Any = "minilm",
) -> tuple[ThemeModel | None, str]:
    """An area's themes for a report or pipeline run, which must finish whatever the area
    holds: (model, note) when themes were found, (None, reason) when they could not be (too
    few units, not English, ...). Without the MiniLM package it falls back to TF-IDF and says
    so. `note` is Markdown for the report."""
    from qualcode.topics.errors import ModelNotInstalledError

    where = f"**{area}**" if area else "the project"
    fallback = ""
    try:
        get_embedder(embedder, seed=seed)
    except ModelNotInstalledError:
        embedder, fallback = "tfidf", " (TF-IDF: the MiniLM model package is not installed)"
    try:
        model = ThemeModel(seed=seed, embedder=embedder, unit=unit).fit(project, area=area)
    except TopicsError as exc:
        return None, f"No themes for {where}: {exc}"
    found = sum(t != -1 for t in model.topic_sizes_)
    if not found:
        return None, (
            f"No themes for {where}: none of its {model.n_units_} {unit}s gathered into a "
            'theme. Try a smaller unit ("sentence") or more interviews.'
        )
    outliers = model.topic_sizes_.get(-1, 0)
    return model, (
        f"{found} themes in {model.n_units_} {unit}s of {where}{fallback}; "
        f"{outliers} {unit}s had no clear theme. Seed {seed}: the same seed gives the same themes."
    )


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).astype(np.float32)


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    if not cleaned:
        raise TopicsError(f"{name!r} is not usable as a model name")
    return cleaned
