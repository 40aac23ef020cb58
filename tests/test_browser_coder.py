"""End to end: JupyterLab on loopback, Debian's chromium, the Coder widget, the store.

The test opens notebooks/02_code.ipynb (parameterised to a fresh project), runs it, selects
words with the mouse, presses a code's key, and checks the coding row in the store; then undo,
and the code palette. A screenshot of the widget is kept in reports/test-artifacts/.
"""

from __future__ import annotations

import pytest

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT
from tests.lab import (
    chromium,
    coding_notebook,
    codings_of,
    jupyterlab,
    open_and_run,
    select_text,
    wait_for,
)

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
TRANSCRIPT = ROOT / "data" / "raw" / "hartlepool" / "hp01-copd-ex-welder.txt"


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "workshop.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    report = p.ingest(TRANSCRIPT, area="hartlepool", progress=False)
    assert report.ok, str(report)
    (doc,) = report.added
    at = doc.text.index("nurse practitioner")
    p.code(doc, at, at + 18, "Workforce and continuity", coder="suggest:themes")
    p.close()
    coding_notebook(root, store)
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        try:
            page.locator(".qc-transcript .qc-seg").first.wait_for(timeout=120_000)
        except Exception as exc:
            errors = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(f"the Coder widget did not appear; outputs: {errors}") from exc
        yield page, store


def test_select_words_and_press_a_key_saves_the_coding(lab_page) -> None:
    page, store = lab_page
    select_text(page, "rang at eight o'clock")
    page.keyboard.press("1")
    rows = wait_for(lambda: codings_of(store), "the coding row")
    assert rows == [("rang at eight o'clock", "Access to services/Access to GP", "amina")]
    page.locator(".qc-transcript .qc-hl").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "coder-widget.png"))
    assert (ARTIFACTS / "coder-widget.png").stat().st_size > 10_000


def test_undo_removes_it_and_redo_brings_it_back(lab_page) -> None:
    page, store = lab_page
    wait_for(lambda: codings_of(store), "the coding from the first test")
    page.locator(".qc-transcript").focus()
    page.keyboard.press("Control+z")
    wait_for(lambda: codings_of(store) == [], "undo to remove the row")
    page.wait_for_function(  # the view redraws in the next frame
        "document.querySelectorAll('.qc-transcript .qc-hl:not(.qc-suggestion)').length === 0",
        timeout=10_000,
    )
    page.keyboard.press("Control+y")
    wait_for(lambda: len(codings_of(store)) == 1, "redo to restore the row")
    page.locator(".qc-transcript .qc-hl").first.wait_for()


def test_palette_finds_a_code_by_typing(lab_page) -> None:
    page, store = lab_page
    select_text(page, "two buses")
    page.keyboard.press("/")
    search = page.locator(".qc-transcript .qc-search")
    search.wait_for()
    search.fill("transp")
    page.keyboard.press("Enter")
    rows = wait_for(
        lambda: [r for r in codings_of(store) if r[1].endswith("Transport")], "the palette coding"
    )
    assert rows == [("two buses", "Everyday life/Transport", "amina")]


def test_a_suggestion_is_accepted_with_the_keyboard(lab_page) -> None:
    page, store = lab_page
    page.locator(".qc-transcript").focus()
    page.keyboard.press(".")
    status = page.locator(".qc-transcript .qc-status")
    assert "Suggestion 1 of 1" in status.inner_text()
    page.keyboard.press("Enter")
    rows = wait_for(
        lambda: [r for r in codings_of(store) if r[1].endswith("Workforce and continuity")],
        "the accepted suggestion",
    )
    assert rows == [
        ("nurse practitioner", "Trust and relationships/Workforce and continuity", "amina")
    ]
    p = qualcode.open_project(store)
    try:
        assert p.codings(coder="suggest:themes") == []
    finally:
        p.close()


def test_select_words_then_click_a_code_in_the_key_strip(lab_page) -> None:
    page, store = lab_page
    select_text(page, "welding fumes")
    page.locator(".qc-transcript .qc-chip", has_text="Carers").click()  # the mouse alone
    rows = wait_for(
        lambda: [r for r in codings_of(store) if r[0] == "welding fumes"], "the clicked coding"
    )
    assert rows == [("welding fumes", "Support and care/Carers", "amina")]


def test_a_code_added_in_the_codebook_editor_appears_in_the_open_coder(lab_page) -> None:
    page, store = lab_page
    tree = page.locator(".qc-transcript .qc-tree-name", has_text="Bus passes")
    assert tree.count() == 0
    editor = page.locator(".widget-vbox", has=page.get_by_role("button", name="Add new code"))
    name = editor.last.locator(".widget-text", has_text="Theme name").locator("input")
    name.fill("Bus passes")
    page.get_by_role("button", name="Add new code").click()
    tree.wait_for(timeout=20_000)  # no Refresh: the Coder above heard the codebook change
    select_text(page, "welding fumes")
    tree.click()
    rows = wait_for(
        lambda: [r for r in codings_of(store) if r[1].endswith("Bus passes")], "the new code used"
    )
    assert rows and rows[0][0] == "welding fumes"
    page.locator(".qc-transcript").first.screenshot(path=str(ARTIFACTS / "coder-new-code.png"))
