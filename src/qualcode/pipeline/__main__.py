"""`python -m qualcode.pipeline`: a worker that runs areas' jobs, each given as one JSON line
on stdin (an AreaJob), one after another until stdin closes; each job's result (an
AreaResult) is a stdout line starting with `workers.RESULT`. `run(jobs=N)` keeps N of them
(`pipeline.workers`)."""

from __future__ import annotations

import sys

from qualcode.pipeline.execute import run_area
from qualcode.pipeline.jobs import AreaJob
from qualcode.pipeline.workers import RESULT

if __name__ == "__main__":
    for line in sys.stdin:
        if line.strip():
            print(RESULT + run_area(AreaJob.from_json(line)).to_json(), flush=True)
