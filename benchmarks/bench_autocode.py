"""Auto-coding a word across 2,000 generated transcripts (bench_ingest's generator, ~20 MB):
seconds to preview the hits and to apply them all as codings, median of several runs, with
each run's peak memory.

Peers, in the same run: a bare `re.finditer` of the same whole-word pattern over the same
texts read with sqlite3 (the floor a search can reach), and `p.code()` once per hit (what
applying costs without the batch path; timed on the first LOOP_CALLS hits and scaled to all).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from qualcode.coding.autocode import autocode

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import generate
from common import median, report, run_child, table

FILES = 2000
RUNS = 3
WORD = "lonely"  # one of the generator's words: tens of hits per transcript
LIMIT = 500_000  # max_hits, raised: the benchmark codes every hit
LOOP_CALLS = 2000
CODE = "Loneliness"


def build(folder: Path) -> Path:
    """Ingest the generated transcripts once; every run works on a fresh copy."""
    import qualcode

    raw = folder / "raw"
    raw.mkdir()
    generate(raw, FILES)
    store = folder / "template.qualcode"
    with qualcode.open_project(store, user="bench") as p:
        report_ = p.ingest(raw, area="bench", progress=False)
        assert report_.ok and len(report_.added) == FILES, str(report_)
        p.codebook.add(CODE)
    return store


def child(kind: str, template: str) -> None:
    if kind == "build":  # in a child too: a child inherits its parent's peak memory figure
        t0 = time.perf_counter()
        build(Path(template))
        report({"seconds": time.perf_counter() - t0})
        return
    store = Path(tempfile.mkdtemp()) / "bench.qualcode"
    shutil.copy(template, store)
    if kind == "floor":
        t0 = time.perf_counter()
        pattern = re.compile(rf"(?<!\w){WORD}(?!\w)", re.IGNORECASE)
        con = sqlite3.connect(store)
        hits = 0
        for (text,) in con.execute("SELECT text FROM documents WHERE is_current = 1"):
            hits += sum(1 for _ in pattern.finditer(text))
        report({"seconds": time.perf_counter() - t0, "hits": hits})
        return
    import qualcode

    p = qualcode.open_project(store, user="bench")
    args = {"coder": "bench", "interviewer": True, "max_hits": LIMIT}
    if kind == "preview":
        t0 = time.perf_counter()
        hits = autocode(p, WORD, CODE, **args, preview=True)
        report({"seconds": time.perf_counter() - t0, "hits": len(hits)})
    elif kind == "apply":
        t0 = time.perf_counter()
        result = autocode(p, WORD, CODE, **args)
        seconds = time.perf_counter() - t0
        assert len(p.codings_df()) == len(result.added)
        report({"seconds": seconds, "hits": len(result.added)})
    else:  # one p.code() per hit, on the first LOOP_CALLS hits, scaled to all of them
        hits = autocode(p, WORD, CODE, **args, preview=True)
        sample = hits.head(LOOP_CALLS)
        t0 = time.perf_counter()
        for doc_id, start, end in sample[["document_id", "start", "end"]].itertuples(index=False):
            p.code(int(doc_id), int(start), int(end), CODE, coder="bench")
        seconds = (time.perf_counter() - t0) * len(hits) / len(sample)
        report({"seconds": seconds, "hits": len(hits)})
    p.close()


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    built = run_child(__file__, "build", str(folder))
    print(f"built {FILES} transcripts in {built['seconds']:.0f} s")
    template = folder / "template.qualcode"
    rows = []
    for kind, label in (
        ("preview", "autocode(p, preview=True)"),
        ("floor", "peer: sqlite3 + re.finditer"),
        ("apply", "autocode(p) (apply)"),
        ("loop", f"peer: p.code() per hit (x{LOOP_CALLS}, scaled)"),
    ):
        runs = [run_child(__file__, kind, str(template)) for _ in range(RUNS)]
        rows.append(
            [label, int(median(runs, "hits")), median(runs, "seconds"), median(runs, "peak_mb")]
        )
    table(
        f"auto-code {WORD!r} across {FILES:,} transcripts (~20 MB), median of {RUNS} runs",
        ["method", "hits", "seconds", "peak MB"],
        rows,
    )
    shutil.rmtree(folder)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
