"""End to end: memos in the Coder, in JupyterLab and Debian's chromium.

A coder writes a memo on the open transcript (the memo panel under it) and a memo on one of
her codings (the popover's editor, Ctrl+Enter saves), moves to another transcript, finds the
coding memo in the memo list by searching, clicks "Show passage", and the Coder shows the
passage selected. Screenshots of the panel and the popover are kept in reports/test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT
from tests.lab import chromium, coding_notebook, jupyterlab, open_and_run, select_text, wait_for

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
RAW = ROOT / "data" / "raw" / "hartlepool"
PASSAGE = "rang at eight o'clock"
TRANSCRIPT_MEMO = "Synthetic memo: he keeps coming back to the fumes and his breath."
CODING_MEMO = "Synthetic memo: the phone queue is the barrier, not the surgery."


def _memos(store: Path) -> list[tuple[str, str]]:
    p = qualcode.open_project(store)
    try:
        frame = p.memos_df(viewer="amina")
        return list(zip(frame["kind"], frame["text"], strict=True))
    finally:
        p.close()


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "memos.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    for name in ("hp01-copd-ex-welder.txt", "hp02-young-mam-postnatal-anxiety.txt"):
        assert p.ingest(RAW / name, area="hartlepool", progress=False).ok, name
    p.close()
    coding_notebook(root, store)
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        try:
            page.locator(".qc-memo-panel .qc-memo-transcript textarea").wait_for(timeout=120_000)
        except Exception as exc:
            errors = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(f"no memo panel; outputs: {errors}") from exc
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield page, store


def test_write_a_transcript_memo_in_the_panel(lab_page) -> None:
    page, store = lab_page
    page.locator(".qc-memo-transcript textarea").fill(TRANSCRIPT_MEMO)
    page.locator(".qc-memo-save-transcript").click()
    wait_for(lambda: ("transcript", TRANSCRIPT_MEMO) in _memos(store), "the transcript memo")
    page.locator(".qc-memo-saved", has_text="Memo saved").wait_for()
    page.locator(".qc-memo-row", has_text="fumes and his breath").wait_for()


def test_write_a_coding_memo_in_the_popover_ctrl_enter_saves(lab_page) -> None:
    page, store = lab_page
    select_text(page, PASSAGE)
    page.keyboard.press("1")
    page.locator(".qc-transcript .qc-status", has_text="Saved:").wait_for()  # not the draft
    page.wait_for_function("window.getSelection().isCollapsed")
    page.locator(".qc-transcript .qc-hl", has_text="eight").first.click()
    editor = page.locator(".qc-pop .qc-memo-input")
    editor.wait_for()
    editor.fill(CODING_MEMO + "\nAsk Jean about the queue.\nAnd the walk-in.")
    height = editor.evaluate("(e) => e.getBoundingClientRect().height")
    assert height > 80  # it grew with the text: three lines and the room to write more
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "memos15-popover.png"))
    editor.press("Control+Enter")
    page.locator(".qc-pop").wait_for(state="hidden")
    saved = wait_for(
        lambda: [t for k, t in _memos(store) if k == "coding"], "the coding memo in the store"
    )
    assert saved == [CODING_MEMO + "\nAsk Jean about the queue.\nAnd the walk-in."]


def test_find_the_memo_by_search_and_go_to_its_passage(lab_page) -> None:
    page, _ = lab_page
    page.locator(".qc-transcript button", has_text="Next ▶").click()  # another transcript
    page.locator(".qc-transcript .qc-title", has_text="hp02").wait_for()
    page.locator(".qc-memo-search input").fill("phone queue")
    rows = page.locator(".qc-memo-row")
    page.wait_for_function(
        "document.querySelectorAll('.qc-memo-row').length === 1", timeout=10_000
    )
    assert "phone queue is the barrier" in rows.first.inner_text()
    assert PASSAGE in rows.first.inner_text()  # the passage it belongs to
    page.locator(".qc-memo-panel").screenshot(path=str(ARTIFACTS / "memos15-panel.png"))
    rows.first.locator(".qc-memo-go").click()  # "Show passage"
    page.locator(".qc-transcript .qc-title", has_text="hp01").wait_for()
    page.wait_for_function(
        "(want) => window.getSelection().toString() === want", arg=PASSAGE, timeout=10_000
    )
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "memos15-passage.png"))


def test_a_transcript_memo_is_found_by_the_transcript_and_opens_it(lab_page) -> None:
    page, _ = lab_page
    page.locator(".qc-transcript button", has_text="Next ▶").click()
    page.locator(".qc-transcript .qc-title", has_text="hp02").wait_for()
    page.locator(".qc-memo-search input").fill("hp01 breath")
    row = page.locator(".qc-memo-row", has_text="fumes and his breath")
    row.wait_for()
    assert page.locator(".qc-memo-row").count() == 1
    row.locator(".qc-memo-go", has_text="Open transcript").click()
    page.locator(".qc-transcript .qc-title", has_text="hp01").wait_for()
    box = page.locator(".qc-memo-transcript textarea")
    page.wait_for_function(
        "(want) => document.querySelector('.qc-memo-transcript textarea').value === want",
        arg=TRANSCRIPT_MEMO,
        timeout=10_000,
    )
    assert box.input_value() == TRANSCRIPT_MEMO
