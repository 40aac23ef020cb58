"""Spans chosen by hand: snap a mouse selection to whole words before it is saved.

People drag across text loosely; a coding that starts mid-word or carries a trailing space
makes quotes ugly and agreement worse. Offsets are code points, end exclusive.
"""

from __future__ import annotations


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
