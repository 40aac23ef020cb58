"""Ingest throughput on a generated corpus of 2,000 transcripts (~20 M characters), with
sentence segmentation: MB/s and peak memory (goal: >= 2 MB/s on one core, memory flat in the
corpus size). Run at two corpus sizes to show memory stays flat.

Peer, in the same run: spaCy alone (the same sentence splitter over the same files, nothing
stored): the floor that segmentation sets.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table

SIZES = (500, 2000)
CHARS_PER_FILE = 10_000
RUNS = 3
VOCAB = [
    "the",
    "bus",
    "never",
    "comes",
    "and",
    "the",
    "surgery",
    "phone",
    "rings",
    "out",
    "by",
    "eight",
    "so",
    "I",
    "gave",
    "up",
    "on",
    "the",
    "appointment",
    "my",
    "mum",
    "needs",
    "a",
    "carer",
    "but",
    "nobody",
    "calls",
    "back",
    "about",
    "the",
    "assessment",
    "it",
    "is",
    "lonely",
    "since",
    "the",
    "day",
    "centre",
    "shut",
    "and",
    "the",
    "form",
    "online",
    "just",
    "times",
    "out",
]


def generate(folder: Path, files: int) -> int:
    """Write `files` synthetic transcripts; return the total size in bytes."""
    rng = random.Random(files)
    total = 0
    for i in range(files):
        lines, size = ["[SYNTHETIC benchmark transcript]", ""], 0
        turn = 0
        while size < CHARS_PER_FILE:
            label = "Interviewer" if turn % 2 == 0 else f"P{1 + i % 3}"
            sentences = [
                " ".join(rng.choice(VOCAB) for _ in range(rng.randint(6, 18))).capitalize()
                + rng.choice([".", "?", "!"])
                for _ in range(rng.randint(1, 5))
            ]
            line = f"[00:{turn // 60:02d}:{turn % 60:02d}] {label}: {' '.join(sentences)}"
            lines.append(line)
            size += len(line) + 1
            turn += 1
        data = "\n".join(lines).encode()
        (folder / f"t{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def child(kind: str, folder: str) -> None:
    files = sorted(Path(folder).glob("*.txt"))
    size = sum(f.stat().st_size for f in files)
    t0 = time.perf_counter()
    if kind == "qualcode":
        import qualcode

        p = qualcode.open_project(Path(tempfile.mkdtemp()) / "bench.qualcode")
        result = p.ingest(folder, area="bench", progress=False)
        assert result.ok and len(result.added) == len(files), str(result)
        units = int(p.documents_df()["units"].sum())
    else:
        from qualcode.ingest.segment import Segmenter

        segmenter = Segmenter()
        units = 0
        for f in files:
            units += sum(u.kind == "sentence" for u in segmenter.units(f.read_text()))
    seconds = time.perf_counter() - t0
    report({"seconds": seconds, "mb_per_s": size / 1e6 / seconds, "units": units, "mb": size / 1e6})


def main() -> None:
    rows = []
    for files in SIZES:
        folder = Path(tempfile.mkdtemp())
        generate(folder, files)
        for kind, label in (("qualcode", "qualcode ingest"), ("peer", "segmentation alone")):
            runs = [run_child(__file__, kind, str(folder)) for _ in range(RUNS)]
            rows.append(
                [
                    label,
                    files,
                    median(runs, "mb"),
                    median(runs, "seconds"),
                    median(runs, "mb_per_s"),
                    int(median(runs, "units")),
                    median(runs, "peak_mb"),
                ]
            )
    table(
        f"ingest throughput, one process, median of {RUNS} runs (goal: >= 2 MB/s, flat memory)",
        ["method", "files", "MB", "seconds", "MB/s", "sentences", "peak MB"],
        rows,
    )
    # seconds include starting Python and loading spaCy; the rate between the two corpus
    # sizes is the steady state a long ingest runs at
    for label in ("qualcode ingest", "segmentation alone"):
        small, large = [r for r in rows if r[0] == label]
        rate = (large[2] - small[2]) / (large[3] - small[3])
        print(f"steady state, {label}: {rate:.2f} MB/s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
