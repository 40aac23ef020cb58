"""The notebook panels (ipywidgets and anywidget): the top layer, beside the command line.

    from qualcode.widgets import Coder, CodebookEditor, Retrieval
    Coder(p, coder="amina")

Panels call the Python API; they never run SQL. Each is imported on first use, so importing
this package does not load ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.widgets.codebook_editor import CodebookEditor
    from qualcode.widgets.coder import Coder
    from qualcode.widgets.consensus_review import ConsensusReview
    from qualcode.widgets.export_panel import ExportPanel
    from qualcode.widgets.merge_panel import MergePanel
    from qualcode.widgets.redaction import RedactionReview
    from qualcode.widgets.retrieval import Retrieval, RetrievalView
    from qualcode.widgets.round_manager import RoundManager
    from qualcode.widgets.speakers import SpeakerEditor
    from qualcode.widgets.transcript import TranscriptView

_LAZY = {
    "CodebookEditor": "qualcode.widgets.codebook_editor",
    "Coder": "qualcode.widgets.coder",
    "ConsensusReview": "qualcode.widgets.consensus_review",
    "ExportPanel": "qualcode.widgets.export_panel",
    "MergePanel": "qualcode.widgets.merge_panel",
    "RedactionReview": "qualcode.widgets.redaction",
    "Retrieval": "qualcode.widgets.retrieval",
    "RetrievalView": "qualcode.widgets.retrieval",
    "RoundManager": "qualcode.widgets.round_manager",
    "SpeakerEditor": "qualcode.widgets.speakers",
    "TranscriptView": "qualcode.widgets.transcript",
}

__all__ = [
    "CodebookEditor",
    "Coder",
    "ConsensusReview",
    "ExportPanel",
    "MergePanel",
    "RedactionReview",
    "Retrieval",
    "RetrievalView",
    "RoundManager",
    "SpeakerEditor",
    "TranscriptView",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qualcode.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
