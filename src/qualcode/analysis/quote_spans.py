"""Quotes that stand alone: a coded passage widened to whole sentences of one speaker's turn.

A coder highlights what matters to the code ("— but it was the bus."); a reader of a report
needs the sentence it is in, and sometimes the next one, to follow it. Pure functions on
offsets, so the rules are tested without a store.
"""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[int, int]
Turn = tuple[int, int, str | None]  # start, end, role ("interviewer", "participant" or None)


def _speaker_turn(start: int, end: int, turns: Sequence[Turn]) -> Turn | None:
    """The turn holding most of the passage (None: the passage is outside every turn)."""
    best, overlap = None, 0
    for turn in turns:
        shared = min(end, turn[1]) - max(start, turn[0])
        if shared > overlap:
            best, overlap = turn, shared
    return best


def whole_sentences(
    text: str,
    start: int,
    end: int,
    *,
    sentences: Sequence[Span],
    turns: Sequence[Turn] = (),
    min_words: int = 8,
    max_words: int = 80,
) -> Span | None:
    """`text[start:end]` widened to whole sentences within its speaker's turn, grown by the
    turn's next (else previous) sentence while under `min_words`, and cut at the last
    sentence end within `max_words` (never before the first sentence). None when the passage
    is the interviewer's, outside every turn of a transcript with turns, or still under
    `min_words` with the whole turn taken."""
    low, high = 0, len(text)
    if turns:
        turn = _speaker_turn(start, end, turns)
        if turn is None or turn[2] == "interviewer":
            return None
        low, high = turn[0], turn[1]
        start, end = max(start, low), min(end, high)
    inside = sorted((a, b) for a, b in sentences if a >= low and b <= high and b > a)
    if not inside:
        inside = [(start, end)]
    hits = [i for i, (a, b) in enumerate(inside) if b > start and a < end]
    if not hits:
        return None
    first, last = hits[0], hits[-1]

    def words(i: int, j: int) -> int:
        return len(text[inside[i][0] : inside[j][1]].split())

    while words(first, last) < min_words:
        if last + 1 < len(inside):
            last += 1
        elif first > 0:
            first -= 1
        else:
            return None
    while last > first and words(first, last) > max_words:
        last -= 1
    return inside[first][0], inside[last][1]


def drop_overlaps(spans: Sequence[tuple[int, int, int]]) -> list[int]:
    """Indices of `spans` (document, start, end) to keep so no two kept spans of a document
    overlap: the first of each overlapping run, in the order given."""
    kept: list[int] = []
    taken: dict[int, list[Span]] = {}
    for i, (doc, start, end) in enumerate(spans):
        if any(start < b and a < end for a, b in taken.get(doc, [])):
            continue
        taken.setdefault(doc, []).append((start, end))
        kept.append(i)
    return kept


def tidy(text: str) -> str:
    """A quote on one line, without a bracket left open at its end ("... hear me. (" where a
    sentence ended before "(laughs)")."""
    return " ".join(text.split()).rstrip("([{ ").rstrip()
