"""What a run writes down about itself: package versions, and JSON files written whole."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from qualcode.files import atomic_path

VERSIONS = (
    "qualcode",
    "pandas",
    "papermill",
    "nbconvert",
    "plotly",
    "sqlalchemy",
    "openpyxl",
    "scikit-learn",
)


def package_version(name: str) -> str:
    """An installed package's version, or "not installed"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Python's and the report packages' versions, for a run's manifest."""
    return {"python": platform.python_version(), **{n: package_version(n) for n in VERSIONS}}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write `data` as JSON in one step: a reader never sees half a manifest."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
