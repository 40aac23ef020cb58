"""`p.code(...)` latency on SQLite: median and p99 over 10,000 calls (goal: p99 < 5 ms).

Peer, in the same run: the bare minimum the same durable write costs, a plain sqlite3 INSERT
of the coding plus its audit row and COMMIT, with the same pragmas.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

CALLS = 10_000
RUNS = 3


def child(kind: str) -> None:
    import qualcode

    folder = Path(tempfile.mkdtemp())
    p = qualcode.open_project(folder / "bench.qualcode")
    text = "Interviewer: How was it?\nParticipant: " + ("It was hard to get an appointment. " * 300)
    doc = p.add_document(text, area="bench", title="doc")
    for name in ("Access to GP", "Transport", "Carers", "Peer support"):
        p.codebook.add(name)
    codes = ["Access to GP", "Transport", "Carers", "Peer support"]
    times = []
    if kind == "qualcode":
        for i in range(CALLS):
            start = (i * 37) % 9000
            t0 = time.perf_counter()
            p.code(doc.id, start, start + 40, codes[i % 4], coder=f"coder{i % 5}")
            times.append(time.perf_counter() - t0)
    else:
        con = sqlite3.connect(p.location, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=ON")
        coder_id = con.execute(
            "INSERT INTO coders (guid, name, role, created_at) "
            "VALUES ('peer', 'peer', 'coder', 'now') RETURNING id"
        ).fetchone()[0]
        for i in range(CALLS):
            start = (i * 37) % 9000
            t0 = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                'INSERT INTO codings (guid, document_id, start, "end", code_id, coder_id, '
                "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, 'now', 'now')",
                (f"g{i}", doc.id, start, start + 40, coder_id),
            )
            con.execute(
                "INSERT INTO audit (at, actor, action, object) VALUES ('now', 'x', 'add', 'coding')"
            )
            con.execute("COMMIT")
            times.append(time.perf_counter() - t0)
    times.sort()
    report(
        {
            "median_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[int(len(times) * 0.99)] * 1000,
            "calls_per_s": CALLS / sum(times),
        }
    )


def main() -> None:
    rows = []
    for kind in ("qualcode", "sqlite3 peer"):
        runs = [run_child(__file__, kind.split()[0]) for _ in range(RUNS)]
        rows.append(
            [
                kind,
                CALLS,
                median(runs, "median_ms"),
                median(runs, "p99_ms"),
                median(runs, "calls_per_s"),
                median(runs, "peak_mb"),
            ]
        )
    table(
        f"p.code() latency, median of {RUNS} runs of {CALLS} calls (goal: p99 < 5 ms)",
        ["writer", "calls", "median ms", "p99 ms", "calls/s", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
