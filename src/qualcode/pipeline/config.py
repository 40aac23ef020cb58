"""`pipelines/areas.yaml`: which notebooks every area runs, with which parameters."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.pipeline.errors import PipelineError

DEFAULT_CONFIG = Path("pipelines/areas.yaml")
DEFAULT_NOTEBOOKS = ["05_area_report.ipynb"]


@dataclass
class Config:
    """`pipelines/areas.yaml`: defaults for every area, and per-area notebooks, parameters and
    targets. Notebook names are found in `notebooks_dir` (relative to the config file)."""

    path: Path | None
    notebooks_dir: Path
    notebooks: list[str]
    parameters: dict[str, Any]
    areas: dict[str, dict[str, Any]]
    keep_runs: int = 10
    lock_max_age_hours: float = 12.0
    waves: dict[str, Any] = field(default_factory=dict)  # how waves are found: by, period
    programme: list[str] = field(default_factory=list)  # notebooks run across all areas
    documents: list[str] = field(default_factory=list)  # reports also written as PDF, Word

    def for_area(self, area: str) -> tuple[list[Path], dict[str, Any]]:
        """The area's notebooks (its own list, else the defaults) and parameters (the
        defaults, overridden by its own)."""
        spec = self.areas.get(area) or {}
        names = spec.get("notebooks", self.notebooks)
        return [self.notebooks_dir / n for n in names], {
            **self.parameters,
            **(spec.get("parameters") or {}),
        }

    def waves_for(self, area: str) -> dict[str, Any]:
        """How the area's waves are found: the defaults' `waves:`, overridden by its own."""
        return {**self.waves, **((self.areas.get(area) or {}).get("waves") or {})}

    def programme_notebooks(self) -> list[Path]:
        """The programme report's notebooks (run once, across all areas, after them)."""
        return [self.notebooks_dir / n for n in self.programme]

    def show_code(self, area: str) -> bool:
        """Whether the area's HTML reports show the notebooks' code (default: no)."""
        return bool((self.areas.get(area) or {}).get("show_code", False))


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a pipeline config; with no path, `pipelines/areas.yaml` if it exists, else the
    defaults (the area report for every area)."""
    import yaml

    explicit = path is not None
    source = Path(path) if path is not None else DEFAULT_CONFIG
    if not source.is_file():
        if explicit:
            raise PipelineError(f"no pipeline config at {source}; see pipelines/areas.yaml")
        return Config(None, Path("notebooks").resolve(), list(DEFAULT_NOTEBOOKS), {}, {})
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PipelineError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PipelineError(f"{source}: expected `defaults:` and `areas:` mappings")
    defaults = data.get("defaults") or {}
    areas = data.get("areas") or {}
    if not isinstance(defaults, dict) or not isinstance(areas, dict):
        raise PipelineError(f"{source}: `defaults` and `areas` must be mappings")
    folder = (source.parent / defaults.get("notebooks_dir", "../notebooks")).resolve()
    return Config(
        path=source,
        notebooks_dir=folder,
        notebooks=list(defaults.get("notebooks", DEFAULT_NOTEBOOKS)),
        parameters=dict(defaults.get("parameters") or {}),
        areas={str(k): (v or {}) for k, v in areas.items()},
        keep_runs=int(defaults.get("keep_runs", 10)),
        lock_max_age_hours=float(defaults.get("lock_max_age_hours", 12.0)),
        waves=_mapping(source, "waves", defaults.get("waves")),
        programme=_names(source, "programme", defaults.get("programme")),
        documents=_names(source, "documents", defaults.get("documents")),
    )


def _mapping(source: Path, key: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PipelineError(f"{source}: `defaults: {key}:` must be a mapping (by:, period:)")
    return dict(value)


def _names(source: Path, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PipelineError(f"{source}: `defaults: {key}:` must be a list of notebook names")
    return list(value)
