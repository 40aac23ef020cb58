"""The programme report: run once across every area, after the areas, into
`reports/programme/<run-id>/` with `latest` and `last-good.json` like an area's, and skipped
when nothing changed (every area's inputs, the notebooks and the parameters are as at its
last good run)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.pipeline.config import Config
from qualcode.pipeline.inputs import area_inputs, inputs_hash
from qualcode.pipeline.jobs import AreaJob, AreaResult
from qualcode.pipeline.reports import last_good, skipped

if TYPE_CHECKING:
    from qualcode.project import Project

PROGRAMME = "programme"  # its folder under reports/, beside the areas'


def programme_parameters(config: Config) -> dict[str, Any]:
    """The programme notebook's parameters: the defaults, and how waves are found."""
    waves = config.waves or {}
    return {
        **config.parameters,
        "wave_by": waves.get("by", "wave"),
        "period": waves.get("period", "quarter"),
    }


def programme_job(
    project: Project,
    config: Config,
    reports: Path,
    *,
    project_ref: str,
    force: bool = False,
) -> AreaJob | AreaResult | None:
    """The programme report's job; a result instead when it is skipped (nothing changed)
    or cannot run (a notebook missing, an area named "programme"); None when the config
    names no programme report."""
    notebooks = config.programme_notebooks()
    if not notebooks:
        return None
    areas = project.areas()
    if PROGRAMME in areas:
        return AreaResult(
            PROGRAMME,
            "failed",
            message=f"an area is named {PROGRAMME!r}, the programme report's folder in "
            f"{reports}; rename the area to run the programme report",
        )
    missing = [n for n in notebooks if not n.is_file()]
    if missing:
        where = f" (listed in {config.path})" if config.path else ""
        return AreaResult(
            PROGRAMME, "failed", message=f"notebook {', '.join(map(str, missing))} not found{where}"
        )
    stores = {area: area_inputs(project, area) for area in areas}
    parameters = programme_parameters(config)
    whole = {"parts": {area: store["parts"] for area, store in stores.items()}}
    digest = inputs_hash(whole, notebooks, parameters)
    previous = last_good(reports, PROGRAMME)
    if not force and previous and previous.get("inputs", {}).get("hash") == digest:
        message = f"nothing changed since run {previous.get('run_dir')}"
        return skipped(reports, PROGRAMME, previous, message)
    return AreaJob(
        area=PROGRAMME,
        project=project_ref,
        notebooks=notebooks,
        parameters=parameters,
        reports=reports,
        inputs={
            "hash": digest,
            "areas": areas,
            "documents": sum(s["documents"] for s in stores.values()),
            "codings": sum(s["codings"] for s in stores.values()),
        },
        keep_runs=config.keep_runs,
        lock_max_age_hours=config.lock_max_age_hours,
        documents=[n.name for n in notebooks if n.name in config.documents],
    )
