"""An area's report folder: one folder per run, `latest` and `last-good.json` naming the
last good one, and the oldest runs pruned.

    reports/<area>/<run-id>/       a run: notebooks, HTML, figures, manifest.json, run.log
    reports/<area>/latest          -> the last good run
    reports/<area>/last-good.json  its manifest
    reports/<area>/.shared/        one copy of large files runs share
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.pipeline.export import SHARED, share_copies
from qualcode.pipeline.jobs import AreaResult
from qualcode.pipeline.manifest import write_json

DEFAULT_REPORTS = Path("reports")
LAST_GOOD = "last-good.json"


def new_run_id() -> str:
    """A run's folder name: its start time (sorts oldest first) and a few random digits."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def run_dirs(folder: Path) -> list[Path]:
    """An area's run folders, oldest first (not `latest`, not `.shared`)."""
    if not folder.is_dir():
        return []
    return sorted(
        d for d in folder.iterdir() if d.is_dir() and not d.is_symlink() and d.name[0] != "."
    )


def last_good(reports: Path, area: str) -> dict[str, Any] | None:
    """The manifest of the area's last good run, or None if it never had one."""
    path = Path(reports) / area / LAST_GOOD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def skipped(reports: Path, area: str, previous: dict[str, Any], message: str) -> AreaResult:
    """An area (or the programme) skipped: its last good run and that run's reports."""
    run_dir = Path(reports) / area / str(previous.get("run_dir"))
    return AreaResult(
        area,
        "skipped",
        message=message,
        run_dir=str(run_dir),
        reports=[str(run_dir / n["html"]) for n in previous.get("notebooks", []) if n.get("html")],
    )


def previous_run(output: str | os.PathLike[str] | None) -> Path | None:
    """The last good run before the one writing into `output` (a run folder), for "since the
    last report"; None outside the pipeline or before any good run."""
    if output is None:
        return None
    run_dir = Path(output)
    good = last_good(run_dir.parent.parent, run_dir.parent.name) or {}
    name = good.get("run_dir")
    if not name or name == run_dir.name or not (run_dir.parent / name).is_dir():
        return None
    return run_dir.parent / name


def promote(folder: Path, run_dir: Path, manifest: dict[str, Any]) -> None:
    """Make `run_dir` the area's last good report: `latest` points to it."""
    write_json(folder / LAST_GOOD, {**manifest, "run_dir": run_dir.name})
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


def prune(folder: Path, *, keep: int) -> None:
    """Remove the oldest run folders beyond `keep`, never the last good one."""
    good = json.loads((folder / LAST_GOOD).read_text()).get("run_dir")
    runs = run_dirs(folder)
    for old in runs[: max(0, len(runs) - keep)]:
        if old.name != good:
            shutil.rmtree(old, ignore_errors=True)


def finish_run(
    run_dir: Path, manifest: dict[str, Any], result: AreaResult, *, keep_runs: int
) -> None:
    """Write the run's final manifest and share its large files; a good run becomes the
    area's last good report and the oldest runs beyond `keep_runs` go."""
    manifest.update(
        status=result.status,
        message=result.message,
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=result.seconds,
        outputs=sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file()),
    )
    write_json(run_dir / "manifest.json", manifest)
    folder = run_dir.parent
    share_copies(run_dir, folder / SHARED)
    if result.status == "ok":
        promote(folder, run_dir, manifest)
        prune(folder, keep=keep_runs)
