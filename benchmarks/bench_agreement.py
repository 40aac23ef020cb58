"""Agreement statistics at scale: Krippendorff's alpha and unitizing alpha.

- nominal alpha on 1,000,000 units x 10 coders, 3 categories, 10% missing (goal: < 2 s);
  peer, in the same run: the `krippendorff` package (PyPI) on the same array;
- unitizing alpha (uα, per code and overall) for 2,000 documents x 5 coders, 4 codes,
  ~12 spans per coder and document, the documents laid end to end as one continuum.

Each figure is the median of 5 runs, each in a fresh process (peak memory is its own); the
data are made in the child with a fixed seed and only the statistic itself is timed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

RUNS = 5
UNITS, CODERS = 1_000_000, 10
DOCUMENTS, SPAN_CODERS, CODES, DOC_LENGTH = 2_000, 5, 4, 6_000


def reliability_data():  # type: ignore[no-untyped-def]
    import numpy as np

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=UNITS)
    data = np.where(rng.random((CODERS, UNITS)) < 0.8, truth, rng.integers(0, 3, (CODERS, UNITS)))
    data = data.astype(np.float64)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


def spans() -> list[tuple[int, int, str, str]]:
    import numpy as np

    rng = np.random.default_rng(0)
    out: list[tuple[int, int, str, str]] = []
    for doc in range(DOCUMENTS):
        base = doc * DOC_LENGTH
        starts = np.sort(rng.integers(0, DOC_LENGTH - 400, size=12))
        for coder in range(SPAN_CODERS):
            jitter = rng.integers(-30, 30, size=12)
            keep = rng.random(12) < 0.85
            for s, j, k in zip(starts, jitter, keep, strict=True):
                if k:
                    start = int(max(0, s + j))
                    out.append(
                        (
                            base + start,
                            base + start + int(rng.integers(40, 300)),
                            f"coder{coder}",
                            f"code{int(s) % CODES}",
                        )
                    )
    return out


def child(kind: str) -> None:
    if kind == "alpha-qualcode":
        from qualcode.coding.statistics import krippendorff_alpha

        data = reliability_data()
        t0 = time.perf_counter()
        value = krippendorff_alpha(data, "nominal")
        seconds = time.perf_counter() - t0
    elif kind == "alpha-krippendorff":
        import krippendorff

        data = reliability_data()
        t0 = time.perf_counter()
        value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        seconds = time.perf_counter() - t0
    else:
        from qualcode.coding.unitizing import unitizing_alpha

        rows = spans()
        t0 = time.perf_counter()
        value = unitizing_alpha(rows, DOCUMENTS * DOC_LENGTH).alpha
        seconds = time.perf_counter() - t0
    report({"seconds": seconds, "value": float(value)})


def main() -> None:
    rows = []
    for kind, label, size in (
        ("alpha-qualcode", "nominal alpha, qualcode", f"{UNITS:,} units x {CODERS} coders"),
        ("alpha-krippendorff", "nominal alpha, krippendorff pkg", f"{UNITS:,} x {CODERS}"),
        ("unitizing", "unitizing alpha, qualcode", f"{DOCUMENTS:,} docs x {SPAN_CODERS} coders"),
    ):
        runs = [run_child(__file__, kind) for _ in range(RUNS)]
        rows.append(
            [label, size, median(runs, "seconds"), runs[0]["value"], median(runs, "peak_mb")]
        )
    table(
        f"Agreement statistics, median of {RUNS} runs (goal: alpha on 1M x 10 < 2 s)",
        ["statistic", "data", "seconds", "value", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
