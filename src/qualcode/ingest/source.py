"""What readers hand to the store: one `Source` per document, with any units already known.

Offsets are Unicode code points into `Source.text`, end exclusive (as spaCy's `Doc.char_span`
and REFI-QDA's `PlainTextSelection`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNIT_KINDS = ("sentence", "turn", "paragraph")


@dataclass(frozen=True, slots=True)
class Unit:
    """A span of a document found at ingest: a sentence, speaker turn or paragraph."""

    kind: str
    start: int
    end: int
    speaker: str | None = None
    role: str | None = None  # "interviewer" | "participant" | None
    meta: dict[str, Any] | None = None  # e.g. {"timestamp": "00:01:23"} or cue times


@dataclass(slots=True)
class Source:
    """One document as read from a file, before it enters the store.

    `text` is already normalised (NFC, `\\n` line ends). `turns` is set by readers that know
    the speakers from the file's structure (VTT/SRT voices); otherwise turns are found in the
    text. `case` and `attributes` describe the participant (the case) the document belongs to.
    """

    title: str
    text: str
    format: str
    path: str | None = None
    case: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    turns: list[Unit] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
