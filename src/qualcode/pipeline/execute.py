"""Running one area: its notebooks through papermill into a fresh run folder, each exported
to HTML, with a manifest and a log; in this process, or in a fresh one.

The kernels papermill starts inherit this process's standard error (sent to the run's log)
and environment: a store URL with a password reaches them as QUALCODE_DB, never as a
notebook parameter, so no password is written into a notebook or manifest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.pipeline.errors import PipelineError
from qualcode.pipeline.export import export_html
from qualcode.pipeline.jobs import AreaJob, AreaResult
from qualcode.pipeline.kernels import AreaKernels
from qualcode.pipeline.lock import LockedError, area_lock
from qualcode.pipeline.manifest import versions, write_json
from qualcode.pipeline.reports import finish_run, last_good, new_run_id, skipped
from qualcode.store.engine import has_password, hide_password


def run_area(job: AreaJob) -> AreaResult:
    """Run one area's notebooks into a fresh run folder (in this process), holding the area's
    lock; never raises: a failure is the result's status and message."""
    folder = job.reports / job.area
    run_id = job.run_id or new_run_id()
    try:
        with area_lock(
            folder, run_id=run_id, max_age_hours=job.lock_max_age_hours, store=job.project
        ):
            done = _done_meanwhile(job)
            return done if done is not None else _run_locked(job, folder / run_id)
    except LockedError as exc:
        if job.shared:  # another host runs it: not this run's failure
            return AreaResult(job.area, "skipped", message=f"left to another run: {exc}")
        return AreaResult(job.area, "locked", message=str(exc))


def _done_meanwhile(job: AreaJob) -> AreaResult | None:
    """The area's last good run, if another run (another host) finished it from the same
    inputs after this job was planned: running it again would repeat that run."""
    previous = last_good(job.reports, job.area)
    if (
        not job.planned
        or previous is None
        or previous.get("inputs", {}).get("hash") != job.inputs.get("hash")
        or str(previous.get("started", "")) < job.planned
    ):
        return None
    return skipped(
        job.reports,
        job.area,
        previous,
        f"run meanwhile by {previous.get('host')} as {previous.get('run_dir')}",
    )


def _run_locked(job: AreaJob, run_dir: Path) -> AreaResult:
    started = time.perf_counter()
    log = run_dir / "run.log"
    result = AreaResult(job.area, "failed", run_dir=str(run_dir), log=str(log))
    manifest = _new_manifest(job, run_dir.name)
    try:
        run_dir.mkdir(parents=True)
        with _logged_to(log) as logger, contextlib.ExitStack() as stack:
            logger.info("area %s, run %s, project %s", job.area, run_dir.name, manifest["project"])
            write_json(run_dir / "manifest.json", manifest)
            stack.enter_context(_stderr_to(log))  # kernels' own warnings go to the log
            if has_password(job.project):  # kernels read the URL from QUALCODE_DB
                stack.enter_context(_environment(QUALCODE_DB=job.project))
            kernels = AreaKernels(job.kernel)
            stack.callback(kernels.close)
            for notebook in job.notebooks:
                entry = _run_notebook(job, notebook, run_dir, manifest, kernels)
                result.reports.append(str(run_dir / entry["html"]))
                logger.info("%s done in %.1f s", notebook.name, entry["seconds"])
        result.status = "ok"
    except Exception as exc:  # one area failing must not stop the others
        result.message = (
            str(exc) if isinstance(exc, QualcodeError) else f"{type(exc).__name__}: {exc}"
        )
        if run_dir.is_dir():
            with log.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc())
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
        if run_dir.is_dir():
            finish_run(run_dir, manifest, result, keep_runs=job.keep_runs)
    return result


def _new_manifest(job: AreaJob, run_id: str) -> dict[str, Any]:
    """The manifest as a run starts; notebooks are added as they run."""
    return {
        "area": job.area,
        "run_id": run_id,
        "status": "running",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "project": hide_password(job.project),
        "inputs": job.inputs,
        "parameters": {},
        "versions": versions(),
        "notebooks": [],
    }


def _run_notebook(
    job: AreaJob, notebook: Path, run_dir: Path, manifest: dict[str, Any], kernels: AreaKernels
) -> dict[str, Any]:
    """Execute one notebook into the run folder, in the area's kernel (`pipeline.kernels`),
    and export it to HTML; returns its entry in the manifest. A notebook raising is a
    PipelineError naming its cell; the partial notebook stays."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    given = {
        "project": None if has_password(job.project) else job.project,
        "area": job.area,
        "output": str(run_dir.resolve()),
        **job.parameters,
    }
    parameters = {k: v for k, v in given.items() if k in declared}
    manifest["parameters"][notebook.name] = parameters
    entry: dict[str, Any] = {"notebook": notebook.name, "status": "running"}
    manifest["notebooks"].append(entry)
    out = run_dir / notebook.name
    t0 = time.perf_counter()
    km = kernels.for_notebook(notebook)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(out),
            parameters=parameters,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=True,
            kernel_name=job.kernel,
            km=km,
        )
    except papermill.PapermillExecutionError as exc:
        entry.update(status="failed", seconds=round(time.perf_counter() - t0, 3))
        entry["error"] = f"{exc.ename}: {exc.evalue}"
        raise PipelineError(
            f"{notebook.name} raised {exc.ename}: {exc.evalue} "
            f"(cell {exc.exec_count}; partial notebook {out})"
        ) from exc
    entry["kernel_peak_mb"] = kernels.peak_mb(km)
    html = out.with_suffix(".html")
    exported = time.perf_counter()
    export_html(out, html, show_code=job.show_code)
    entry.update(output=out.name, html=html.name)
    entry["export_seconds"] = round(time.perf_counter() - exported, 3)
    if notebook.name in job.documents:
        entry.update(_copies(html))
    entry.update(status="ok", seconds=round(time.perf_counter() - t0, 3))
    return entry


def _copies(html: Path) -> dict[str, str]:
    """The report's PDF and Word copies (their names for the manifest); a copy that cannot
    be made is logged and named in the manifest, and the HTML report still stands."""
    from qualcode.pipeline.documents import write_copies

    log = logging.getLogger("papermill")
    try:
        written = write_copies(html)
    except Exception as exc:  # the Word copy failed too: the HTML is the report
        message = str(exc) if isinstance(exc, QualcodeError) else f"{type(exc).__name__}: {exc}"
        log.warning("no PDF or Word copy of %s: %s", html.name, message)
        return {"copies_error": message}
    if "pdf_error" in written:
        log.warning("no PDF copy of %s: %s", html.name, written["pdf_error"])
    return written


@contextlib.contextmanager
def _logged_to(log: Path) -> Iterator[logging.Logger]:
    """Papermill's log (each cell's output) written to `log` for the block."""
    logger = logging.getLogger("papermill")
    handler = logging.FileHandler(log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the block (kernels started in it inherit them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send this process's standard error (file descriptor 2, which the notebook kernels it
    starts inherit) to the end of `path` for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("a", encoding="utf-8") as target:
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
