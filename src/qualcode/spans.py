"""Spans chosen by hand: snap a mouse selection to whole words before it is saved.

People drag across text loosely; a coding that starts mid-word or carries a trailing space
makes quotes ugly and agreement worse. Offsets are code points, end exclusive.
"""

from __future__ import annotations

import itertools


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’-_"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim whitespace, then widen to whole words; None when nothing but space is selected."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    while start > 0 and _is_word(text[start - 1]) and _is_word(text[start]):
        start -= 1
    while end < len(text) and _is_word(text[end]) and _is_word(text[end - 1]):
        end += 1
    return start, end


class Rewrite:
    """Replace spans of a text and map offsets from the old text to the new one.

    A start inside a replaced span moves to the replacement's start and an end inside it to the
    replacement's end, so a coding of a redacted name still covers its pseudonym: nothing
    coded is lost, and nothing grows beyond what was coded.
    """

    def __init__(self, text: str, replacements: list[tuple[int, int, str]]) -> None:
        spans = sorted(replacements)
        for (s1, e1, _), (s2, _e2, _) in itertools.pairwise(spans):
            if s2 < e1:
                raise ValueError(f"replacements [{s1}:{e1}] and [{s2}:...] overlap")
        if spans and (spans[0][0] < 0 or spans[-1][1] > len(text)):
            raise ValueError("a replacement lies outside the text")
        self.old = text
        self._starts = [s for s, _, _ in spans]
        self._spans = spans
        parts, at, shift = [], 0, 0
        self._new_starts: list[int] = []
        self._shift_after: list[int] = []  # shift for offsets at or after each span's end
        for s, e, new in spans:
            parts.append(text[at:s])
            self._new_starts.append(s + shift)
            parts.append(new)
            shift += len(new) - (e - s)
            self._shift_after.append(shift)
            at = e
        parts.append(text[at:])
        self.text = "".join(parts)

    def start(self, x: int) -> int:
        """Where old offset `x` lands as the start of a span."""
        return self._map(x, end=False)

    def end(self, x: int) -> int:
        """Where old offset `x` lands as the end of a span."""
        return self._map(x, end=True)

    def _map(self, x: int, *, end: bool) -> int:
        import bisect

        i = bisect.bisect_right(self._starts, x - 1 if end else x) - 1
        if i < 0:
            return x
        s, e, new = self._spans[i]
        inside = s < x <= e if end else s <= x < e
        if inside:
            return self._new_starts[i] + (len(new) if end else 0)
        return x + self._shift_after[i]
