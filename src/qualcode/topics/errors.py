"""Errors a user can cause when modelling themes or suggesting codes."""

from __future__ import annotations

from qualcode.errors import QualcodeError


class TopicsError(QualcodeError):
    """Theme models or code suggestions cannot run on this input."""


class UnknownEmbedderError(TopicsError):
    """An embedder name that is not one of `qualcode.topics.embed.EMBEDDERS`."""


class ModelNotInstalledError(TopicsError):
    """A named embedding model is not installed (models are never downloaded at run time)."""


class TooFewUnitsError(TopicsError):
    """Too few units of text to find themes in (fewer than `MIN_UNITS`)."""


class EmptyAreaError(TopicsError):
    """The area asked for has no documents."""


class NoCodingsError(TopicsError):
    """The coder has no codings (or too few per code) to learn from."""


class LongDocumentError(TopicsError):
    """A single very long document or unit: themes need many comparable units."""


class NotEnglishError(TopicsError):
    """Text that does not look like English (the stop words and models are English)."""


class NotFittedError(TopicsError):
    """A model used before `fit` (or `load`)."""
