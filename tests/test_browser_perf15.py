"""End to end on a long transcript: 90,000 words and 5,000 codings by three coders (synthetic,
tests/long_transcript.py), in JupyterLab on loopback and Debian's chromium.

It shows with its highlights at the top while the rest waits as plain text; scrolled to the
end, the last turn (an emoji in it) is drawn, coded with a key, undone and redone; hiding and
showing the other coders redraws. No timing is asserted here: speed is in
benchmarks/bench_coder_long.py.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import qualcode
from tests.conftest import ROOT
from tests.lab import chromium, jupyterlab, open_and_run, select_text, wait_for
from tests.long_transcript import LAST, build

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
WORDS = LAST.split(": ", 1)[1].rstrip(".")  # "The last bus home leaves at nine 🚌 so I walk"

NOTEBOOK = """\
import qualcode
from qualcode.widgets import Coder
p = qualcode.open_project({store!r})
Coder(p, coder="amina", show_all=True)
"""


def _amina(store: Path, after: int = 0) -> list[tuple[int, str, str]]:
    """amina's codings (start, text, code), those starting at `after` or later."""
    p = qualcode.open_project(store)
    try:
        frame = p.codings_df()
        frame = frame[(frame["coder"] == "amina") & (frame["start"] >= after)]
        return list(zip(frame["start"], frame["text"], frame["code"], strict=True))
    finally:
        p.close()


def _mine(store: Path) -> list[tuple[str, str]]:
    return [(t, c) for _, t, c in _amina(store) if "🚌" in t]


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "long.qualcode"
    build(store, words=90_000, codings=5_000)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK.format(store=str(store)))]
    nbformat.write(nb, root / "long.ipynb")
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "long.ipynb")
        page.locator(".qc-transcript .qc-hl").first.wait_for(timeout=120_000)
        yield page, store


def test_it_shows_at_once_with_the_rest_as_plain_text(lab_page) -> None:
    page, _store = lab_page
    counts = page.evaluate(
        """() => ({
            chunks: document.querySelectorAll('.qc-transcript .qc-chunk').length,
            plain: document.querySelectorAll('.qc-transcript .qc-plain-chunk').length,
            badges: document.querySelectorAll('.qc-transcript .qc-badge').length,
            text: document.querySelector('.qc-transcript .qc-text').textContent.length,
        })"""
    )
    assert counts["chunks"] > 10 and counts["plain"] >= counts["chunks"] - 3
    assert counts["badges"] > 20  # the top is drawn with its codings
    assert counts["text"] > 500_000  # all the words are there, drawn or plain
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "perf15-long-top.png"))


def test_sentence_keys_walk_into_text_not_drawn_yet(lab_page) -> None:
    page, store = lab_page
    first_plain = page.evaluate(
        "Number(document.querySelector('.qc-transcript .qc-plain-chunk').dataset.s)"
    )
    before = set(_amina(store, after=first_plain))
    page.locator(".qc-transcript").focus()
    for _ in range(150):  # sentence by sentence, past the text drawn at first
        page.keyboard.press("ArrowDown")
    picked = page.evaluate("window.getSelection().toString()")
    assert picked.strip()
    page.keyboard.press("3")
    new = wait_for(lambda: set(_amina(store, after=first_plain)) - before, "the new coding")
    ((start, text, code),) = new
    assert code == "Carers" and start >= first_plain
    assert text == picked.strip()  # the words selected are the words saved


def test_the_last_turn_is_coded_undone_and_redone(lab_page) -> None:
    page, store = lab_page
    page.evaluate(
        """() => new Promise((done) => {
            const body = document.querySelector('.qc-transcript .qc-text');
            const last = () => body.lastElementChild;
            const step = () => {
                body.scrollTop = body.scrollHeight;
                if (last().querySelector('.qc-line')) done(); else setTimeout(step, 100);
            };
            step();
        })"""
    )
    select_text(page, WORDS.removeprefix("The "))
    page.keyboard.press("2")
    wait_for(lambda: _mine(store) == [(WORDS.removeprefix("The "), "Transport")], "the row")
    drawn = page.locator(".qc-transcript .qc-hl", has_text="last bus home")
    drawn.first.wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('.qc-transcript .qc-hl')].some("
        "(s) => s.textContent.includes('🚌 so I walk'))",
        timeout=10_000,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "perf15-long-end.png"))
    page.locator(".qc-transcript").focus()
    page.keyboard.press("Control+z")
    wait_for(lambda: _mine(store) == [], "undo to remove the row")
    drawn.first.wait_for(state="detached", timeout=10_000)
    page.keyboard.press("Control+y")
    wait_for(lambda: len(_mine(store)) == 1, "redo to restore the row")
    drawn.first.wait_for(timeout=10_000)


def test_hiding_other_coders_redraws_what_is_drawn(lab_page) -> None:
    page, _store = lab_page
    others = ".qc-transcript .qc-badge.qc-other"
    assert page.locator(others).count() > 0
    page.locator(".qc-transcript .qc-coders-btn").click()  # the Coders filter
    page.locator(".qc-transcript .qc-coders button", has_text="Only mine").click()
    page.wait_for_function(f"document.querySelectorAll('{others}').length === 0", timeout=10_000)
    assert page.locator(".qc-transcript .qc-badge").count() > 0  # amina's own stay
    page.locator(".qc-transcript .qc-coders button", has_text="Everyone").click()  # still open
    page.wait_for_function(f"document.querySelectorAll('{others}').length > 0", timeout=10_000)
