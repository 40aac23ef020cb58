"""Theme suggestions: topic models over transcript units, and code suggestions.

    from qualcode.topics import ThemeModel, CodeSuggester
    themes = ThemeModel(seed=7).fit(p, area="hartlepool", unit="turn")

BERTopic, torch, sentence-transformers and plotly load only when a model is fitted, embedded
or drawn, so importing this package (and `qualcode`) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.topics.errors import (
    EmptyAreaError,
    LongDocumentError,
    ModelNotInstalledError,
    NoCodingsError,
    NotEnglishError,
    NotFittedError,
    TooFewUnitsError,
    TopicsError,
    UnknownEmbedderError,
)

if TYPE_CHECKING:
    from qualcode.topics.embed import Embedder, MiniLM, TfidfSVD, embed_units
    from qualcode.topics.proposals import Proposed, propose_codings
    from qualcode.topics.suggest import CodeSuggester
    from qualcode.topics.themes import Accepted, ThemeModel, fit_area

__all__ = [
    "Accepted",
    "CodeSuggester",
    "Embedder",
    "EmptyAreaError",
    "LongDocumentError",
    "MiniLM",
    "ModelNotInstalledError",
    "NoCodingsError",
    "NotEnglishError",
    "NotFittedError",
    "Proposed",
    "TfidfSVD",
    "ThemeModel",
    "TooFewUnitsError",
    "TopicsError",
    "UnknownEmbedderError",
    "embed_units",
    "fit_area",
    "propose_codings",
]

_WHERE = {
    "ThemeModel": "themes",
    "Accepted": "themes",
    "CodeSuggester": "suggest",
    "Embedder": "embed",
    "MiniLM": "embed",
    "TfidfSVD": "embed",
    "embed_units": "embed",
    "Proposed": "proposals",
    "propose_codings": "proposals",
    "fit_area": "themes",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"qualcode.topics.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'qualcode.topics' has no attribute {name!r}")
