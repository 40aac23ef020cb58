"""The programme report (notebooks/06_programme_report.ipynb) across all areas: seconds for the
3 sample areas and for 20 generated areas (SYNTHETIC short interviews, generated in-process as
bench_pipeline.py does, each person given a wave), the HTML alone and with its PDF and Word
copies (Debian's chromium). Each figure is the median of `--runs` runs (default 3). Prints a
table and the machine line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import build_generated, build_sample
from common import table

ROOT = Path(__file__).resolve().parents[1]


def programme_seconds(store: Path, folder: Path, *, copies: bool, runs: int) -> float:
    """Median seconds of the programme report alone (the areas are not run)."""
    from qualcode.pipeline.config import load_config
    from qualcode.pipeline.execute import run_area
    from qualcode.pipeline.programme import programme_job
    from qualcode.project import open_project

    config = load_config(ROOT / "pipelines" / "areas.yaml")
    config.documents = ["06_programme_report.ipynb"] if copies else []
    times = []
    for n in range(runs):
        reports = folder / f"reports-{copies}-{n}"
        with open_project(store, user="bench") as p:
            job = programme_job(p, config, reports, project_ref=str(store), force=True)
        t0 = time.perf_counter()
        result = run_area(job)  # type: ignore[arg-type]
        if result.status != "ok":
            raise SystemExit(f"programme report failed: {result.message} (log {result.log})")
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--areas", type=int, default=20)
    parser.add_argument("--interviews", type=int, default=40, help="per generated area")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qc-bench-programme-"))
    rows: list[list[object]] = []
    sample = folder / "sample.qualcode"
    print(f"sample project built in {build_sample(sample):.1f} s", flush=True)
    generated = folder / "generated.qualcode"
    built = build_generated(generated, args.areas, args.interviews, waves=2)
    print(f"{args.areas} generated areas built in {built:.1f} s", flush=True)
    for name, store in (
        ("sample, 3 areas", sample),
        (f"generated, {args.areas} areas x {args.interviews} interviews", generated),
    ):
        for copies in (False, True):
            seconds = programme_seconds(store, folder, copies=copies, runs=args.runs)
            rows.append([name, "HTML, PDF, Word" if copies else "HTML", seconds])
            print(rows[-1], flush=True)
    table(
        f"The programme report (median of {args.runs})",
        ["project", "made", "seconds"],
        rows,
    )


if __name__ == "__main__":
    main()
