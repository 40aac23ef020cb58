"""What the team's view (coders' colours, filter, margin stripes: features/team.js) costs the
Coder's front end, in chromium, on long transcripts coded by three coders, everyone shown.

The front end runs in a bare page with a stand-in for the anywidget model (no JupyterLab, no
kernel), so the figures are the browser's own work: first render (text, highlights, stripes;
layout and paint included) and a key press (↓ picks the next sentence, "1" codes it) to the
highlight and stripes painted. The peer is the same front end without team.js (every other
feature kept), in the same run. Peak memory is chromium's JS heap after the key presses.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import table  # noqa: E402

from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.bare import page_html, synthetic_state  # noqa: E402

RUNS = int(os.environ.get("RUNS", 5))
KEYS = 20
SIZES = ((20_000, 1_500), (90_000, 5_000))  # words, codings


def measure(page, path: Path) -> dict:  # type: ignore[no-untyped-def]
    page.goto(path.as_uri())
    page.wait_for_selector(".qc-transcript[data-first-render-ms]", timeout=120_000)
    result = {"render_ms": float(page.get_attribute(".qc-transcript", "data-first-render-ms"))}
    page.focus(".qc-transcript")
    times, own, core = [], [], []
    for _ in range(KEYS):
        page.keyboard.press("ArrowDown")
        times.append(
            page.evaluate(
                """() => new Promise((done) => {
                    const root = document.querySelector('.qc-transcript');
                    const t0 = performance.now();
                    root.dispatchEvent(new KeyboardEvent('keydown', {key: '1', bubbles: true}));
                    requestAnimationFrame(() => requestAnimationFrame(
                        () => done(performance.now() - t0)));
                })"""
            )
        )
        root = page.locator(".qc-transcript")
        core.append(float(root.get_attribute("data-render-ms")))
        own.append(float(root.get_attribute("data-team-ms") or 0))
    result["key_ms"] = statistics.median(times)
    result["redraw_ms"] = statistics.median(core)  # the core's redraw, team.js's part in it
    result["team_ms"] = statistics.median(own)
    result["heap_mb"] = page.evaluate("performance.memory.usedJSHeapSize / 2**20")
    return result


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "qualcode-bench-team"
    folder.mkdir(exist_ok=True)
    pages = {}
    for words, codings in SIZES:
        data = synthetic_state(words, codings)
        for team in (True, False):
            path = folder / f"{words}-{'team' if team else 'peer'}.html"
            html = page_html(data, without=() if team else ("team.js",))
            path.write_text(html, encoding="utf-8")
            pages[(words, team)] = path
    runs: dict = {key: [] for key in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-precise-memory-info"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for _ in range(RUNS):
            for key, path in pages.items():
                runs[key].append(measure(page, path))
        browser.close()

    def med(key: tuple, what: str) -> float:
        return round(statistics.median(r[what] for r in runs[key]), 1)

    rows = []
    for words, codings in SIZES:
        for what, label in (
            ("render_ms", "first render"),
            ("key_ms", "key press to painted"),
            ("redraw_ms", "key press: redraw (JS)"),
        ):
            rows.append(
                [
                    f"{label}, {words:,} words, {codings:,} codings",
                    med((words, True), what),
                    med((words, False), what),
                    med((words, True), "heap_mb"),
                    med((words, False), "heap_mb"),
                ]
            )
        rows.append(
            [
                f"key press: team.js's own work, {words:,} words",
                med((words, True), "team_ms"),
                0.0,
                "",
                "",
            ]
        )
    table(
        f"Coder front end with team.js (stripes, filter, colours) vs without, chromium, "
        f"median of {RUNS} loads ({KEYS} key presses each)",
        ["measure", "with team.js ms", "peer: without ms", "heap MB", "peer heap MB"],
        rows,
    )


if __name__ == "__main__":
    main()
