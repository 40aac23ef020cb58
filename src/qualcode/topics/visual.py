"""Plotly figures of a fitted theme model (plotly is imported only here, only when drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from qualcode.topics.errors import TopicsError

if TYPE_CHECKING:
    import pandas as pd


class FittedThemes(Protocol):
    """What a figure reads of a fitted theme model (`ThemeModel` after `fit`)."""

    area_: str | None
    unit_: str
    n_units_: int
    seed: int
    labels_: np.ndarray
    embeddings_: np.ndarray
    units_: pd.DataFrame
    nearest_codes_: Any

    def label(self, topic: int) -> str: ...

    def topics_df(
        self, *, n_codes: int = 3, code_threshold: float | None = None
    ) -> pd.DataFrame: ...

KINDS = ("barchart", "map", "areas", "codes")


def figure(model: FittedThemes, kind: str, **options: Any) -> Any:
    if kind == "barchart":
        return barchart(model, **options)
    if kind == "map":
        return unit_map(model, **options)
    if kind == "areas":
        return by_group(model, **options)
    if kind == "codes":
        return code_heatmap(model, **options)
    raise TopicsError(f"kind {kind!r} is not one of {', '.join(KINDS)}")


def barchart(model: FittedThemes, *, outliers: bool = False) -> Any:
    """Theme sizes as horizontal bars, labelled with keywords."""
    import plotly.express as px

    df = model.topics_df().reset_index()
    if not outliers:
        df = df[df["id"] != -1]
    df["theme"] = [f"{i}: {label}" for i, label in zip(df["id"], df["label"], strict=True)]
    fig = px.bar(
        df.iloc[::-1],
        x="size",
        y="theme",
        orientation="h",
        hover_data={"keywords": True, "theme": False},
        title=f"Themes in {model.area_ or 'the project'} ({model.n_units_} {model.unit_}s)",
    )
    fig.update_layout(yaxis_title=None, xaxis_title=f"{model.unit_}s", height=200 + 28 * len(df))
    return fig


def unit_map(model: FittedThemes) -> Any:
    """Every unit in 2-D (the first two principal components), coloured by theme."""
    import plotly.express as px
    from sklearn.decomposition import PCA

    xy = PCA(n_components=2, random_state=model.seed).fit_transform(model.embeddings_)
    units = model.units_.assign(
        x=xy[:, 0],
        y=xy[:, 1],
        theme=[f"{t}: {model.label(t)}" for t in model.labels_],
        quote=[t[:120] for t in model.units_["text"]],
    )
    order = sorted(units["theme"].unique(), key=lambda s: (s.startswith("-1"), s))
    return px.scatter(
        units,
        x="x",
        y="y",
        color="theme",
        hover_data={"title": True, "quote": True, "x": False, "y": False},
        category_orders={"theme": order},
        title="Units coloured by theme",
    )


def by_group(model: FittedThemes, *, by: str = "area", share: bool = True) -> Any:
    """Themes by area (or by a case attribute such as population_group), as stacked bars."""
    import plotly.express as px

    units = model.units_
    if by not in units.columns:
        project = getattr(model, "_project", None)
        if project is None:
            raise TopicsError(f"no column {by!r} in the model's units")
        docs = project.documents_df()
        if by not in docs.columns:
            raise TopicsError(
                f"{by!r} is not an area or case attribute; attributes: "
                + ", ".join(c for c in docs.columns if c not in ("title", "sha256", "source"))
            )
        units = units.merge(docs[[by]], left_on="document_id", right_index=True, how="left")
    units = units[units["topic"] != -1].assign(
        theme=lambda f: [f"{t}: {model.label(t)}" for t in f["topic"]]
    )
    counts = units.groupby([by, "theme"]).size().rename("units").reset_index()
    if share:
        counts["units"] = counts["units"] / counts.groupby(by)["units"].transform("sum")
    return px.bar(
        counts,
        x=by,
        y="units",
        color="theme",
        title=f"Themes by {by}" + (" (share of units)" if share else ""),
    )


def code_heatmap(model: FittedThemes) -> Any:
    """Similarity of each theme to each code."""
    import plotly.express as px

    sims = model.nearest_codes_
    if not sims.shape[1]:
        raise TopicsError("the project has no codes to compare themes with")
    sims = sims.drop(index=-1, errors="ignore")
    return px.imshow(
        np.round(sims.to_numpy(), 2),
        x=list(sims.columns),
        y=[f"{t}: {model.label(t)}" for t in sims.index],
        color_continuous_scale="Blues",
        aspect="auto",
        title="Themes and codes (cosine similarity)",
    )
