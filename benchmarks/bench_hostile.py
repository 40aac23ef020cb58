"""The hostile-input corpus at the sizes of issue 14 (tests/hostile/make_corpus.py): for each
input, what happened (refused or accepted), seconds (median of 3) and how much resident memory
the work added (peak VmHWM of the forked child minus its size at fork). Goal: everything
refused within 5 s and 300 MB.

    python benchmarks/bench_hostile.py [--small] [--runs N] [--only WORD]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from common import table  # noqa: E402

from tests.hostile.make_corpus import build_corpus  # noqa: E402
from tests.hostile.runner import run_limited  # noqa: E402

MEMORY_MB = 2048  # measure what an input takes; the goal column says whether it is within 300
TIMEOUT_S = 120
GOAL_S, GOAL_MB = 5.0, 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the test suite's sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only inputs whose name contains this")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = build_corpus(Path(tmp) / "corpus", full=not args.small)
        for n, (entry, path) in enumerate(corpus):
            if args.only.lower() not in entry.name.lower():
                continue
            runs = []
            for i in range(args.runs):  # an input that fails or hangs is not run again
                work = Path(tmp) / f"w{n}-{i}"
                runs.append(run_limited(entry, path, work, memory_mb=MEMORY_MB, timeout=TIMEOUT_S))
                if runs[-1]["outcome"] not in ("refused", "accepted"):
                    break
            outcome = runs[0]["outcome"]
            seconds = statistics.median(r.get("seconds", TIMEOUT_S) for r in runs)
            grown = statistics.median(r.get("grown_mb", float("nan")) for r in runs)
            if outcome == "refused":
                within = "yes" if seconds <= GOAL_S and grown <= GOAL_MB else "NO"
            else:
                within = "-"
            rows.append(
                (
                    entry.name,
                    path.stat().st_size / 2**20,
                    entry.expect,
                    outcome,
                    seconds,
                    grown,
                    within,
                    runs[0]["message"][:70].replace("\n", " "),
                )
            )
            print(f"{entry.name}: {outcome} {seconds:.2f} s", file=sys.stderr, flush=True)
    table(
        f"Hostile inputs ({'test' if args.small else 'full'} sizes; median of {args.runs})",
        (
            "input",
            "file MB",
            "expected",
            "outcome",
            "seconds",
            "added MB",
            "refused in goal",
            "message",
        ),
        rows,
    )


if __name__ == "__main__":
    main()
