"""Areas run `jobs` at a time, each slot a worker process (`python -m qualcode.pipeline`)
that runs one area after another, as a separate host or batch job would.

Why workers, not a process per area: a fresh process spends about a second and a half
starting Python and importing papermill and nbconvert before an area's first notebook, and
a programme has twenty areas. Why processes at all: papermill changes the working folder
and each run sends standard error to its log, both of which belong to a whole process. A
worker that dies fails the area it was running, and a new one takes the slot's next area.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO

from qualcode.pipeline.jobs import AreaJob, AreaResult

RESULT = "qualcode-area-result "  # a worker's answer line (a kernel may write to stdout too)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


def thread_share(jobs: int) -> dict[str, str]:
    """The environment giving each of `jobs` areas run at once its share of the cores, as
    the thread counts numeric libraries read (OpenMP, BLAS, numba); a count the user set
    stays. Why: by default every kernel's k-means and BLAS start a thread per core, and two
    areas' threads contending for two cores made each theme fit six times slower."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    share = str(max(1, (cores or 1) // jobs))
    return {name: os.environ.get(name) or share for name in THREAD_VARIABLES}


def run_in_workers(jobs: Sequence[AreaJob], workers: int) -> list[AreaResult]:
    """Run `jobs` in `workers` worker processes at once, each with its share of the cores;
    one result per job, in the order given."""
    queue, lock = deque(jobs), threading.Lock()

    def take() -> AreaJob | None:
        with lock:
            return queue.popleft() if queue else None

    share = thread_share(workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = [r for slot in pool.map(lambda _: _serve(take, share), range(workers)) for r in slot]
    by_area = {r.area: r for r in done}
    return [by_area[job.area] for job in jobs]


def run_in_subprocess(job: AreaJob) -> AreaResult:
    """Run one area in a fresh worker process; a process that dies is reported as that
    area's failure."""
    return run_in_workers([job], 1)[0]


def _serve(take: Callable[[], AreaJob | None], share: dict[str, str]) -> list[AreaResult]:
    """One slot: hand the next job to this slot's worker (started when there is none or it
    died) until no job is left; returns the slot's results."""
    results: list[AreaResult] = []
    worker: _Worker | None = None
    try:
        while (job := take()) is not None:
            if worker is None:
                worker = _Worker(share)
            result = worker.run(job)
            results.append(result)
            if not worker.alive():
                worker.close()
                worker = None
    finally:
        if worker is not None:
            worker.close()
    return results


class _Worker:
    """A `python -m qualcode.pipeline` process: a job as a JSON line in, its result back as a
    RESULT line; its standard error kept in a file, to name why it died."""

    def __init__(self, share: dict[str, str]) -> None:
        # kept open while the worker lives, closed by close()
        self.errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qualcode.pipeline"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env={**os.environ, **share},
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: AreaJob) -> AreaResult:
        assert self.process.stdin is not None and self.process.stdout is not None
        with contextlib.suppress(BrokenPipeError):  # it died before: the answer says so
            self.process.stdin.write(job.to_json() + "\n")
            self.process.stdin.flush()
        for line in self._lines():
            if line.startswith(RESULT):
                with contextlib.suppress(ValueError, TypeError):  # not the worker's: read on
                    return AreaResult.from_json(line[len(RESULT) :])
        code = self.process.wait()
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        tail = lines[-1] if lines else "no output"
        return AreaResult(job.area, "failed", message=f"the area's process exited {code}: {tail}")

    def _lines(self) -> Iterator[str]:
        assert self.process.stdout is not None
        yield from iter(self.process.stdout.readline, "")

    def close(self) -> None:
        """Tell the worker no job is coming (it exits) and wait for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()
