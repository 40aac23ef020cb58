"""The Coder widget in a real browser: first render and key-press latency (performance.now()).

- first render of a 20,000-word transcript carrying 1,500 codings (goal < 300 ms), against the
  same transcript with no codings (the peer: text and turns alone), layout and paint included;
- key press (↓ picks the next sentence, "1" codes it) to highlight drawn (the front end
  draws it at once) and to the row committed and confirmed by Python (goal: median < 50 ms);
  the peer is the same round trip for a plain ipywidgets Button click that changes one
  trait (the widget framework's own floor);
- a Retrieval query over 100,000 codings, from Enter in the query box to the new count shown
  (goal < 200 ms), with the same Button round trip as peer.

JupyterLab runs on loopback and Debian's chromium is driven by playwright, as in the tests.
Peak memory is the kernel's (ru_maxrss reported by the notebook) and chromium's is not counted.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import nbformat  # noqa: E402
from common import table  # noqa: E402

from tests.lab import chromium, jupyterlab, open_and_run  # noqa: E402

RUNS = int(__import__("os").environ.get("RUNS", 5))
KEYS = 30
WORDS = 20_000
CODINGS = 1_500
WORD_LIST = """bus surgery appointment carer nurse waiting phone lonely help money form doctor
neighbour daughter hospital chemist ring morning letter app queue kind tired worried house
cold heating walk stairs group tuesday"""
VOCAB = WORD_LIST.split()


def build(store: Path, codings: int) -> None:
    import qualcode

    rng = random.Random(11)
    p = qualcode.open_project(store)
    for i, name in enumerate(["Access to GP", "Transport", "Carers", "Peer support"], 1):
        p.codebook.add(name, shortcut=str(i))
    lines, words = [], 0
    while words < WORDS:
        n = rng.randint(12, 60)
        who = "Interviewer" if len(lines) % 2 == 0 else "Participant"
        sentence = ". ".join(
            " ".join(rng.choice(VOCAB) for _ in range(rng.randint(6, 14))).capitalize()
            for _ in range(max(1, n // 10))
        )
        lines.append(f"{who}: {sentence}.")
        words += len(sentence.split()) + 1
    doc = p.add_document("\n".join(lines), area="bench", title="long interview")
    for i in range(codings):
        start = rng.randrange(0, len(doc.text) - 300)
        p.code(doc, start, start + rng.randint(20, 300), 1 + i % 4, coder=f"coder{i % 3}")
    p.close()


NOTEBOOK = """\
import resource, qualcode
from qualcode.widgets import Coder
import ipywidgets as w
p = qualcode.open_project({store!r})
c = Coder(p, coder="coder0", show_all=True)
b = w.Button(description="ping")
b.on_click(lambda _: setattr(b, "description", b.description + "."))
display(c, b)
print("kernel peak MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


RETRIEVAL_NOTEBOOK = """\
import qualcode
from qualcode.widgets import Retrieval
p = qualcode.open_project({store!r})
Retrieval(p, "Code 3")
"""
QUERIES = ("Code 3 AND Code 4", "Code 3 OR Code 5", "Code 3 NEAR Code 4", "Code 7")


def measure_retrieval(page, lab) -> dict:  # type: ignore[no-untyped-def]
    open_and_run(page, lab, "retrieval.ipynb")
    box = page.locator(".widget-text input").first
    box.wait_for(timeout=120_000)
    page.locator(".widget-html", has_text="passages in").first.wait_for(timeout=120_000)
    times = []
    for query in QUERIES * 2:
        box.fill(query)
        page.evaluate(
            """() => {
                window.__dt = undefined;
                const count = [...document.querySelectorAll('.widget-html')]
                    .find((x) => x.textContent.includes('passages in'));
                const before = count.textContent;
                const input = document.querySelector('.widget-text input');
                input.addEventListener('keydown', (e) => {
                    if (e.key === 'Enter') window.__t0 = performance.now();
                }, {capture: true, once: true});
                const obs = new MutationObserver(() => {
                    if (count.textContent !== before) {
                        obs.disconnect();
                        requestAnimationFrame(() => {
                            window.__dt = performance.now() - window.__t0;
                        });
                    }
                });
                obs.observe(count, {subtree: true, childList: true, characterData: true});
            }"""
        )
        box.press("Enter")
        page.wait_for_function("window.__dt !== undefined", timeout=30_000)
        times.append(page.evaluate("window.__dt"))
    return {"query_ms": statistics.median(times)}


def measure(page, lab, name: str, keys: bool) -> dict:  # type: ignore[no-untyped-def]
    open_and_run(page, lab, name)
    root = page.locator(".qc-transcript[data-first-render-ms]")
    root.wait_for(timeout=120_000)
    result = {"render_ms": float(root.get_attribute("data-first-render-ms"))}
    peak = page.locator(".jp-OutputArea-output", has_text="kernel peak MB").inner_text()
    result["kernel_mb"] = float(peak.split()[-1])
    if keys:
        page.locator(".qc-transcript").focus()
        page.evaluate("window.__qcLatency = []; window.__qcShown = []")
        for i in range(KEYS):
            page.keyboard.press("ArrowDown")
            page.keyboard.press("1")
            page.wait_for_function(f"window.__qcLatency.length >= {i + 1}", timeout=30_000)
        result["key_ms"] = statistics.median(page.evaluate("window.__qcLatency"))
        result["shown_ms"] = statistics.median(page.evaluate("window.__qcShown"))
        button = page.locator("button.widget-button", has_text="ping")
        clicks = []
        for _ in range(KEYS):
            before = button.inner_text()
            t = page.evaluate(
                """(before) => new Promise((done) => {
                    const b = [...document.querySelectorAll('button')]
                        .find((x) => x.textContent.startsWith('ping'));
                    const t0 = performance.now();
                    const obs = new MutationObserver(() => {
                        if (b.textContent !== before) {
                            obs.disconnect();
                            requestAnimationFrame(() => done(performance.now() - t0));
                        }
                    });
                    obs.observe(b, {subtree: true, childList: true, characterData: true});
                    b.click();
                })""",
                before,
            )
            clicks.append(t)
        result["peer_click_ms"] = statistics.median(clicks)
    return result


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    root, home = folder / "lab", folder / "home"
    root.mkdir()
    home.mkdir()
    for name, codings in (("coded", CODINGS), ("plain", 0)):
        build(root / f"{name}.qualcode", codings)
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.cells = [
            nbformat.v4.new_code_cell(NOTEBOOK.format(store=str(root / f"{name}.qualcode")))
        ]
        nbformat.write(nb, root / f"{name}.ipynb")
    import bench_retrieval

    bench_retrieval.build(root / "retrieval.qualcode")  # 100,000 codings
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    source = RETRIEVAL_NOTEBOOK.format(store=str(root / "retrieval.qualcode"))
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, root / "retrieval.ipynb")
    runs: dict[str, list[dict]] = {"coded": [], "plain": [], "retrieval": []}
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        for _ in range(RUNS):
            for name in ("coded", "plain"):
                runs[name].append(measure(page, lab, f"{name}.ipynb", keys=name == "coded"))
                page.goto("about:blank")
            runs["retrieval"].append(measure_retrieval(page, lab))
            page.goto("about:blank")

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    table(
        f"Coder widget in chromium, median of {RUNS} page loads ({KEYS} key presses each)",
        ["measure", "qualcode", "peer", "peer is", "goal", "kernel MB"],
        [
            [
                f"first render, {WORDS:,} words",
                med("coded", "render_ms"),
                med("plain", "render_ms"),
                "same text, no codings",
                "< 300 ms",
                med("coded", "kernel_mb"),
            ],
            [
                "key press to highlight drawn",
                med("coded", "shown_ms"),
                med("coded", "peer_click_ms"),
                "ipywidgets Button round trip",
                "< 50 ms",
                med("coded", "kernel_mb"),
            ],
            [
                "key press to row saved and confirmed",
                med("coded", "key_ms"),
                med("coded", "peer_click_ms"),
                "ipywidgets Button round trip",
                "< 50 ms",
                med("coded", "kernel_mb"),
            ],
            [
                f"Retrieval query, {bench_retrieval.CODINGS:,} codings",
                med("retrieval", "query_ms"),
                med("coded", "peer_click_ms"),
                "ipywidgets Button round trip",
                "< 200 ms",
                "",
            ],
        ],
    )


if __name__ == "__main__":
    main()
