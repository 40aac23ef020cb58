"""`codings_df()` on 500,000 codings: seconds and peak memory (goal: < 2 s).

Peer, in the same run: the obvious pandas query, `pd.read_sql` of a join that slices each
coding's text in SQL with substr().
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import build_coded_project, median, report, run_child, table

CODINGS = 500_000
DOCUMENTS = 500
RUNS = 5
WORDS = [
    "bus",
    "surgery",
    "appointment",
    "carer",
    "nurse",
    "waiting",
    "phone",
    "lonely",
    "help",
    "money",
    "form",
]


def build(path: Path) -> None:
    build_coded_project(
        path, documents=DOCUMENTS, codings=CODINGS, words=WORDS, coders=["amina"], seed=7
    )


def child(kind: str, path: str) -> None:
    import pandas as pd

    if kind == "build":
        build(Path(path))
        report({})
        return

    import qualcode

    p = qualcode.open_project(path)
    t0 = time.perf_counter()
    if kind == "qualcode":
        frame = p.codings_df()
    else:
        sql = (
            'SELECT c.id, a.name AS area, d.title, c.start, c."end", '
            'substr(d.text, c.start + 1, c."end" - c.start) AS text, k.name AS code, '
            "r.name AS coder, c.memo, c.created_at FROM codings c "
            "JOIN documents d ON d.id = c.document_id JOIN areas a ON a.id = d.area_id "
            "JOIN codes k ON k.id = c.code_id JOIN coders r ON r.id = c.coder_id"
        )
        with p.engine.connect() as conn:
            frame = pd.read_sql(sql, conn.connection.dbapi_connection)
    seconds = time.perf_counter() - t0
    assert len(frame) == CODINGS, len(frame)
    report({"seconds": seconds})


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    store = folder / "bench.qualcode"
    t0 = time.perf_counter()
    run_child(__file__, "build", str(store))  # in a child: a parent's peak memory is inherited
    print(f"built {CODINGS:,} codings on {DOCUMENTS} documents in {time.perf_counter() - t0:.1f} s")
    rows = []
    for kind, label in (("qualcode", "codings_df()"), ("peer", "pd.read_sql + SQL substr")):
        runs = [run_child(__file__, kind, str(store)) for _ in range(RUNS)]
        rows.append([label, f"{CODINGS:,}", median(runs, "seconds"), median(runs, "peak_mb")])
    table(
        f"codings_df() on {CODINGS:,} codings, median of {RUNS} runs (goal: < 2 s)",
        ["method", "codings", "seconds", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
