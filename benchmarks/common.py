"""Shared by the benchmark scripts: run a measurement in a fresh process, print a table.

Each measurement runs in its own Python process so the peak memory it reports (VmHWM)
is its own; figures are the median of several runs.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def run_child(module_file: str, *args: str) -> dict:
    """Run `python module_file --child args...` and return the JSON it reports."""
    out = subprocess.run(
        [sys.executable, module_file, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> None:
    """In a child: print the result with this process's peak memory."""
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def peak_mb() -> float:
    """This process's peak resident memory in MB. VmHWM belongs to the program exec'd here;
    ru_maxrss survives exec and so also counts the parent's size at fork (a parent that built
    a large corpus would inflate every child's figure)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(runs: Sequence[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def spread(runs: Sequence[dict], key: str) -> str:
    """The median of several runs with their range, as a table cell: "0.430 (0.420-0.450)"."""
    values = [r[key] for r in runs]
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a small fixed-width table."""
    print(f"\n{title}\n{machine()}")
    cells = [list(map(str, header))] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for i, row in enumerate(cells):
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def build_coded_project(
    path: object,
    *,
    documents: int,
    codings: int,
    words: Sequence[str],
    coders: Sequence[str],
    seed: int,
    codes: int = 25,
    random_codes: bool = False,
) -> None:
    """A synthetic project: `documents` two-speaker transcripts of 60 turns in three areas,
    `codes` codes ("Code 0"...), and `codings` codings shared round-robin among `coders`,
    inserted raw (the benchmarks time reading them, not writing them)."""
    import random

    import qualcode
    from qualcode.store import new_guid, now, schema, writer
    from qualcode.store.identity import coder_id_for

    rng = random.Random(seed)
    p = qualcode.open_project(path)
    for i in range(codes):
        p.codebook.add(f"Code {i}")
    docs = []
    for i in range(documents):
        lines = [
            f"{'Interviewer' if j % 2 else 'Participant'}: "
            + " ".join(rng.choice(words) for _ in range(20))
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
    with writer(p.engine).begin() as conn:
        coder_ids = [coder_id_for(conn, name) for name in coders]
        rows = []
        for i in range(codings):
            d = docs[i % documents]
            start = rng.randrange(0, len(d.text) - 200)
            end = start + rng.randrange(20, 200)
            code = rng.randrange(codes) if random_codes else i % codes
            rows.append(
                {
                    "guid": new_guid(),
                    "document_id": d.id,
                    "start": start,
                    "end": end,
                    "code_id": 1 + code,
                    "coder_id": coder_ids[i % len(coder_ids)],
                    "memo": None,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        for i in range(0, len(rows), 50_000):
            conn.execute(schema.codings.insert(), rows[i : i + 50_000])
    p.close()
