"""The pipeline over a project's areas: plan what to run, run it, and say where each area is.

`plan` decides per area (run, skip: inputs unchanged, or fail: a notebook missing) before
anything runs; `run` runs the planned areas, in this process or `jobs` at a time in
separate processes; `status` reads the report folders and locks.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.pipeline.config import Config, load_config
from qualcode.pipeline.embedding import Embedded, embed_first
from qualcode.pipeline.errors import PipelineError
from qualcode.pipeline.execute import run_area
from qualcode.pipeline.inputs import area_inputs, inputs_hash
from qualcode.pipeline.jobs import AreaJob, AreaResult
from qualcode.pipeline.lock import LOCK_NAME, lock_holder
from qualcode.pipeline.programme import programme_job
from qualcode.pipeline.reports import DEFAULT_REPORTS, last_good, run_dirs, skipped
from qualcode.pipeline.workers import run_in_workers
from qualcode.store.engine import hide_password, locked_as_store_error

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.project import Project


@dataclass
class Plan:
    """What `run` will do for each area (computed before anything runs)."""

    jobs: list[AreaJob]
    done: list[AreaResult]  # skipped, or failed before running
    programme: AreaJob | AreaResult | None = None  # run after the areas; a result if not


def check_store(target: str) -> str:
    """A SQLite path must exist (the pipeline never creates a store); returns it absolute."""
    from qualcode.project import require_store_file

    require_store_file(target)
    return str(Path(target).resolve()) if "://" not in target else target


def plan(
    project: Project,
    *,
    areas: Sequence[str] | None = None,
    force: bool = False,
    config: Config | None = None,
    reports: str | os.PathLike[str] = DEFAULT_REPORTS,
    project_ref: str | None = None,
) -> Plan:
    """Decide, per area, whether to run, skip (inputs unchanged) or fail (missing notebook).
    `project_ref` is the store as the runs open it (a URL with its password), if not
    `project.location`."""
    from qualcode.analysis.reach import apply_area_config
    from qualcode.analysis.waves import apply_wave_config

    config = config or load_config()
    reports = Path(reports).resolve()
    known = project.areas()
    wanted = list(dict.fromkeys(areas)) if areas else known
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise PipelineError(
            f"unknown area {', '.join(map(repr, unknown))}: {project.location} has "
            f"{', '.join(known) or 'no areas yet'}"
        )
    apply_area_config(project, config.areas, by="pipeline")
    apply_wave_config(project, {a: config.waves_for(a) for a in known}, actor="pipeline")
    todo = Plan([], [])
    for area in wanted:
        notebooks, parameters = config.for_area(area)
        missing = [n for n in notebooks if not n.is_file()]
        if missing:
            where = f" (listed in {config.path})" if config.path else ""
            message = f"notebook {', '.join(map(str, missing))} not found{where}"
            todo.done.append(AreaResult(area, "failed", message=message))
            continue
        store = area_inputs(project, area)
        digest = inputs_hash(store, notebooks, parameters)
        previous = last_good(reports, area)
        if not force and previous and previous.get("inputs", {}).get("hash") == digest:
            todo.done.append(
                skipped(reports, area, previous, f"unchanged since run {previous.get('run_dir')}")
            )
            continue
        job = AreaJob(
            area=area,
            project=project_ref or project.location,
            notebooks=notebooks,
            parameters=parameters,
            reports=reports,
            inputs={"hash": digest, **store},
            show_code=config.show_code(area),
            keep_runs=config.keep_runs,
            lock_max_age_hours=config.lock_max_age_hours,
            documents=[n.name for n in notebooks if n.name in config.documents],
        )
        todo.jobs.append(job)
    todo.programme = programme_job(
        project, config, reports, project_ref=project_ref or project.location, force=force
    )
    return todo


def _plan_store(target: str, **kwargs: Any) -> Plan:
    """Open the store and plan; a store another program keeps locked is a clear error."""
    from qualcode.project import open_project

    try:
        with locked_as_store_error(), open_project(target, user="pipeline") as p:
            return plan(p, project_ref=target, **kwargs)
    except QualcodeError as exc:
        if "locked" not in str(exc):
            raise
        raise PipelineError(
            f"the store {hide_password(target)} is locked: another program has been writing "
            "to it for longer than the wait allows (database is locked); try again when it has "
            f"finished (`fuser {target}` names it)"
        ) from exc


def _embed_store(target: str, jobs: list[AreaJob]) -> Embedded:
    """`embed_first` on the store; a failure is logged and left to the kernels (each embeds
    what it lacks, as before), never the end of the run."""
    import logging

    from qualcode.project import open_project

    try:
        with open_project(target, user="pipeline") as p:
            return embed_first(p, jobs)
    except Exception as exc:  # the areas can still embed for themselves
        logging.getLogger("qualcode.pipeline").warning("embedding first failed: %s", exc)
        return Embedded()


def run(
    project: str | os.PathLike[str],
    *,
    areas: Sequence[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    config: str | os.PathLike[str] | Config | None = None,
    reports: str | os.PathLike[str] = DEFAULT_REPORTS,
    embed: bool = True,
    on_embedded: Callable[[Embedded], None] | None = None,
    shared: bool = False,
) -> list[AreaResult]:
    """Run the pipeline for `areas` (default: every area in the project), `jobs` areas at a
    time in separate processes; returns one result per area, in the order asked.

    With `embed`, every text the areas' themes need is embedded here first, once
    (`pipeline.embedding`; `on_embedded` is told what it did), so no kernel loads torch.
    With `shared` (several hosts running the same command on one store and reports folder),
    an area another run holds is left to it: skipped, not a failure."""
    target = check_store(os.fspath(project))
    cfg = config if isinstance(config, Config) else load_config(config)
    if jobs < 1:
        raise PipelineError(f"--jobs must be 1 or more, not {jobs}")
    planned = datetime.now(UTC).isoformat(timespec="seconds")
    todo = _plan_store(target, areas=areas, force=force, config=cfg, reports=reports)
    for job in [*todo.jobs, *([todo.programme] if isinstance(todo.programme, AreaJob) else [])]:
        job.shared, job.planned = shared, planned
    if embed and todo.jobs:
        done = _embed_store(target, todo.jobs)
        if on_embedded is not None:
            on_embedded(done)
    results = list(todo.done)
    if jobs == 1 or len(todo.jobs) <= 1:
        results += [run_area(job) for job in todo.jobs]
    else:
        results += run_in_workers(todo.jobs, jobs)
    order = {a: i for i, a in enumerate(areas or [r.area for r in results])}
    results = sorted(results, key=lambda r: order.get(r.area, len(order)))
    if isinstance(todo.programme, AreaJob):  # after the areas: it reads them all
        results.append(run_area(todo.programme))
    elif todo.programme is not None:
        results.append(todo.programme)
    return results


def status(
    project: str | os.PathLike[str],
    *,
    config: str | os.PathLike[str] | Config | None = None,
    reports: str | os.PathLike[str] = DEFAULT_REPORTS,
) -> pd.DataFrame:
    """Per area: the last good run and when it finished, the newest run and its status,
    whether the inputs changed since the last good run, and who holds the lock, if anyone."""
    import pandas as pd

    from qualcode.project import open_project

    target = check_store(os.fspath(project))
    cfg = config if isinstance(config, Config) else load_config(config)
    reports = Path(reports)
    rows = []
    with open_project(target, user="pipeline") as p:
        for area in p.areas():
            notebooks, parameters = cfg.for_area(area)
            good = last_good(reports, area) or {}
            folder = reports / area
            runs = run_dirs(folder)
            newest: dict[str, Any] = {}
            if runs:
                with contextlib.suppress(FileNotFoundError, ValueError):
                    newest = json.loads((runs[-1] / "manifest.json").read_text())
            changed: bool | None = None
            if all(n.is_file() for n in notebooks):
                digest = inputs_hash(area_inputs(p, area), notebooks, parameters)
                changed = good.get("inputs", {}).get("hash") != digest
            holder = lock_holder(folder / LOCK_NAME, max_age_hours=cfg.lock_max_age_hours)
            rows.append(
                {
                    "area": area,
                    "last_good_run": good.get("run_dir"),
                    "finished": good.get("finished"),
                    "newest_run": runs[-1].name if runs else None,
                    "newest_status": newest.get("status"),
                    "inputs_changed": changed,
                    "locked_by": f"pid {holder['pid']} on {holder['host']}" if holder else "",
                }
            )
    return pd.DataFrame(rows).set_index("area") if rows else pd.DataFrame()
