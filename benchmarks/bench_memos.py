"""The Coder's memo list (`p.memos_df`): seconds and peak memory on a project with 100,000
codings, 5,000 of them with a memo, and 1,000 transcript and code memos; the whole list, a
search, and one transcript's memos (what the panel reads when a transcript opens).

Peer, in the same run: `analysis.matrices.memo_table`, the export's memo table of the same
memos (it reads every coded document's text to cut the passages in Python).
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
CODING_MEMOS = 5_000
MEMOS = 1_000
RUNS = 5
WORDS = ["bus", "surgery", "carer", "nurse", "waiting", "phone", "lonely", "help", "money"]


def build(path: Path) -> None:
    import random

    import qualcode
    from qualcode.store import schema, writer

    build_coded_project(
        path, documents=DOCUMENTS, codings=CODINGS, words=WORDS, coders=["amina", "bob"], seed=7
    )
    rng = random.Random(11)
    p = qualcode.open_project(path)
    c = schema.codings
    with writer(p.engine).begin() as conn:  # coding memos, raw: the figures time reading them
        for i in range(1, CODING_MEMOS + 1):
            memo = f"synthetic memo {i}: " + " ".join(rng.choice(WORDS) for _ in range(12))
            conn.execute(
                c.update().where(c.c.id == i * (CODINGS // CODING_MEMOS)).values(memo=memo)
            )
    for i in range(MEMOS):
        text = f"synthetic note {i}: " + " ".join(rng.choice(WORDS) for _ in range(30))
        on = {"document": f"doc{i % DOCUMENTS}"} if i % 2 else {"code": f"Code {i % 25}"}
        p.add_memo(text, coder=("amina", "bob")[i % 2], **on)
    p.close()


def child(kind: str, path: str) -> None:
    if kind == "build":
        build(Path(path))
        report({})
        return

    import qualcode
    from qualcode.analysis.matrices import memo_table

    p = qualcode.open_project(path, user="amina")
    times = []
    for _ in range(2):  # the first call in a fresh kernel, then again (the panel's case)
        t0, c0 = time.perf_counter(), time.process_time()
        frame = read(kind, p, memo_table)
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    # CPU seconds too: on a shared machine the wall clock also counts others' work
    report({"first": times[0][0], "again": times[1][0], "cpu": times[1][1], "rows": len(frame)})


def read(kind: str, p: object, memo_table: object) -> object:
    """One read of the memo list (or of the peer's table), checked."""
    if kind == "list":
        frame = p.memos_df()
        assert len(frame) == CODING_MEMOS + MEMOS, len(frame)
    elif kind == "search":
        frame = p.memos_df(search="carer phone lonely")
        assert 0 < len(frame) < CODING_MEMOS + MEMOS
    elif kind == "transcript":
        frame = p.memos_df(document="doc1")
        assert len(frame) > 0
    else:
        frame = memo_table(p)
        assert len(frame) == CODING_MEMOS + MEMOS, len(frame)
    return frame


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    store = folder / "bench.qualcode"
    t0 = time.perf_counter()
    if len(sys.argv) > 1:  # a store built before: python bench_memos.py PATH
        store = Path(sys.argv[1])
    else:
        run_child(__file__, "build", str(store))  # in a child: a parent's peak memory is inherited
    print(
        f"built {CODINGS:,} codings and {CODING_MEMOS + MEMOS:,} memos in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    rows = []
    for kind, label in (
        ("list", "p.memos_df()"),
        ("search", 'p.memos_df(search="carer phone lonely")'),
        ("transcript", 'p.memos_df(document="doc1")'),
        ("peer", "peer: memo_table(p)"),
    ):
        runs = [run_child(__file__, kind, str(store)) for _ in range(RUNS)]
        row = [label, runs[0]["rows"], median(runs, "first"), median(runs, "again")]
        rows.append([*row, median(runs, "cpu"), median(runs, "peak_mb")])
    table(
        f"the memo list on {CODINGS:,} codings, {CODING_MEMOS + MEMOS:,} memos; "
        f"median of {RUNS} runs",
        ["method", "memos", "first call s", "again s", "again CPU s", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
