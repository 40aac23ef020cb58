"""The Coder's code tree: its numbers on 100,000 codings, and drawing 300 codes in chromium.

Python (each figure a fresh process, median of RUNS; SYNTHETIC project of 100,000 codings by
three coders over 300 codes):
- counting "yours · everyone's" for every code in one query (`Codebook.counts`), done when the
  Coder opens, refreshes or a code is merged; peer: the existing per-code usage count
  (`Codebook.usage_counts`, one GROUP BY with no join and no blind-round rule);
- a key press: `CodeCounts.added` (add one, send the 300 numbers to the view), what each coding
  costs the tree instead of a recount.

Browser (Debian chromium under playwright, no JupyterLab: the front end with a stub model):
- building the tree of 300 codes (goal: well under 50 ms), against the core's own redraw of a
  2,000-word transcript in the same change (the peer); JS heap after, as memory.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
from common import build_coded_project, median, report, run_child, table  # noqa: E402

CODINGS = 100_000
DOCUMENTS = 100
CODES = 300
RUNS = 5
PRESSES = 1_000
WORDS = ["bus", "surgery", "appointment", "carer", "nurse", "waiting", "phone", "lonely", "help"]

# A page holding the joined front end, run with a stub of the anywidget model.
STUB = """
async (args) => {
  const { src, codes, text } = args;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const mod = await import(url);
  const state = { title: "bench", text, turns: [], sentences: [], codes, code_counts: {},
    codings: [], show_all: false, show_suggestions: true, font_size: 16, selected_span: [],
    status: "" };
  const handlers = {};
  const model = {
    get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes: () => {},
    on: (ev, fn) => { (handlers[ev] = handlers[ev] || []).push(fn); }, off: () => {},
    send: () => {},
  };
  const el = document.createElement("div");
  document.body.append(el);
  mod.default.render({ model, el });
  const tree = [], text_ms = [];
  for (let i = 0; i < 7; i++) {
    state.codes = codes.map((c) => ({ ...c }));  // a codebook change: the tree is built anew
    for (const fn of handlers["change:codes"]) fn();
    tree.push(Number(el.dataset.treeMs));
    text_ms.push(Number(el.dataset.renderMs));
  }
  return { tree, text_ms, rows: el.querySelectorAll(".qc-tree-row").length,
           heap_mb: (performance.memory ? performance.memory.usedJSHeapSize : 0) / 2 ** 20 };
}
"""


def _codes() -> list[dict]:
    """300 codes: 30 themes of 9 codes each, keys on the first 30."""
    codes, keys = [], iter("0123456789abcdefghijklmnopqrst")
    for t in range(30):
        theme = len(codes) + 1
        codes.append(
            {
                "id": theme,
                "path": f"Theme {t}",
                "name": f"Theme {t}",
                "parent_id": None,
                "color": "#0072B2",
                "shortcut": None,
            }
        )
        for i in range(9):
            name = f"Theme {t} code {i}"
            codes.append(
                {
                    "id": len(codes) + 1,
                    "path": f"Theme {t}/{name}",
                    "name": name,
                    "parent_id": theme,
                    "color": "#E69F00",
                    "shortcut": next(keys, None) if i == 0 else None,
                }
            )
    return codes


def child(kind: str, path: str) -> None:
    if kind == "build":
        t0 = time.perf_counter()
        build_coded_project(
            Path(path),
            documents=DOCUMENTS,
            codings=CODINGS,
            words=WORDS,
            coders=["amina", "ben", "chen"],
            seed=7,
            codes=CODES,
            random_codes=True,
        )
        report({"seconds": time.perf_counter() - t0})
        return
    if kind == "browser":
        report(_browser())
        return
    import qualcode
    from qualcode.model import Coding
    from qualcode.widgets.code_tree import CodeCounts
    from qualcode.widgets.transcript import TranscriptView

    p = qualcode.open_project(path)
    if kind == "press":
        counts = CodeCounts(p, "amina", TranscriptView())
        counts.reload()
        coding = Coding(1, "g", 1, 0, 5, 7, "Code 6", "amina")
        times = []
        for _ in range(PRESSES):
            t0 = time.perf_counter()
            counts.added(coding)
            times.append(time.perf_counter() - t0)
        report({"ms": statistics.median(times) * 1000, "codes": len(counts.view.code_counts)})
        return
    call = (lambda: p.codebook.counts("amina")) if kind == "counts" else p.codebook.usage_counts
    call()  # warm: the first query also opens the connection
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        found = call()
        times.append(time.perf_counter() - t0)
    report({"ms": statistics.median(times) * 1000, "codes": len(found)})


def _browser() -> dict:
    from playwright.sync_api import sync_playwright

    from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS
    from qualcode.widgets.transcript import TranscriptView

    text = "\n".join(
        f"Participant: {' '.join(WORDS[(i + j) % len(WORDS)] for j in range(20))}."
        for i in range(100)
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_style_tag(content=TranscriptView._css)
        out = page.evaluate(STUB, {"src": TranscriptView._esm, "codes": _codes(), "text": text})
        browser.close()
    return {
        "tree_ms": statistics.median(out["tree"][2:]),  # after two warm-up builds
        "text_ms": statistics.median(out["text_ms"][2:]),
        "rows": out["rows"],
        "heap_mb": out["heap_mb"],
    }


def main() -> None:
    store = Path(tempfile.mkdtemp()) / "bench.qualcode"
    built = run_child(__file__, "build", str(store))
    print(f"built {CODINGS:,} codings over {CODES} codes in {built['seconds']:.1f} s")
    rows = []
    for kind, label in [
        ("counts", "recount: Codebook.counts (yours and all, one query)"),
        ("usage", "peer: Codebook.usage_counts (all, one GROUP BY)"),
        ("press", "key press: CodeCounts.added (add one, send 300)"),
    ]:
        runs = [run_child(__file__, kind, str(store)) for _ in range(RUNS)]
        rows.append(
            [label, int(median(runs, "codes")), median(runs, "ms"), median(runs, "peak_mb")]
        )
    table(
        f"Code tree numbers on {CODINGS:,} codings, median of {RUNS} runs",
        ["what", "codes", "ms", "peak MB"],
        rows,
    )
    runs = [run_child(__file__, "browser", "-") for _ in range(RUNS)]
    table(
        f"Drawing the tree in chromium, median of {RUNS} runs (goal: well under 50 ms)",
        ["what", "rows", "ms", "JS heap MB"],
        [
            [
                f"tree of {CODES} codes built",
                int(median(runs, "rows")),
                median(runs, "tree_ms"),
                median(runs, "heap_mb"),
            ],
            ["peer: the core's redraw of 2,000 words", "-", median(runs, "text_ms"), "-"],
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
