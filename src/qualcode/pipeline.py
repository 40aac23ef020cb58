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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from qualcode.errors import QualcodeError
from qualcode.files import atomic_path
from qualcode.store import codes as code_store
from qualcode.store import schema

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.project import Project

DEFAULT_CONFIG = Path("pipelines/areas.yaml")
DEFAULT_REPORTS = Path("reports")
DEFAULT_NOTEBOOKS = ["05_area_report.ipynb"]
LOCK_NAME = ".lock"
SHARED = ".shared"  # one copy of large files every run writes alike
LAST_GOOD = "last-good.json"
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


class PipelineError(QualcodeError):
    """A pipeline cannot run as asked (unknown area, missing store or config)."""


class LockedError(PipelineError):
    """Another run holds an area's lock."""


# configuration --------------------------------------------------------------------------------


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

    def for_area(self, area: str) -> tuple[list[Path], dict[str, Any]]:
        spec = self.areas.get(area) or {}
        names = spec.get("notebooks", self.notebooks)
        return [self.notebooks_dir / n for n in names], {
            **self.parameters,
            **(spec.get("parameters") or {}),
        }


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
    )


# inputs ---------------------------------------------------------------------------------------


def area_inputs(project: Project, area: str) -> dict[str, Any]:
    """What an area's reports are made from, hashed by content (not by ids or timestamps, so
    a store rebuilt from the same files and codings hashes the same)."""
    d, a, cs, c, k = (
        schema.documents,
        schema.areas,
        schema.cases,
        schema.codings,
        schema.coders,
    )
    r = schema.recommendations
    with project.reading() as conn:
        area_row = conn.execute(select(a.c.id, a.c.config).where(a.c.name == area)).first()
        if area_row is None:
            raise PipelineError(f"no area {area!r} in {project.location}")
        docs = conn.execute(
            select(d.c.id, d.c.title, d.c.version, d.c.is_current, d.c.sha256, cs.c.name)
            .outerjoin(cs, cs.c.id == d.c.case_id)
            .where(d.c.area_id == area_row.id)
            .order_by(d.c.title, d.c.version)
        ).all()
        sha = {row.id: row.sha256 for row in docs}
        cases = conn.execute(
            select(cs.c.name, cs.c.attributes)
            .where(cs.c.area_id == area_row.id)
            .order_by(cs.c.name)
        ).all()
        paths = code_store.paths(conn)
        codings = conn.execute(
            select(c.c.id, c.c.document_id, c.c.start, c.c.end, c.c.code_id, c.c.memo, k.c.name)
            .join(k, k.c.id == c.c.coder_id)
            .join(d, d.c.id == c.c.document_id)
            .where(d.c.area_id == area_row.id)
        ).all()
        coding_keys = {
            row.id: (sha[row.document_id], row.start, row.end, paths.get(row.code_id), row.name)
            for row in codings
        }
        recs = conn.execute(
            select(r.c.text, r.c.codes, r.c.codings, r.c.response, r.c.status)
            .where((r.c.area_id == area_row.id) | r.c.area_id.is_(None))
            .order_by(r.c.id)
        ).all()
        codebook = conn.execute(
            select(
                schema.codes.c.id,
                schema.codes.c.description,
                schema.codes.c.color,
            ).order_by(schema.codes.c.id)
        ).all()

    def digest(value: Any) -> str:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    parts = {
        "documents": digest(
            [(row.title, row.version, row.is_current, row.sha256, row.name) for row in docs]
        ),
        "cases": digest([(row.name, row.attributes) for row in cases]),
        "codings": digest(sorted((*coding_keys[row.id], row.memo or "") for row in codings)),
        "codebook": digest([(paths.get(row.id), row.description, row.color) for row in codebook]),
        "config": digest(area_row.config or {}),
        "recommendations": digest(
            [
                (
                    row.text,
                    [paths.get(i) for i in row.codes or []],
                    [coding_keys.get(i) for i in row.codings or []],
                    row.response,
                    row.status,
                )
                for row in recs
            ]
        ),
    }
    return {
        "documents": sum(1 for row in docs if row.is_current),
        "codings": len(codings),
        "parts": parts,
    }


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_hash(
    store: dict[str, Any], notebooks: Sequence[Path], parameters: dict[str, Any]
) -> str:
    """One hash over the store's content for the area, the notebooks and the parameters."""
    whole = {
        "store": store["parts"],
        "notebooks": {n.name: file_sha256(n) for n in notebooks},
        "parameters": parameters,
        "qualcode": _version("qualcode"),
    }
    text = json.dumps(whole, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# locks ----------------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_holder(path: Path, *, max_age_hours: float = 12.0) -> dict[str, Any] | None:
    """Who holds the lock at `path`, or None if it is free or stale (a dead process on this
    host, a lock older than `max_age_hours` from another host, or an unreadable old file)."""
    try:
        raw = path.read_text(encoding="utf-8")
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        holder = json.loads(raw)
        pid, host = int(holder["pid"]), str(holder["host"])
    except (ValueError, KeyError, TypeError):
        return None if age > 60 else {"pid": "?", "host": "?", "started": "just now"}
    if host == socket.gethostname():
        return holder if _alive(pid) else None
    return holder if age < max_age_hours * 3600 else None


@contextlib.contextmanager
def area_lock(folder: Path, *, run_id: str, max_age_hours: float = 12.0) -> Iterator[Path]:
    """Hold `folder/.lock` for the block (created atomically); a stale lock is taken over,
    a live one raises LockedError naming its holder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    mine = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run_id,
    }
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = lock_holder(path, max_age_hours=max_age_hours)
            if holder is not None:
                raise LockedError(
                    f"area {folder.name!r} is being run by pid {holder.get('pid')} on "
                    f"{holder.get('host')} since {holder.get('started')} (lock {path}); "
                    "wait for it to finish, or remove the lock if that process is gone"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # stale: the process that wrote it is gone
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(mine, fh)
        break
    else:
        raise LockedError(f"could not take the lock {path}; another run took it first")
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# runs -----------------------------------------------------------------------------------------


@dataclass
class AreaResult:
    """What happened to one area: status ok, failed, skipped or locked."""

    area: str
    status: str
    message: str = ""
    run_dir: str | None = None
    log: str | None = None
    seconds: float = 0.0
    reports: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "locked")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{n: _version(n) for n in VERSIONS}}


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def _is_path(target: str) -> bool:
    return "://" not in target


def check_store(target: str) -> str:
    """A SQLite path must exist (the pipeline never creates a store); returns it absolute."""
    from qualcode.project import require_store_file

    require_store_file(target)
    return str(Path(target).resolve()) if _is_path(target) else target


def _hide_password(target: str) -> tuple[str, bool]:
    """(the store as it may be written down, whether it carried a password)."""
    if _is_path(target):
        return target, False
    from sqlalchemy.engine import make_url

    url = make_url(target)
    return url.render_as_string(hide_password=True), url.password is not None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        tmp.chmod(0o644)


def _export_html(notebook: Path, target: Path, *, show_code: bool) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        nbformat.read(notebook, as_version=4),
        resources={"metadata": {"name": notebook.stem.split("_", 1)[-1].replace("_", " ")}},
    )
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
        tmp.chmod(0o644)


def run_area(job: dict[str, Any]) -> dict[str, Any]:
    """Run one area's notebooks into a fresh run folder (in this process); never raises.

    `job`: area, project, notebooks, parameters, reports, inputs (hash and counts), and
    optionally run_id, show_code, keep_runs, lock_max_age_hours."""
    import papermill

    area, started = job["area"], time.perf_counter()
    shown_project, secret = _hide_password(job["project"])
    folder = Path(job["reports"]) / area
    run_id = job.get("run_id") or new_run_id()
    run_dir = folder / run_id
    log = run_dir / "run.log"
    result = AreaResult(area, "failed", run_dir=str(run_dir), log=str(log))
    try:
        lock = area_lock(folder, run_id=run_id, max_age_hours=job.get("lock_max_age_hours", 12.0))
        lock.__enter__()
    except LockedError as exc:
        return asdict(AreaResult(area, "locked", message=str(exc)))
    handler: logging.Handler | None = None
    stack = contextlib.ExitStack()
    logger = logging.getLogger("papermill")
    manifest: dict[str, Any] = {
        "area": area,
        "run_id": run_id,
        "status": "running",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "project": shown_project,
        "inputs": job["inputs"],
        "parameters": {},
        "versions": versions(),
        "notebooks": [],
    }
    try:
        run_dir.mkdir(parents=True)
        handler = logging.FileHandler(log, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.info("area %s, run %s, project %s", area, run_id, shown_project)
        _write_json(run_dir / "manifest.json", manifest)
        stack.enter_context(_stderr_to(log))  # kernels' own warnings go to the log
        if secret:  # kernels read the URL from QUALCODE_DB: no password in notebooks or manifest
            stack.enter_context(_environment(QUALCODE_DB=job["project"]))
        for notebook in map(Path, job["notebooks"]):
            declared = papermill.inspect_notebook(str(notebook))
            given = {
                "project": None if secret else job["project"],
                "area": area,
                "output": str(run_dir.resolve()),
                **job["parameters"],
            }
            parameters = {k: v for k, v in given.items() if k in declared}
            manifest["parameters"][notebook.name] = parameters
            entry: dict[str, Any] = {"notebook": notebook.name, "status": "running"}
            manifest["notebooks"].append(entry)
            out = run_dir / notebook.name
            t0 = time.perf_counter()
            try:
                papermill.execute_notebook(
                    str(notebook),
                    str(out),
                    parameters=parameters,
                    cwd=str(notebook.parent),
                    progress_bar=False,
                    log_output=True,
                    kernel_name=job.get("kernel", "python3"),
                )
            except papermill.PapermillExecutionError as exc:
                entry.update(status="failed", seconds=round(time.perf_counter() - t0, 3))
                entry["error"] = f"{exc.ename}: {exc.evalue}"
                raise PipelineError(
                    f"{notebook.name} raised {exc.ename}: {exc.evalue} "
                    f"(cell {exc.exec_count}; partial notebook {out})"
                ) from exc
            html = out.with_suffix(".html")
            _export_html(out, html, show_code=bool(job.get("show_code", False)))
            entry.update(
                status="ok",
                seconds=round(time.perf_counter() - t0, 3),
                output=out.name,
                html=html.name,
            )
            result.reports.append(str(html))
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
        stack.close()
        if handler is not None:
            logger.removeHandler(handler)
            handler.close()
        if run_dir.is_dir():
            manifest.update(
                status=result.status,
                message=result.message,
                finished=datetime.now(UTC).isoformat(timespec="seconds"),
                seconds=result.seconds,
                outputs=sorted(
                    str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file()
                ),
            )
            _write_json(run_dir / "manifest.json", manifest)
            _share_copies(run_dir, folder / SHARED)
            if result.status == "ok":
                _promote(folder, run_dir, manifest)
                _prune(folder, keep=int(job.get("keep_runs", 10)))
        lock.__exit__(None, None, None)
    return asdict(result)


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


def _run_in_process(job: dict[str, Any]) -> AreaResult:
    """Run one area in a fresh Python process (`python -m qualcode.pipeline`), as a separate
    host or batch job would; a process that dies is reported as that area's failure."""
    done = subprocess.run(
        [sys.executable, "-m", "qualcode.pipeline"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        with contextlib.suppress(ValueError, TypeError):
            return AreaResult(**json.loads(lines[-1]))
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return AreaResult(
        job["area"], "failed", message=f"the area's process exited {done.returncode}: {tail}"
    )


def _promote(folder: Path, run_dir: Path, manifest: dict[str, Any]) -> None:
    """Make `run_dir` the area's last good report: `latest` points to it."""
    _write_json(folder / LAST_GOOD, {**manifest, "run_dir": run_dir.name})
    link = folder / "latest"
    tmp = folder / f".latest.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        tmp.symlink_to(run_dir.name, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:  # no symlinks here: last-good.json still names the run
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _share_copies(run_dir: Path, shared: Path, *, min_bytes: int = 1 << 20) -> None:
    """Make large files that every run writes alike (plotly.min.js, 4.8 MB) hard links to one
    copy in the area's `.shared` folder: each run folder stays whole and can be copied or
    mailed on its own, but ten kept runs of twenty areas no longer hold two hundred copies.
    Best effort: where links cannot be made (another file system), the copies stay."""
    for path in run_dir.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.stat().st_size < min_bytes:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        keep = shared / f"{digest}-{path.name}"
        try:
            shared.mkdir(exist_ok=True)
            if not keep.exists():
                os.link(path, keep)
                continue
            tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
            os.link(keep, tmp)
            os.replace(tmp, path)
        except OSError:
            continue


def _run_dirs(folder: Path) -> list[Path]:
    """An area's run folders, oldest first (not `latest`, not `.shared`)."""
    if not folder.is_dir():
        return []
    return sorted(
        d for d in folder.iterdir() if d.is_dir() and not d.is_symlink() and d.name[0] != "."
    )


def _prune(folder: Path, *, keep: int) -> None:
    """Remove the oldest run folders beyond `keep`, never the last good one."""
    good = json.loads((folder / LAST_GOOD).read_text()).get("run_dir")
    runs = _run_dirs(folder)
    for old in runs[: max(0, len(runs) - keep)]:
        if old.name != good:
            shutil.rmtree(old, ignore_errors=True)


def last_good(reports: Path, area: str) -> dict[str, Any] | None:
    path = Path(reports) / area / LAST_GOOD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


@dataclass
class Plan:
    """What `run` will do for each area (computed before anything runs)."""

    jobs: list[dict[str, Any]]
    done: list[AreaResult]  # skipped, or failed before running


def plan(
    project: Project,
    *,
    areas: Sequence[str] | None = None,
    force: bool = False,
    config: Config | None = None,
    reports: str | os.PathLike[str] = DEFAULT_REPORTS,
    project_ref: str | None = None,
) -> Plan:
    """Decide, per area, whether to run, skip (inputs unchanged) or fail (missing notebook)."""
    from qualcode.analysis.reach import apply_area_config

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
    jobs, done = [], []
    for area in wanted:
        notebooks, parameters = config.for_area(area)
        missing = [n for n in notebooks if not n.is_file()]
        if missing:
            where = f" (listed in {config.path})" if config.path else ""
            done.append(
                AreaResult(
                    area,
                    "failed",
                    message=f"notebook {', '.join(map(str, missing))} not found{where}",
                )
            )
            continue
        store = area_inputs(project, area)
        digest = inputs_hash(store, notebooks, parameters)
        previous = last_good(reports, area)
        if not force and previous and previous.get("inputs", {}).get("hash") == digest:
            done.append(
                AreaResult(
                    area,
                    "skipped",
                    message=f"unchanged since run {previous.get('run_dir')}",
                    run_dir=str(reports / area / str(previous.get("run_dir"))),
                    reports=[
                        str(reports / area / str(previous.get("run_dir")) / n["html"])
                        for n in previous.get("notebooks", [])
                        if n.get("html")
                    ],
                )
            )
            continue
        jobs.append(
            {
                "area": area,
                "project": project_ref or project.location,
                "notebooks": [str(n) for n in notebooks],
                "parameters": parameters,
                "reports": str(reports.resolve()),
                "inputs": {"hash": digest, **store},
                "show_code": bool((config.areas.get(area) or {}).get("show_code", False)),
                "keep_runs": config.keep_runs,
                "lock_max_age_hours": config.lock_max_age_hours,
            }
        )
    return Plan(jobs, done)


def run(
    project: str | os.PathLike[str],
    *,
    areas: Sequence[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    config: str | os.PathLike[str] | Config | None = None,
    reports: str | os.PathLike[str] = DEFAULT_REPORTS,
) -> list[AreaResult]:
    """Run the pipeline for `areas` (default: every area in the project), `jobs` areas at a
    time in separate processes; returns one result per area, in the order asked."""
    from qualcode.project import open_project

    target = check_store(os.fspath(project))
    cfg = config if isinstance(config, Config) else load_config(config)
    if jobs < 1:
        raise PipelineError(f"--jobs must be 1 or more, not {jobs}")
    try:
        p = open_project(target, user="pipeline")
        try:
            todo = plan(
                p, areas=areas, force=force, config=cfg, reports=reports, project_ref=target
            )
        finally:
            p.close()
    except (QualcodeError, OperationalError) as exc:
        if "locked" not in str(exc):
            raise
        raise PipelineError(
            f"the store {_hide_password(target)[0]} is locked: another program has been writing "
            "to it for longer than the wait allows (database is locked); try again when it has "
            f"finished (`fuser {target}` names it)"
        ) from exc
    results = list(todo.done)
    if jobs == 1 or len(todo.jobs) <= 1:
        results += [AreaResult(**run_area(job)) for job in todo.jobs]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results += list(pool.map(_run_in_process, todo.jobs))
    order = {a: i for i, a in enumerate(areas or [r.area for r in results])}
    return sorted(results, key=lambda r: order.get(r.area, len(order)))


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
            runs = _run_dirs(folder)
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


if __name__ == "__main__":  # one area's job as JSON on stdin; its result as JSON on stdout
    print(json.dumps(run_area(json.load(sys.stdin))))
