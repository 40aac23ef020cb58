"""What the team's view (coders' colours, filter, margin stripes: features/team.js) costs the
Coder's front end, in chromium, on long transcripts coded by three coders, everyone shown.

The front end runs in a bare page with a stand-in for the anywidget model (no JupyterLab, no
kernel), so the figures are the browser's own work: first render (text, highlights, stripes;
layout and paint included) and a key press (↓ picks the next sentence, "1" codes it) to the
highlight and stripes painted. The peer is the same front end without team.js (every other
feature kept), in the same run. Peak memory is chromium's JS heap after the key presses.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from bench_browser import VOCAB  # noqa: E402  (the words of the Coder's own benchmark)
from common import table  # noqa: E402

from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from qualcode.widgets import transcript  # noqa: E402

RUNS = int(os.environ.get("RUNS", 5))
KEYS = 20
SIZES = ((20_000, 1_500), (90_000, 5_000))  # words, codings

PAGE = """<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head>
<body><div id=host></div><script type=module>
const mod = await import(URL.createObjectURL(new Blob([{src}], {{type: "text/javascript"}})));
const state = {state};
const handlers = {{}};
const model = {{
  get: (k) => state[k], off: () => {{}}, save_changes: () => {{}},
  set: (k, v) => {{ state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); }},
  on: (e, f) => (handlers[e] = handlers[e] || []).push(f),
  send: () => {{}},
}};
window.__model = model;
mod.default.render({{ model, el: document.getElementById("host") }});
</script></body></html>"""


def front_end(with_team: bool) -> str:
    features = sorted((transcript.STATIC / "features").glob("*.js"))
    if not with_team:
        features = [f for f in features if f.name != "team.js"]
    parts = ["const FEATURES = [];", *(f.read_text(encoding="utf-8") for f in features)]
    return "\n".join([*parts, (transcript.STATIC / "transcript.js").read_text(encoding="utf-8")])


def state(words: int, codings: int) -> dict:
    rng = random.Random(7)
    lines, n, sentences, at = [], 0, [], 0
    while n < words:
        who = "Interviewer" if len(lines) % 2 == 0 else "Participant"
        said = []
        for _ in range(rng.randint(1, 6)):
            said.append(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(6, 14))).capitalize())
        line = f"{who}: " + ". ".join(said) + "."
        start = at + len(who) + 2
        for s in said:
            sentences.append([start, start + len(s) + 1])
            start += len(s) + 2
        lines.append(line)
        at += len(line) + 1
        n += sum(len(s.split()) for s in said) + 1
    text = "\n".join(lines)
    coders = ["amina", "bob", "carol"]
    rows = []
    for i in range(codings):
        start = rng.randrange(0, len(text) - 300)
        coder = coders[i % 3]
        rows.append(
            {
                "id": i + 1,
                "start": start,
                "end": start + rng.randint(20, 300),
                "code_id": 1 + i % 6,
                "coder": coder,
                "mine": coder == "amina",
                "memo": "",
                "suggestion": False,
            }
        )
    colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
    codes = [
        {
            "id": k + 1,
            "path": f"Theme/Code {k + 1}",
            "name": f"Code {k + 1}",
            "color": colors[k],
            "shortcut": str(k + 1),
        }
        for k in range(6)
    ]
    people = [
        {"name": c, "count": codings // 3, "mine": c == "amina", "color": col}
        for c, col in zip(coders, ["#222222", "#0077BB", "#EE7733"], strict=True)
    ]
    return {
        "title": "long interview (synthetic)",
        "text": text,
        "turns": [],
        "sentences": sentences,
        "codes": codes,
        "codings": rows,
        "show_all": True,
        "show_suggestions": True,
        "font_size": 16,
        "selected_span": [],
        "status": "",
        "hidden_coders": [],
        "coders": people,
        "coders_note": "",
    }


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
    css = transcript._styles()
    pages = {}
    for words, codings in SIZES:
        data = json.dumps(state(words, codings))
        for team in (True, False):
            path = folder / f"{words}-{'team' if team else 'peer'}.html"
            src = json.dumps(front_end(team))
            path.write_text(PAGE.format(css=css, src=src, state=data), encoding="utf-8")
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
