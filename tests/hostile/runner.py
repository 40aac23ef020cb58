"""Feed one corpus entry to a fresh project through its public door, and say what happened.

`run_entry` works in this process; `run_limited` in a forked child with a memory limit (the
address space it has at fork plus `memory_mb`) and a deadline, reporting the child's time and
how much its resident memory grew. The test and the benchmark both use it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import time
from pathlib import Path
from typing import Any

import qualcode
from qualcode.errors import QualcodeError
from tests.hostile.make_corpus import Entry
from tests.test_refi import snapshot


def run_entry(entry: Entry, path: Path, workdir: Path) -> dict[str, Any]:
    """Outcome ("refused", "accepted" or "crashed"), the message, and the facts `After` asks."""
    workdir.mkdir(parents=True, exist_ok=True)
    project = qualcode.open_project(str(workdir / "project.qualcode"), user="tester")
    try:
        before = snapshot(project)
        outcome, message = _enter(entry, path, project)
        result: dict[str, Any] = {"outcome": outcome, "message": message}
        if outcome == "refused":
            result["unchanged"] = snapshot(project) == before
        elif outcome == "accepted":
            result.update(_facts(entry, project))
        return result
    finally:
        project.close()


def _enter(entry: Entry, path: Path, project: qualcode.Project) -> tuple[str, str]:
    try:
        if entry.door == "ingest":
            report = project.ingest(path, area="hostile", progress=False)
            if report.refused:
                return "refused", "; ".join(f"{p}: {reason}" for p, reason in report.refused)
            return "accepted", str(report)
        if entry.door == "refi":
            from qualcode.interop import refi

            return "accepted", str(refi.import_qdpx(path, project))
        from qualcode.interop.merge import merge_project

        return "accepted", str(merge_project(project, path))
    except QualcodeError as exc:
        return "refused", str(exc)
    except (Exception, RecursionError) as exc:  # what the user would see as a traceback
        return "crashed", f"{type(exc).__name__}: {str(exc)[:300]}"


def _facts(entry: Entry, project: qualcode.Project) -> dict[str, Any]:
    """What `entry.after` asks about the project, computed here (texts can be 40 MB)."""
    after = entry.after
    documents = project.documents()
    texts = [d.text for d in documents]
    speakers = project.units_df("turn")["speaker"].dropna().astype(str).tolist()
    seen = texts + [d.title for d in documents] + speakers
    return {
        "documents": len(documents),
        "sha256": sorted(d.sha256 for d in documents),
        "titles": sorted(d.title for d in documents),
        "codes": sorted(c.name for c in project.codebook.all()),
        "contains": {s: any(s in t for t in texts) for s in after.contains},
        "absent": {s: not any(s in t for t in seen) for s in after.absent},
    }


def warm_up() -> None:
    """Import every reader and load the sentence splitter once, before forking, so a child
    measures only the work its input causes."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    import qualcode.ingest
    import qualcode.interop.merge
    import qualcode.interop.refi  # noqa: F401
    from qualcode.ingest.segment import Segmenter

    Segmenter().units("Warm up. Twice!")


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_limited(
    entry: Entry, path: Path, workdir: Path, *, memory_mb: int = 300, timeout: float = 120
) -> dict[str, Any]:
    """`run_entry` in a forked child limited to `memory_mb` more address space; adds
    `seconds`, `grown_mb` (resident memory the work added) and, past `timeout`, outcome
    "timeout". A child killed by the limit reports outcome "crashed"."""
    warm_up()
    out = workdir / "result.json"
    workdir.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            limit = _vm_kb("VmSize") * 1024 + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            start_rss, start = _vm_kb("VmRSS"), time.perf_counter()
            result = run_entry(entry, path, workdir)
            result["seconds"] = time.perf_counter() - start
            result["grown_mb"] = (_vm_kb("VmHWM") - start_rss) / 1024
            out.write_text(json.dumps(result))
        except BaseException:  # a child must never unwind into pytest
            code = 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"outcome": "timeout", "message": f"not done after {timeout:g} s"}
        time.sleep(0.02)
    if not out.is_file():
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "no result"
        return {"outcome": "crashed", "message": f"the child died ({how}), e.g. out of memory"}
    return json.loads(out.read_text())
