"""Papermill runs per area: every area's notebooks rebuilt into `reports/<area>/<run-id>/`.

For each area, `run` executes the notebooks `pipelines/areas.yaml` lists (parameters: the
project, the area, coders, seed, and the run folder as `output`), exports each to HTML with no
code shown, and writes `manifest.json` (the inputs' hash, parameters, package versions,
durations, status). On success `reports/<area>/latest` points to the new run and
`last-good.json` records it; a failed run keeps its partial results in its own folder and
never touches the last good report. An area whose inputs (its documents, cases, codings, the
codebook, its config and recommendations, the notebooks and parameters) are unchanged since
its last good run is skipped unless `force`. One area failing does not stop the others.

A lock file per area (`reports/<area>/.lock`, holding the pid, host and start time) keeps two
runs of the same area from colliding; a lock left by a process that is gone (same host), or
older than `lock_max_age_hours` (another host), is stale and taken over. Areas are
independent, so `--jobs N` runs them in N processes, and a team can run
`qualcode pipeline run --area A` per host or batch job against one PostgreSQL store.

After the areas, the programme report (`programme:` in the config) runs once across them
into `reports/programme/<run-id>/`, skipped when no area's inputs changed; the reports listed
under `documents:` also get PDF and Word copies beside their HTML.

The modules: `config` (pipelines/areas.yaml), `inputs` (what an area is made from, and its
hash), `lock`, `execute` (one area through papermill), `export` (HTML, shared copies),
`reports` (run folders, last good run, pruning), `programme` (the report across areas),
`documents` (PDF and Word copies), `batch` (plan, run, status).
"""

from __future__ import annotations

from qualcode.pipeline.batch import Plan, check_store, plan, run, status
from qualcode.pipeline.config import DEFAULT_CONFIG, DEFAULT_NOTEBOOKS, Config, load_config
from qualcode.pipeline.documents import word_copy, write_copies
from qualcode.pipeline.errors import PipelineError
from qualcode.pipeline.execute import run_area
from qualcode.pipeline.export import SHARED, export_html, share_copies
from qualcode.pipeline.inputs import area_inputs, file_sha256, inputs_hash
from qualcode.pipeline.jobs import AreaJob, AreaResult
from qualcode.pipeline.lock import LOCK_NAME, LockedError, area_lock, lock_holder
from qualcode.pipeline.manifest import VERSIONS, versions
from qualcode.pipeline.programme import PROGRAMME, programme_job
from qualcode.pipeline.reports import (
    DEFAULT_REPORTS,
    LAST_GOOD,
    last_good,
    new_run_id,
    previous_run,
)
from qualcode.pipeline.workers import (
    THREAD_VARIABLES,
    run_in_subprocess,
    run_in_workers,
    thread_share,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_NOTEBOOKS",
    "DEFAULT_REPORTS",
    "LAST_GOOD",
    "LOCK_NAME",
    "PROGRAMME",
    "SHARED",
    "THREAD_VARIABLES",
    "VERSIONS",
    "AreaJob",
    "AreaResult",
    "Config",
    "LockedError",
    "PipelineError",
    "Plan",
    "area_inputs",
    "area_lock",
    "check_store",
    "export_html",
    "file_sha256",
    "inputs_hash",
    "last_good",
    "load_config",
    "lock_holder",
    "new_run_id",
    "plan",
    "previous_run",
    "programme_job",
    "run",
    "run_area",
    "run_in_subprocess",
    "run_in_workers",
    "share_copies",
    "status",
    "thread_share",
    "versions",
    "word_copy",
    "write_copies",
]
