"""`python -m qualcode.pipeline`: run one area's job, given as JSON on stdin (an AreaJob);
its result (an AreaResult) is the last line of stdout. `run(jobs=N)` starts one per area."""

from __future__ import annotations

import sys

from qualcode.pipeline.execute import run_area
from qualcode.pipeline.jobs import AreaJob

if __name__ == "__main__":
    print(run_area(AreaJob.from_json(sys.stdin.read())).to_json())
