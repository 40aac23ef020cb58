"""Place and progress in a real JupyterLab and chromium (issue 15): find in the transcript,
sentence keys from the text on screen, done marks in the transcript list, and Retrieval's
"Open in coder" moving the Coder above it. Runs notebooks/02_code.ipynb on a fresh project
(SYNTHETIC sample transcripts); screenshots go to reports/test-artifacts/place15-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT
from tests.lab import chromium, jupyterlab, open_and_run, wait_for

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
RAW = ROOT / "data" / "raw" / "hartlepool"
FIRST = RAW / "hp01-copd-ex-welder.txt"
SECOND = RAW / "hp02-young-mam-postnatal-anxiety.txt"
PASSAGE = "There's a group meets at [venue removed], first Thursday of the month."
SELECTION = "(() => window.getSelection().toString())()"


def _open(store: Path) -> qualcode.Project:
    return qualcode.open_project(store, user="test")


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "place.qualcode"
    with _open(store) as p:
        import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
        (doc,) = p.ingest(FIRST, area="hartlepool", progress=False).added
        assert p.ingest(SECOND, area="hartlepool", progress=False).ok
        at = doc.text.index(PASSAGE)
        p.code(doc, at, at + len(PASSAGE), "Peer support", coder="ben")
    nb = load_notebook_node(str(ROOT / "notebooks" / "02_code.ipynb"))
    nb = parameterize_notebook(nb, {"project": str(store), "coder": "amina", "area": None})
    nb.cells.insert(-2, nbformat.v4.new_code_cell('print("\\n" * 40)  # room'))
    nbformat.write(nb, root / "02_code.ipynb")
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        try:
            page.locator(".qc-transcript .qc-seg").first.wait_for(timeout=120_000)
            page.get_by_text("Open in coder").first.wait_for(timeout=60_000)
        except Exception as exc:
            errors = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(f"the Coder did not appear; outputs: {errors}") from exc
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield page, store, doc


def _scroll_text_to(page, needle: str) -> None:  # type: ignore[no-untyped-def]
    """Scroll the transcript box so the line holding `needle` is its top line, and keep it
    there until the text stops moving (chunks built near the screen and a new lane of margin
    stripes both reflow the text above it)."""
    painted = "r => r.dataset.stripes !== 'painting'"
    for _ in range(10):
        page.wait_for_function(f"[...document.querySelectorAll('.qc-transcript')].every({painted})")
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        moved = page.evaluate(
            """(needle) => {
                const body = document.querySelector('.qc-transcript .qc-text');
                body.scrollIntoView({block: 'start'});
                for (const line of body.querySelectorAll('.qc-line')) {
                    if (!line.textContent.includes(needle)) continue;
                    const off = line.getBoundingClientRect().top - body.getBoundingClientRect().top;
                    body.scrollTop += off;
                    return Math.abs(off) > 1;
                }
                throw new Error('not in the transcript: ' + needle);
            }""",
            needle,
        )
        if not moved:
            return
    raise AssertionError(f"the transcript kept moving under {needle!r}")


def test_ctrl_f_highlights_every_hit_counts_them_and_enter_codes_one(lab_page) -> None:
    page, store, doc = lab_page
    coder = page.locator(".qc-transcript").first
    coder.locator(".qc-text").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+f")
    box = coder.locator(".qc-find-input")
    box.wait_for()
    box.type("BUS")  # case does not matter
    total = len(re.findall("bus", doc.text, re.IGNORECASE))
    count = coder.locator(".qc-find-count")
    assert total >= 3 and count.inner_text() == f"1 of {total}"
    painted = page.evaluate("CSS.highlights.get('qc-find').size")
    assert painted == total
    page.keyboard.press("Enter")  # takes the first hit: selected, the keyboard in the text
    assert page.evaluate(SELECTION).lower() == "bus"
    assert page.evaluate("document.activeElement.classList.contains('qc-transcript')")
    page.keyboard.press("Enter")  # the next hit
    assert count.inner_text() == f"2 of {total}"
    page.keyboard.press("Shift+Enter")
    assert count.inner_text() == f"1 of {total}"
    coder.screenshot(path=str(ARTIFACTS / "place15-find.png"))
    page.keyboard.press("7")  # Transport, on the hit
    with _open(store) as p:
        wait_for(lambda: len(p.codings_df(coder="amina")), "the coding of the hit")
        rows = p.codings_df(coder="amina")
        assert list(rows["text"]) == ["bus"] and rows["code"].iloc[0].endswith("Transport")
    page.keyboard.press("Control+f")
    page.keyboard.press("Escape")
    assert coder.locator(".qc-find").is_hidden()
    assert page.evaluate("CSS.highlights.get('qc-find').size") == 0


def test_down_starts_at_the_text_on_screen_and_skips_the_interviewer(lab_page) -> None:
    page, store, doc = lab_page
    asked = "Interviewer: Is there anything that's helped"
    _scroll_text_to(page, asked)
    page.evaluate("window.getSelection().removeAllRanges()")
    page.locator(".qc-transcript").first.focus()  # scrolls the notebook: let it settle
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    with _open(store) as p:
        units = p.units_df("sentence", document=doc)
        turns = p.units_df("turn", document=doc)
    interviewer = [(t.start, t.end) for t in turns.itertuples() if t.role == "interviewer"]
    spoken = [
        (u.start, u.end)
        for u in units.itertuples()
        if u.start >= doc.text.index(asked) and not any(s <= u.start < e for s, e in interviewer)
    ]
    first, second = (doc.text[s:e].strip() for s, e in spoken[:2])
    assert first.startswith("The breathing group")  # not the question above it
    page.keyboard.press("ArrowDown")
    assert page.evaluate(SELECTION).strip() == first
    page.keyboard.press("3")  # Peer support: saved, the selection goes
    with _open(store) as p:
        wait_for(lambda: first in set(p.codings_df(coder="amina")["text"]), "the sentence coded")
    page.keyboard.press("ArrowDown")  # from the coding just made
    assert page.evaluate(SELECTION).strip() == second
    page.locator(".qc-transcript").first.screenshot(path=str(ARTIFACTS / "place15-sentences.png"))
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")  # back over the answer to the question
    assert page.evaluate(SELECTION).strip().startswith("Is there anything that's helped")


def test_mark_as_done_ticks_the_transcript_in_the_list(lab_page) -> None:
    page, store, doc = lab_page
    toggle = page.get_by_role("button", name=re.compile("Mark as done"))
    toggle.scroll_into_view_if_needed()
    toggle.click()
    page.get_by_text("1 of 2 done", exact=True).wait_for()
    with _open(store) as p:
        marks = wait_for(lambda: len(p.done_df(coder="amina")), "the done mark")
        assert marks == 1 and p.done_df()["title"].tolist() == [doc.title]
    picker = page.locator("select").filter(has=page.locator("option", has_text=doc.title))
    labels = picker.first.evaluate("s => Array.from(s.options).map(o => o.text)")
    ticked = [label for label in labels if label.startswith("✓")]
    assert len(ticked) == 1 and doc.title in ticked[0]
    page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".qc-transcript")
    ).first.screenshot(path=str(ARTIFACTS / "place15-done.png"))


def test_open_in_coder_moves_the_coder_above_to_the_passage(lab_page) -> None:
    page, _store, _doc = lab_page
    button = page.get_by_role("button", name=re.compile("Open in coder")).first
    button.scroll_into_view_if_needed()
    on_screen = "el => { const r = el.getBoundingClientRect(); return r.bottom > 0; }"
    assert not page.locator(".qc-transcript").first.evaluate(on_screen)  # above, out of sight
    button.click()
    page.wait_for_function(f"window.getSelection().toString().trim() === {PASSAGE!r}")
    page.wait_for_function(  # scrolled into view, with the keyboard
        "(() => { const el = document.querySelector('.qc-transcript');"
        " const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight / 2"
        " && document.activeElement === el; })()"
    )
    assert page.locator(".qc-transcript").count() == 1  # no second Coder
    page.screenshot(path=str(ARTIFACTS / "place15-open-in-coder.png"))
