"""The objects a researcher handles: documents, codes, codings. Like spaCy's `Span`, a coding
is offsets into one immutable text, cheap to create and easy to print."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Document:
    """One version of a transcript or questionnaire answer; its text never changes."""

    id: int
    guid: str
    area: str
    title: str
    text: str = field(repr=False)
    case: str | None = None
    version: int = 1
    format: str = "txt"
    sha256: str = ""
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Code:
    """A code in the codebook tree; `path` is its name with its ancestors', joined by '/'."""

    id: int
    guid: str
    name: str
    path: str
    parent_id: int | None = None
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str = "#000000"
    shortcut: str | None = None

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class Coding:
    """`code` applied by `coder` to text[start:end] of one document (code points, end exclusive)."""

    id: int
    guid: str
    document_id: int
    start: int
    end: int
    code_id: int
    code: str
    coder: str
    text: str = ""
    memo: str | None = None
    created_at: str = ""

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}] by {self.coder}: {self.text!r}"
