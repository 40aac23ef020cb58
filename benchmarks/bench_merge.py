"""`merge_project(p, other)`: a laptop's project of 250 documents and 20,000 codings merged into an
empty project, then merged again (which must add 0 rows): seconds and peak memory.

Peers, in the same run, on the same project: the REFI-QDA import of its `.qdpx` into an empty
project (the other way to bring work across), and the floor: a bare bulk insert of the same
documents, units and codings (`insert_rows`, one transaction, no matching and no audit).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from qualcode.interop.merge import merge_project

sys.path.insert(0, str(Path(__file__).parent))
from common import build_coded_project, median, report, run_child, table

DOCUMENTS = 250
CODINGS = 20_000
RUNS = 5
WORDS = [
    "appointment",
    "bus",
    "carer",
    "doctor",
    "waiting",
    "list",
    "phone",
    "surgery",
    "nurse",
    "help",
    "lonely",
    "money",
]


def child(kind: str, source: str) -> None:
    import qualcode

    if kind == "build":
        _build(Path(source))
        return
    target = qualcode.open_project(Path(tempfile.mkdtemp()) / "hub.qualcode", user="lead")
    result: dict[str, float] = {}
    t0 = time.perf_counter()
    if kind == "merge":
        first = merge_project(target, source)
        result["seconds"] = time.perf_counter() - t0
        result["rows"] = first.rows_added
        t0 = time.perf_counter()
        second = merge_project(target, source)
        result["again_s"] = time.perf_counter() - t0
        result["again_rows"] = second.rows_added
    elif kind == "refi":
        from qualcode.interop.refi import import_qdpx

        done = import_qdpx(source, target)
        result["seconds"] = time.perf_counter() - t0
        result["rows"] = done.documents + done.codings
    else:
        result["seconds"], result["rows"] = _bulk(target, source)
    report(result)


def _bulk(target: object, source: str) -> tuple[float, int]:
    """The floor: read the same rows and insert them raw, with no matching and no audit."""
    from sqlalchemy import select

    import qualcode
    from qualcode.store import schema
    from qualcode.store.bulk import insert_rows

    t0 = time.perf_counter()
    other = qualcode.open_project(source)
    rows = 0
    with other.reading() as src, target.writing() as dst:  # type: ignore[attr-defined]
        for table in (
            schema.areas,
            schema.cases,
            schema.coders,
            schema.codes,
            schema.documents,
            schema.units,
            schema.codings,
        ):
            columns = [c.name for c in table.columns]
            data = [tuple(r) for r in src.execute(select(table))]
            insert_rows(dst, table, columns, data)
            rows += len(data)
    other.close()
    return time.perf_counter() - t0, rows


def _build(folder: Path) -> None:
    """The laptop's project and its .qdpx, built in a child so this process stays small (a
    child inherits its parent's peak memory figure)."""
    import qualcode
    from qualcode.interop.refi import export_qdpx

    source = folder / "laptop.qualcode"
    build_coded_project(
        source, documents=DOCUMENTS, codings=CODINGS, words=WORDS, coders=["amina", "ben"], seed=7
    )
    p = qualcode.open_project(source)
    export_qdpx(p, folder / "laptop.qdpx")
    p.close()
    report({})


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    run_child(__file__, "build", str(folder))
    source, qdpx = folder / "laptop.qualcode", folder / "laptop.qdpx"
    rows = []
    for kind, label, path in (
        ("merge", "merge_project(p, laptop.qualcode)", source),
        ("refi", "peer: import_qdpx(laptop.qdpx)", qdpx),
        ("bulk", "floor: bare bulk insert", source),
    ):
        runs = [run_child(__file__, kind, str(path)) for _ in range(RUNS)]
        again = (
            f"{median(runs, 'again_s'):.3f} s, {int(median(runs, 'again_rows'))} rows"
            if kind == "merge"
            else "-"
        )
        rows.append(
            [
                label,
                int(median(runs, "rows")),
                median(runs, "seconds"),
                again,
                median(runs, "peak_mb"),
            ]
        )
    table(
        f"merge a project of {DOCUMENTS} documents and {CODINGS:,} codings into an empty one "
        f"(median of {RUNS} runs)",
        ["what", "rows", "seconds", "second merge", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
