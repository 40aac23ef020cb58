"""Bootstrap confidence interval of Krippendorff's alpha: 1,000 resamples of 10,000 units x 5
coders (3 categories, 10% missing values).

- qualcode's `bootstrap_alpha` (each resample a weighted sum of per-unit statistics, one matrix
  product per block of resamples), nominal and ordinal;
- peers, in the same run and on the same resampled units: a Python loop of 1,000 calls of our
  own `krippendorff_alpha` on resampled matrices, and the same loop with the `krippendorff`
  package (PyPI).

Each figure is the median of several runs, each in a fresh process (peak memory, ru_maxrss, is
its own); the data are made in the child with a fixed seed and only the bootstrap is timed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

RUNS = 5
PEER_RUNS = 3  # the loops take seconds each
UNITS, CODERS, RESAMPLES = 10_000, 5, 1_000


def reliability_data():  # type: ignore[no-untyped-def]
    import numpy as np

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=UNITS)
    data = np.where(rng.random((CODERS, UNITS)) < 0.8, truth, rng.integers(0, 3, (CODERS, UNITS)))
    data = data.astype(np.float64)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


def child(kind: str) -> None:
    import numpy as np

    from qualcode.coding import bootstrap, statistics

    data = reliability_data()
    if kind.startswith("ours-"):
        t0 = time.perf_counter()
        result = bootstrap.bootstrap_alpha(data, kind[5:], n_resamples=RESAMPLES, seed=1)
        seconds = time.perf_counter() - t0
        low, high = result.low, result.high
    else:
        import krippendorff

        pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
        rng = np.random.default_rng(1)
        t0 = time.perf_counter()
        values = []
        for block in bootstrap._resample_indices(rng, pairable.shape[1], RESAMPLES):
            for idx in block:
                sample = pairable[:, idx]
                if kind == "loop-qualcode":
                    values.append(statistics.krippendorff_alpha(sample))
                else:
                    values.append(
                        krippendorff.alpha(reliability_data=sample, level_of_measurement="nominal")
                    )
        low, high = (float(x) for x in np.quantile(values, [0.025, 0.975]))
        seconds = time.perf_counter() - t0
    report({"seconds": seconds, "interval": f"{low:.4f} to {high:.4f}"})


def main() -> None:
    rows = []
    for kind, label, runs in (
        ("ours-nominal", "bootstrap_alpha, nominal", RUNS),
        ("ours-ordinal", "bootstrap_alpha, ordinal", RUNS),
        ("loop-qualcode", "loop of krippendorff_alpha", PEER_RUNS),
        ("loop-krippendorff", "loop of krippendorff pkg", PEER_RUNS),
    ):
        results = [run_child(__file__, kind) for _ in range(runs)]
        rows.append(
            [
                label,
                runs,
                median(results, "seconds"),
                results[0]["interval"],
                median(results, "peak_mb"),
            ]
        )
    table(
        f"Bootstrap alpha: {RESAMPLES:,} resamples of {UNITS:,} units x {CODERS} coders "
        "(95% interval; nominal unless said)",
        ["method", "runs", "seconds (median)", "interval", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
