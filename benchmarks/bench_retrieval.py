"""`Retrieval` on 100,000 codings: seconds and peak memory per query (goal: < 0.2 s).

Each figure is a fresh process building `Retrieval(p, query)`: the coding query, the interval
work, and the DataFrame with context. Peer, for the single-code query: plain pandas, that is
`p.codings_df()` filtered to the code.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import build_coded_project, median, report, run_child, table

CODINGS = 100_000
DOCUMENTS = 200
CODES = 25
RUNS = 5
WORDS = ["bus", "surgery", "appointment", "carer", "nurse", "waiting", "phone", "lonely", "help"]
QUERIES = {
    "one code": "Code 3",
    "AND": "Code 3 AND Code 4",
    "OR": "Code 3 OR Code 4",
    "AND NOT": "Code 3 AND NOT Code 4",
    "NEAR (turn)": "Code 3 NEAR Code 4",
    "nested": "(Code 3 OR Code 5) NEAR Code 4 AND NOT Code 6",
}


def build(path: Path) -> None:
    """200 synthetic two-speaker transcripts, 25 codes; the codings go in as raw inserts."""
    build_coded_project(
        path,
        documents=DOCUMENTS,
        codings=CODINGS,
        words=WORDS,
        coders=["amina", "ben", "chen"],
        seed=11,
        codes=CODES,
        random_codes=True,
    )


def child(kind: str, path: str) -> None:
    if kind == "build":
        t0 = time.perf_counter()
        build(Path(path))
        report({"seconds": time.perf_counter() - t0})
        return
    import qualcode
    from qualcode.coding.retrieval import Retrieval

    p = qualcode.open_project(path)
    t0 = time.perf_counter()
    if kind == "peer":
        frame = p.codings_df()
        frame = frame[frame["code"] == "Code 3"]
    else:
        frame = Retrieval(p, QUERIES[kind]).df
    seconds = time.perf_counter() - t0
    report({"seconds": seconds, "passages": len(frame)})


def main() -> None:
    store = Path(tempfile.mkdtemp()) / "bench.qualcode"
    # built in a child too: Linux carries a parent's peak memory over into the children it starts
    built = run_child(__file__, "build", str(store))
    print(f"built {CODINGS:,} codings on {DOCUMENTS} documents in {built['seconds']:.1f} s")
    rows = []
    for kind, label in [
        *((k, f"Retrieval: {q}") for k, q in QUERIES.items()),
        ("peer", "peer: codings_df() then pandas filter on code"),
    ]:
        runs = [run_child(__file__, kind, str(store)) for _ in range(RUNS)]
        rows.append(
            [label, int(median(runs, "passages")), median(runs, "seconds"), median(runs, "peak_mb")]
        )
    table(
        f"Retrieval on {CODINGS:,} codings, median of {RUNS} runs (goal: < 0.2 s)",
        ["query", "passages", "seconds", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
