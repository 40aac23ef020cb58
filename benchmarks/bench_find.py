"""Find in the transcript and the sentence keys, in chromium, on a 90,000-word transcript with
5,000 codings (SYNTHETIC text): the Coder's front end alone, on a page with a stand-in for the
widget model (no kernel: Python is not part of what is timed).

- Ctrl+F, a common word typed (about 3,000 matches) to every match painted, with the CSS
  Custom Highlight API (the front end's way); the peer is the same matches wrapped in <mark>
  elements (the DOM rewrite the Highlight API spares);
- a rare word (12 matches), and Enter to the next match selected and scrolled to;
- the first ↓ from the middle of the transcript (finds the text on screen), against the
  next ↓ (the next sentence: the floor);
- a code key to its highlight drawn with the find bar open (every match repainted after the
  redraw), against the same key with the bar closed.

Times are milliseconds from the event to the frame after it painted (two animation frames),
median of RUNS runs (default 5) with the range; the JS heap is chromium's after the runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import table  # noqa: E402

from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.bare import page_html  # noqa: E402

RUNS = int(os.environ.get("RUNS", 5))
WORDS = 90_000
CODINGS = 5_000
VOCAB = [
    "surgery",
    "appointment",
    "carer",
    "nurse",
    "waiting",
    "phone",
    "lonely",
    "help",
    "money",
    "form",
    "doctor",
    "neighbour",
    "daughter",
    "hospital",
    "chemist",
    "ring",
    "morning",
    "letter",
    "app",
    "queue",
    "kind",
    "tired",
    "worried",
    "house",
    "cold",
    "heating",
    "walk",
    "stairs",
    "group",
    "tuesday",
    "bus",
]


def transcript() -> dict:
    """The widget state: text, turns, sentences, codes and codings (code point offsets)."""
    rng = random.Random(15)
    text, turns, sentences, words, k = "[SYNTHETIC benchmark transcript]\n", [], [], 0, 0
    while words < WORDS:
        who = "Interviewer" if k % 2 == 0 else "Participant"
        start = len(text)
        text += f"{who}: "
        for _ in range(1 if who == "Interviewer" else rng.randint(2, 6)):
            n = rng.randint(6, 16)
            s = " ".join(rng.choice(VOCAB) for _ in range(n)).capitalize() + ". "
            if rng.random() < 0.004:
                s = "Springsteen tickets, " + s
            sentences.append([len(text), len(text) + len(s) - 1])
            text += s
            words += n
        text = text.rstrip() + "\n"
        turns.append({"start": start, "end": len(text) - 1, "speaker": who, "role": who.lower()})
        k += 1
    codes = [
        {"id": i, "path": name, "name": name, "color": color, "shortcut": str(i)}
        for i, (name, color) in enumerate(
            [("Access to GP", "#0072B2"), ("Transport", "#E69F00"), ("Carers", "#009E73")], 1
        )
    ]
    codings = []
    for i in range(CODINGS):
        s = rng.choice(sentences)
        codings.append(
            {
                "id": i + 1,
                "start": s[0],
                "end": s[1],
                "code_id": rng.randint(1, 3),
                "coder": "amina",
                "mine": True,
                "memo": "",
                "suggestion": False,
            }
        )
    return {
        "title": "long interview (synthetic)",
        "text": text,
        "turns": turns,
        "sentences": sentences,
        "codes": codes,
        "codings": codings,
        "show_all": False,
        "show_suggestions": True,
        "font_size": 16,
        "selected_span": [],
        "status": "",
    }


PAINTED = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

TYPE = """async (word) => {
  const input = document.querySelector(".qc-find-input");
  input.value = "";
  input.dispatchEvent(new Event("input"));
  const t0 = performance.now();
  input.value = word;
  input.dispatchEvent(new Event("input"));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [performance.now() - t0, CSS.highlights.get("qc-find").size];
}"""

MARKS = """async (word) => {
  // the peer: wrap each match in <mark> (a DOM rewrite), then take the marks out again
  const body = document.querySelector(".qc-text");
  const t0 = performance.now();
  const re = new RegExp(word, "gi");
  let n = 0;
  for (const seg of body.querySelectorAll(".qc-seg")) {
    const node = seg.firstChild;
    if (!node || !re.test(node.data)) continue;
    re.lastIndex = 0;
    const parts = [];
    let last = 0;
    for (const m of node.data.matchAll(re)) {
      parts.push(node.data.slice(last, m.index));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      parts.push(mark);
      last = m.index + m[0].length;
      n++;
    }
    parts.push(node.data.slice(last));
    seg.replaceChildren(...parts);
  }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const ms = performance.now() - t0;
  for (const mark of body.querySelectorAll("mark")) mark.replaceWith(mark.textContent);
  body.normalize();
  return [ms, n];
}"""

KEY = """async (key, target = ".qc-transcript") => {
  const root = document.querySelector(target);
  const t0 = performance.now();
  root.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""

MIDDLE = """() => {
  window.getSelection().removeAllRanges();
  const body = document.querySelector(".qc-text");
  body.scrollTop = body.scrollHeight / 2;
  document.querySelector(".qc-transcript").focus();
}"""


def measure(page) -> dict:  # type: ignore[no-untyped-def]
    out: dict[str, float] = {}
    page.evaluate("document.querySelector('.qc-transcript').focus()")
    page.keyboard.press("Control+f")
    out["common_ms"], out["common_hits"] = page.evaluate(TYPE, "bus")
    page.keyboard.press("Escape")
    page.evaluate(PAINTED)
    out["marks_ms"], out["marks_hits"] = page.evaluate(MARKS, "bus")
    page.keyboard.press("Control+f")
    out["rare_ms"], out["rare_hits"] = page.evaluate(TYPE, "springsteen")
    out["enter_ms"] = page.evaluate(f"k => ({KEY})(k, '.qc-find-input')", "Enter")
    page.keyboard.press("Escape")
    page.evaluate(MIDDLE)
    page.evaluate(PAINTED)
    out["down_first_ms"] = page.evaluate(KEY, "ArrowDown")
    out["down_next_ms"] = page.evaluate(KEY, "ArrowDown")
    out["code_closed_ms"] = page.evaluate(KEY, "1")
    page.evaluate(MIDDLE)
    page.keyboard.press("Control+f")
    page.evaluate(TYPE, "bus")
    page.evaluate("document.querySelector('.qc-transcript').focus()")
    page.evaluate(KEY, "ArrowDown")
    out["code_open_ms"] = page.evaluate(KEY, "2")
    page.keyboard.press("Escape")
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    state = transcript()
    html = page_html(state)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        path = Path(tmp) / "find.html"
        path.write_text(html, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for _ in range(RUNS):
            page.goto(path.as_uri())
            page.wait_for_function("window.__ready === true", timeout=60_000)
            page.evaluate(PAINTED)
            runs.append(measure(page))
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        browser.close()

    def cell(key: str) -> str:
        values = [r[key] for r in runs]
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

    hits = int(runs[0]["common_hits"])
    rows = [
        ["find a common word, all painted (Highlight API)", hits, cell("common_ms")],
        ["  peer: the same matches as <mark> elements", runs[0]["marks_hits"], cell("marks_ms")],
        ["find a rare word", runs[0]["rare_hits"], cell("rare_ms")],
        ["Enter: next match selected and scrolled to", "", cell("enter_ms")],
        ["first ↓ from the text on screen", "", cell("down_first_ms")],
        ["  peer: the next ↓", "", cell("down_next_ms")],
        ["code key to highlight, find bar open", hits, cell("code_open_ms")],
        ["  peer: the same, find bar closed", "", cell("code_closed_ms")],
    ]
    table(
        f"Find and sentence keys: {WORDS:,} words, {CODINGS:,} codings, chromium, "
        f"median (range) of {RUNS} runs, ms; JS heap after the runs {heap / 2**20:.0f} MB",
        ["what", "matches", "ms"],
        rows,
    )


if __name__ == "__main__":
    main()
