"""Done marks on a SQLite store of 600 transcripts (SYNTHETIC), half marked by one coder:

- `p.mark_done` (one audited write), against `p.code` (one audited coding: the peer write);
- the Coder's transcript list with its ✓ and count (`DoneBar.options`: documents_df rows and
  the coder's marks), against the list as it was built before done marks (the peer:
  `p.documents_df` and a label per row from `iterrows`).

Median (range) of RUNS runs (default 5), milliseconds; peak memory of the process.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import peak_mb, table  # noqa: E402

import qualcode  # noqa: E402

RUNS = int(os.environ.get("RUNS", 5))
DOCUMENTS = 600


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def before(p: qualcode.Project) -> list[tuple[str, int]]:
    """The transcript list as the Coder built it before done marks."""
    docs = p.documents_df()
    return [
        (f"{row.title} · {row.case} · {row.area} ({row.words} words)", int(i))
        for i, row in docs.iterrows()
    ]


def main() -> None:
    from qualcode.widgets.coder import Coder

    with tempfile.TemporaryDirectory() as tmp:
        p = qualcode.open_project(Path(tmp) / "done.qualcode", user="bench")
        p.codebook.add("Transport")
        text = "Interviewer: Bus?\nParticipant: [SYNTHETIC] It comes twice a day, {}.\n"
        docs = [
            p.add_document(text.format(i), area=f"area {i % 3}", title=f"t{i:03d}")
            for i in range(DOCUMENTS)
        ]
        for doc in docs[: DOCUMENTS // 2]:
            p.mark_done(doc, coder="amina")
        coder = Coder(p, coder="amina")
        frame = p.documents_df()
        rows: dict[str, list[float]] = {k: [] for k in ("mark", "code", "list", "peer")}
        for run in range(RUNS):
            doc = docs[DOCUMENTS // 2 + run]
            rows["mark"].append(timed(lambda d=doc: p.mark_done(d, coder="amina")))
            rows["code"].append(timed(lambda d=doc: p.code(d, 30, 35, "Transport", coder="amina")))
            rows["list"].append(timed(lambda: coder.progress.options(p.documents_df())))
            rows["peer"].append(timed(lambda: before(p)))
        assert len(coder.progress.options(frame)) == DOCUMENTS
        p.close()

    def cell(key: str) -> str:
        values = rows[key]
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

    table(
        f"Done marks: {DOCUMENTS} transcripts on SQLite, median (range) of {RUNS} runs, ms; "
        f"peak {peak_mb():.0f} MB",
        ["what", "ms"],
        [
            ["p.mark_done (one audited write)", cell("mark")],
            ["  peer: p.code (one audited coding)", cell("code")],
            ["transcript list with ✓ and count", cell("list")],
            ["  peer: the list before done marks", cell("peer")],
        ],
    )


if __name__ == "__main__":
    main()
