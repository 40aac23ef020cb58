"""Checks on the text given to a theme model or suggester, each with a clear message.

The language check is a heuristic, said so in its message: English prose is about 35-50%
common function words ("the", "and", "to", ...); a document of at least 40 words with under
12% of them is taken as not English.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qualcode.topics.errors import LongDocumentError, NotEnglishError, TooFewUnitsError

if TYPE_CHECKING:
    import pandas as pd

MIN_UNITS = 30
MAX_UNIT_CHARS = 20_000  # a "unit" this long is a whole document that was never segmented
MIN_WORDS_FOR_LANGUAGE = 40
MIN_ENGLISH_SHARE = 0.12

ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "into",
        "than",
        "then",
        "so",
        "i",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "his",
        "its",
        "our",
        "their",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "can",
        "could",
        "will",
        "would",
        "should",
        "there",
        "here",
        "what",
        "when",
        "where",
        "who",
        "how",
        "which",
        "just",
        "very",
        "all",
        "some",
        "any",
        "one",
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def english_share(text: str) -> float:
    """The share of words in `text` that are common English function words (0 to 1)."""
    words = _WORD.findall(text.lower())
    if not words:
        return 0.0
    return sum(w in ENGLISH_FUNCTION_WORDS for w in words) / len(words)


def check_units(
    units: pd.DataFrame, *, what: str, min_units: int = MIN_UNITS, language: bool = True
) -> None:
    """Refuse too few units, unsegmented giant units, a single very long document, and
    documents that do not look like English."""
    n = len(units)
    titles = units["title"].unique().tolist() if n else []
    if n and len(titles) == 1:
        length = int(units["end"].max() - units["start"].min())
        if length > MAX_UNIT_CHARS and n < min_units:
            raise LongDocumentError(
                f"{what} is a single very long document, {titles[0]!r} "
                f"({length:,} characters), in only {n} units: it was probably not split into "
                "turns or paragraphs. Split the file into one document per interview, or "
                "use unit='sentence'."
            )
    if n < min_units:
        raise TooFewUnitsError(
            f"{what} has {n} units of text; finding themes needs at least {min_units}. "
            "Add more documents, choose a smaller unit (unit='sentence'), or include "
            "interviewer turns (include_interviewer=True)."
        )
    long = units[(units["end"] - units["start"]) > MAX_UNIT_CHARS]
    if len(long):
        first = long.iloc[0]
        raise LongDocumentError(
            f"document {first['title']!r} has a unit of {first['end'] - first['start']:,} "
            f"characters (limit {MAX_UNIT_CHARS:,}); embeddings read only the start of long "
            "texts. Use unit='sentence' or 'paragraph', or split the document."
        )
    if not language:
        return
    not_english = []
    for title, texts in units.groupby("title", sort=True)["text"]:
        joined = " ".join(texts)
        if len(joined.split()) >= MIN_WORDS_FOR_LANGUAGE and english_share(joined) < (
            MIN_ENGLISH_SHARE
        ):
            not_english.append(str(title))
    if not_english:
        shown = ", ".join(repr(t) for t in not_english[:5])
        more = f" and {len(not_english) - 5} more" if len(not_english) > 5 else ""
        raise NotEnglishError(
            f"{shown}{more} do not look like English (a simple check: too few common English "
            "words such as 'the', 'and', 'to'); the stop words and models are English. "
            "Translate them, leave them out with documents=[...], or pass check_language=False."
        )
