"""Hand-coding features: agreement, consensus, auto-coding, rounds and retrieval (the
codebook itself is `qualcode.codebook`, held by the project as `p.codebook`).

`Retrieval` loads pandas, so it is imported on first use: `import qualcode` and the `qualcode`
command stay quick. The notebook panels built on these are in `qualcode.widgets`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.coding.retrieval import Retrieval

_LAZY = {
    "Retrieval": "qualcode.coding.retrieval",
}

__all__ = ["Retrieval"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qualcode.coding' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
