"""30 coders at once: 30 processes × 200 code/uncode actions on the same documents, on SQLite
and on PostgreSQL (goal: 0 codings lost or duplicated, p99 < 100 ms).

Each coder is a separate process (spawned, like a notebook kernel) that codes spans and
removes some of its own codings; all start at the same moment. Afterwards the store is checked
against what every coder did: codings that should exist but do not are lost, rows nobody made
(or made once but stored twice) are duplicated, and the audit log must hold one row per action.
Peer, in the same run: the same workload from 1 process, so the table shows what contention
costs. PostgreSQL runs on a throwaway cluster started here (tests/pg.py) with the server's
default, durable settings; peak MB is the largest coder process's peak memory (VmHWM).

Second table (`--ingest`, or after the first): a long transcript (8 MB, then 36 MB) is
ingested while 3 coders, each a separate process, press a key every 0.2 s (code, or uncode
their own, each saved at once); goal: 0 failures and worst wait < 1 s. Peer, in the same run:
the same workload on the code before the write-lock change (commit PEER, checked out with
`git worktree add /tmp/peer PEER`, or QUALCODE_PEER_SRC), when it is there.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from common import median, peak_mb, report, run_child, table

PROCESSES = 30
ACTIONS = 200
RUNS = 3
CODES = ("Access to GP", "Transport", "Carers", "Peer support")
TEXT = "Interviewer: How was it?\nParticipant: " + ("It was hard to get an appointment. " * 40)


def coder(url: str, index: int, out: str, barrier) -> None:  # type: ignore[no-untyped-def]
    """One coder process: ACTIONS actions, 60% code and 40% uncode of its own codings."""
    import qualcode

    name = f"coder{index:02d}"
    p = qualcode.open_project(url, user=name)
    docs = [d.id for d in p.documents()]
    rng = random.Random(index)
    mine: list[tuple[int, str]] = []
    made, removed, times = [], [], []
    barrier.wait(600)
    began = time.monotonic()
    for _ in range(ACTIONS):
        if mine and rng.random() < 0.4:
            coding_id, guid = mine.pop(rng.randrange(len(mine)))
            t0 = time.perf_counter()
            p.uncode(coding_id, coder=name)
            times.append(time.perf_counter() - t0)
            removed.append(guid)
        else:
            start = rng.randrange(0, 1000)
            t0 = time.perf_counter()
            c = p.code(
                docs[rng.randrange(len(docs))],
                start,
                start + rng.randrange(5, 80),
                CODES[rng.randrange(len(CODES))],
                coder=name,
            )
            times.append(time.perf_counter() - t0)
            mine.append((c.id, c.guid))
            made.append([c.guid, c.document_id, c.start, c.end, c.code, name])
    ended = time.monotonic()
    p.close()
    result = {"made": made, "removed": removed, "times": times, "peak": peak_mb()}
    Path(out).write_text(json.dumps({**result, "began": began, "ended": ended}))


def child(url: str, processes: str) -> None:
    """Set up a fresh store at `url`, run the coders, check the store, report the figures."""
    import qualcode

    n = int(processes)
    p = qualcode.open_project(url, user="bench")
    for i in range(3):
        p.add_document(TEXT, area="bench", title=f"doc{i}")
    for name in CODES:
        p.codebook.add(name)
    folder = Path(tempfile.mkdtemp())
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n)
    outs = [folder / f"{i}.json" for i in range(n)]
    workers = [ctx.Process(target=coder, args=(url, i, str(outs[i]), barrier)) for i in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if any(w.exitcode != 0 for w in workers):
        raise SystemExit(f"a coder process failed: {[w.exitcode for w in workers]}")
    results = [json.loads(out.read_text()) for out in outs]
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results)

    made = {m[0]: tuple(m[1:]) for r in results for m in r["made"]}
    removed = {g for r in results for g in r["removed"]}
    expected = Counter(made[g] + (g,) for g in set(made) - removed)
    stored = Counter((c.document_id, c.start, c.end, c.code, c.coder, c.guid) for c in p.codings())
    lost = sum((expected - stored).values())
    duplicated = sum((stored - expected).values())
    audit = p.audit_df()
    coding_rows = audit[audit["object"] == "coding"]
    audit_off = abs(len(coding_rows) - (len(made) + len(removed)))
    p.close()

    times = sorted(t for r in results for t in r["times"])
    report(
        {
            "lost": lost,
            "duplicated": duplicated,
            "audit_off": audit_off,
            "median_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[int(len(times) * 0.99)] * 1000,
            "actions_per_s": len(times) / wall,
            "coder_peak_mb": max(r["peak"] for r in results),
        }
    )


def main() -> None:
    import pg

    rows = []
    with pg.cluster(durable=True) as server:
        for backend in ("sqlite", "postgresql"):
            for n in (PROCESSES, 1):
                runs = []
                for _ in range(RUNS):
                    if backend == "sqlite":
                        url = str(Path(tempfile.mkdtemp()) / "bench.qualcode")
                    else:
                        url = server.database()
                    runs.append(run_child(__file__, url, str(n)))
                    if backend == "postgresql":
                        server.drop(url)
                rows.append(
                    [
                        backend,
                        n,
                        n * ACTIONS,
                        sum(r["lost"] for r in runs),
                        sum(r["duplicated"] for r in runs),
                        sum(r["audit_off"] for r in runs),
                        median(runs, "median_ms"),
                        median(runs, "p99_ms"),
                        median(runs, "actions_per_s"),
                        median(runs, "coder_peak_mb"),
                    ]
                )
    table(
        f"{PROCESSES} coders × {ACTIONS} code/uncode actions at once, median of {RUNS} runs "
        "(goal: 0 lost or duplicated; peer: 1 process)",
        [
            "store",
            "processes",
            "actions",
            "lost",
            "duplicated",
            "audit off",
            "median ms",
            "p99 ms",
            "actions/s",
            "peak MB",
        ],
        rows,
    )
    if any(row[3] or row[4] or row[5] for row in rows):
        raise SystemExit("codings were lost or duplicated, or the audit log does not match")


INGEST_MB = (8, 36)
INGEST_RUNS = {8: 3, 36: 1}  # 36 MB takes minutes to segment on 2 cores; other sizes: 1
INGEST_CODERS = 3
PRESS_EVERY_S = 0.2
PEER = "61674f2"  # main before the write-lock change
PARAGRAPH = (
    "Interviewer: How do you get to the surgery when the bus does not come?\n"
    "Participant: Well, it is hard. My daughter drives me when she can, but she works. "
    "Sometimes I wait two hours for the bus and then I miss the appointment.\n"
)


def presser(url: str, index: int, out: str, stop, ready) -> None:  # type: ignore[no-untyped-def]
    """One coder pressing keys until told to stop: each press codes (or uncodes one of their
    own codings) and is saved at once; every wait and every failure is recorded."""
    import qualcode

    name = f"coder{index}"
    p = qualcode.open_project(url, user=name)
    doc = p.documents(area="bench")[0]
    rng = random.Random(index)
    mine: list[int] = []
    waits, failures = [], []
    ready.wait(600)  # every coder has the project open, and so has the ingest
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            if mine and rng.random() < 0.3:
                p.uncode(mine.pop(), coder=name)
            else:
                start = rng.randrange(0, 900)
                mine.append(p.code(doc, start, start + 20, CODES[index % 4], coder=name).id)
        except Exception as exc:  # a failure is what this counts
            failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:150]}")
        waits.append(time.perf_counter() - t0)
        time.sleep(PRESS_EVERY_S)
    p.close()
    Path(out).write_text(json.dumps({"waits": waits, "failures": failures}))


def ingest_child(folder: str, mb: str) -> None:
    """Ingest an `mb` MB transcript while INGEST_CODERS processes press keys; report."""
    import qualcode

    url = str(Path(folder) / "bench.qualcode")
    p = qualcode.open_project(url, user="ingest")
    p.add_document(TEXT, area="bench", title="short")
    for name in CODES:
        p.codebook.add(name)
    big = Path(folder) / "long.txt"
    big.write_text(PARAGRAPH * int(float(mb) * 2**20 / len(PARAGRAPH)), encoding="utf-8")
    ctx = multiprocessing.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Barrier(INGEST_CODERS + 1)
    outs = [Path(folder) / f"coder{i}.json" for i in range(INGEST_CODERS)]
    coders = [
        ctx.Process(target=presser, args=(url, i, str(outs[i]), stop, ready))
        for i in range(INGEST_CODERS)
    ]
    for c in coders:
        c.start()
    ready.wait(600)
    t0 = time.perf_counter()
    report_ = p.ingest(big, area="long", progress=False)
    ingest_s = time.perf_counter() - t0
    time.sleep(1)
    stop.set()
    for c in coders:
        c.join()
    results = [json.loads(out.read_text()) for out in outs]
    waits = sorted(w for r in results for w in r["waits"])
    failures = [f for r in results for f in r["failures"]]
    report(
        {
            "ingested": len(report_.added),
            "ingest_s": ingest_s,
            "presses": len(waits),
            "failures": len(failures),
            "failure": failures[0] if failures else "",
            "worst_s": waits[-1],
            "median_ms": statistics.median(waits) * 1000,
        }
    )


def peer_src() -> Path | None:
    """The source folder of the peer (the code before this change), if checked out."""
    folder = Path(os.environ.get("QUALCODE_PEER_SRC", "/tmp/peer/src"))
    return folder if (folder / "qualcode").is_dir() else None


def run_ingest(src: Path, mb: int) -> dict:
    """One ingest-while-coding run in a fresh process whose qualcode comes from `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run(
            [sys.executable, __file__, "--ingest-child", folder, str(mb)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def ingest_main(sizes: tuple[int, ...] = INGEST_MB) -> None:
    here = Path(__file__).resolve().parents[1] / "src"
    versions = [("this", here)] + ([("peer " + PEER, peer_src())] if peer_src() else [])
    rows, failures = [], []
    for mb in sizes:
        for label, src in versions:
            runs = [run_ingest(src, mb) for _ in range(INGEST_RUNS.get(mb, 1))]
            rows.append(
                [
                    label,
                    mb,
                    len(runs),
                    sum(r["ingested"] for r in runs),
                    sum(r["presses"] for r in runs),
                    sum(r["failures"] for r in runs),
                    max(r["worst_s"] for r in runs),
                    median(runs, "worst_s"),
                    median(runs, "median_ms"),
                    median(runs, "ingest_s"),
                ]
            )
            failures += [f"{label}, {mb} MB: {r['failure']}" for r in runs if r["failure"]]
    table(
        f"a long transcript ingested while {INGEST_CODERS} coders press a key every "
        f"{PRESS_EVERY_S} s (goal: 0 failures, worst wait < 1 s; worst over the runs, "
        "then medians of the runs: each run's worst, the median wait, the ingest)",
        [
            "code",
            "MB",
            "runs",
            "ingested",
            "presses",
            "failures",
            "worst s",
            "run's worst s",
            "median ms",
            "ingest s",
        ],
        rows,
    )
    for line in failures:
        print(f"  first failure: {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["--ingest-child"]:
        ingest_child(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["--ingest"]:  # --ingest [MB ...]: these sizes only
        ingest_main(tuple(int(mb) for mb in sys.argv[2:]) or INGEST_MB)
    else:
        main()
        ingest_main()
