"""Hand-coding: the codebook, codings, and the notebook widgets built on them.

The widgets load ipywidgets, so they are imported on first use: `import qualcode` and the
`qualcode` command stay quick and work without a notebook.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from qualcode.coding.codebook import Codebook

if TYPE_CHECKING:
    from qualcode.coding.editor import CodebookEditor

_LAZY = {
    "CodebookEditor": "qualcode.coding.editor",
    "Coder": "qualcode.coding.coder",
    "Retrieval": "qualcode.coding.retrieval",
    "ConsensusReview": "qualcode.coding.review",
    "RoundManager": "qualcode.coding.round_manager",
}

__all__ = [  # after Codebook, the widgets of _LAZY
    "Codebook",
    "CodebookEditor",
    "Coder",
    "ConsensusReview",
    "Retrieval",
    "RoundManager",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qualcode.coding' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
