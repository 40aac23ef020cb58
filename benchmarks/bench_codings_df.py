"""`codings_df()` on 500,000 codings: seconds and peak memory (goal: < 2 s).

Peer, in the same run: the obvious pandas query, `pd.read_sql` of a join that slices each
coding's text in SQL with substr().
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

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
    import qualcode
    from qualcode.store import new_guid, now, schema, writer

    rng = random.Random(7)
    p = qualcode.open_project(path)
    for name in [f"Code {i}" for i in range(25)]:
        p.codebook.add(name)
    docs = []
    for i in range(DOCUMENTS):
        lines = [
            f"{'Interviewer' if j % 2 else 'Participant'}: "
            + " ".join(rng.choice(WORDS) for _ in range(20))
            + "."
            for j in range(60)
        ]
        docs.append(
            p.add_document(
                "\n".join(lines),
                area=f"area{i % 3}",
                title=f"doc{i}",
                attributes={"age_band": rng.choice(["18-24", "65+"])},
            )
        )
    stamp = now()
    rows = []
    for i in range(CODINGS):
        d = docs[i % DOCUMENTS]
        start = rng.randrange(0, len(d.text) - 200)
        rows.append(
            {
                "guid": new_guid(),
                "document_id": d.id,
                "start": start,
                "end": start + rng.randrange(20, 200),
                "code_id": 1 + i % 25,
                "coder_id": 1,
                "memo": None,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    from qualcode.project import coder_id_for

    with writer(p.engine).begin() as conn:
        coder_id_for(conn, "amina")
        for i in range(0, len(rows), 50_000):
            conn.execute(schema.codings.insert(), rows[i : i + 50_000])
    p.close()


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
