"""Spreadsheet exports: writing N rows of passages to XLSX through `qualcode.sheets.append_row`
(every text made safe, formula-like texts kept as text), as the framework matrix's passages
sheet, the evidence workbook and every XLSX export do.

Peer, in the same run: the previous `append_row`, which looked the new row up again after
each append (`sheet[sheet.max_row]`, a scan of the whole sheet per row). Each figure is a fresh
process, median of RUNS; rows are SYNTHETIC passages of 40 words, one in fifty starting "=".
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))
from common import median, report, run_child, table  # noqa: E402

RUNS = 3
SIZES = (1_000, 5_000, 20_000)
WORDS = ["bus", "surgery", "appointment", "carer", "nurse", "waiting", "phone", "lonely",
         "help", "money", "form", "doctor"]  # fmt: skip


def _rows(n: int) -> list[list[object]]:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(40))
        rows.append([f"P{i % 250:03d}", "Support and care/Peer support", i, i + 200,
                     ("=" + text) if i % 50 == 0 else text])  # fmt: skip
    return rows


def _old_append_row(sheet, values) -> None:  # type: ignore[no-untyped-def]
    from qualcode.sheets import FORMULA_START, _xlsx_cell

    sheet.append([_xlsx_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def child(which: str, n: int) -> None:
    from openpyxl import Workbook

    from qualcode.sheets import append_row

    write = append_row if which == "append_row" else _old_append_row
    rows = _rows(n)
    book = Workbook()
    sheet = book.active
    t0 = time.perf_counter()
    for row in rows:
        write(sheet, row)
    appended = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        book.save(Path(tmp) / "out.xlsx")
    report({"append_s": appended, "total_s": time.perf_counter() - t0})


def main() -> None:
    rows = []
    for n in SIZES:
        for which in ("append_row", "peer: look the row up again"):
            if which != "append_row" and n > 5_000:
                rows.append([n, which, "not run (quadratic)", "", ""])
                continue
            runs = [run_child(__file__, which, str(n)) for _ in range(RUNS)]
            rows.append([n, which, median(runs, "append_s"), median(runs, "total_s"),
                         median(runs, "peak_mb")])  # fmt: skip
    table(
        f"XLSX rows written through append_row, median of {RUNS} fresh processes",
        ["rows", "how", "append s", "append + save s", "peak MB"],
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
