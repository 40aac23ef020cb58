"""The mouse and touch routes to a code, end to end (JupyterLab on loopback, Debian's chromium).

Select words, then: the toolbar's "Find a code…" and a click in the palette; a drag onto a code
in the key strip (a drop elsewhere changes nothing); a right-click and the code menu; and on a
tablet-sized touch screen the "Code this…" button and its menu. Each checks the saved row in the
store; screenshots of the menu and the touch button go to reports/test-artifacts/mouse-*.png.
"""

from __future__ import annotations

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT
from tests.lab import (
    browser_in,
    codings_of,
    jupyterlab,
    open_and_run,
    playwright_session,
    select_text,
    wait_for,
)
from tests.test_browser_coder import TRANSCRIPT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
WIDGET = ".qc-transcript"


def _open_coder(page, lab, name: str) -> None:  # type: ignore[no-untyped-def]
    open_and_run(page, lab, name)
    try:
        page.locator(f"{WIDGET} .qc-seg").first.wait_for(timeout=120_000)
    except Exception as exc:
        errors = page.locator(".jp-OutputArea-output").all_inner_texts()
        raise AssertionError(f"the Coder widget did not appear; outputs: {errors}") from exc


@pytest.fixture(scope="module")
def lab(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "workshop.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    report = p.ingest(TRANSCRIPT, area="hartlepool", progress=False)
    assert report.ok, str(report)
    p.close()
    nb = load_notebook_node(str(ROOT / "notebooks" / "02_code.ipynb"))
    nb = parameterize_notebook(nb, {"project": str(store), "coder": "amina", "area": None})
    for name in ("02_code.ipynb", "02_code_tablet.ipynb"):  # one kernel for each browser
        nbformat.write(nb, root / name)
    with jupyterlab(root, home) as running, playwright_session() as pw:
        yield running, pw, home, store


@pytest.fixture(scope="module")
def desk(lab):  # type: ignore[no-untyped-def]
    running, pw, home, store = lab
    with browser_in(pw, home) as browser:
        page = browser.new_page()
        _open_coder(page, running, "02_code.ipynb")
        yield page, store


def _rows(store, text: str):  # type: ignore[no-untyped-def]
    return wait_for(lambda: [r for r in codings_of(store) if r[0] == text], f"a coding of {text!r}")


def test_find_a_code_button_and_a_click_in_the_palette(desk) -> None:
    page, store = desk
    select_text(page, "fill in a form online")
    assert page.locator(f"{WIDGET} .qc-code-this").is_hidden()  # that is for touch screens
    page.locator(f"{WIDGET} .qc-btn", has_text="Find a code").click()
    page.locator(
        f"{WIDGET} .qc-palette li[data-code-target]", has_text="Digital exclusion"
    ).first.click()
    assert _rows(store, "fill in a form online") == [
        ("fill in a form online", "Everyday life/Digital exclusion", "amina")
    ]
    assert page.locator(f"{WIDGET} .qc-palette").is_hidden()


def _selection_centre(page):  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => { const r = window.getSelection().getRangeAt(0).getBoundingClientRect();
                   return {x: r.left + r.width / 2, y: r.top + r.height / 2}; }"""
    )


def _transcript_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "[...document.querySelectorAll('.qc-transcript .qc-seg')]"
        ".map((s) => s.textContent).join('')"
    )


def _show_the_key_strip(page) -> None:  # type: ignore[no-untyped-def]
    """Scroll the notebook so the widget's top (the key strip) is in sight, below JupyterLab's
    toolbar; the selected words stay in sight inside the text's own scroll box."""
    page.evaluate("document.querySelector('.qc-transcript').scrollIntoView({block: 'start'})")


def _drag_selection_to(page, x: float, y: float, shot: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Press on the selected words, drag them to (x, y) and let go; the code targets that were
    lit just before letting go."""
    start = _selection_centre(page)
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(start["x"] + 5, start["y"] + 5, steps=2)
    page.mouse.move(x, y, steps=8)
    assert "Let go on a code" in page.locator(f"{WIDGET} .qc-status").inner_text()
    if shot:
        page.locator(WIDGET).screenshot(path=str(ARTIFACTS / shot))
    lit = page.locator(f"{WIDGET} .qc-drop").all_inner_texts()
    page.mouse.up()
    return lit


def test_drag_selected_words_onto_a_code_in_the_key_strip(desk) -> None:
    page, store = desk
    text_before = _transcript_text(page)
    select_text(page, "She booked it behind my back")
    _show_the_key_strip(page)
    box = page.locator(f"{WIDGET} .qc-chip", has_text="Carers").bounding_box()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lit = _drag_selection_to(
        page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, "mouse-drag.png"
    )
    assert len(lit) == 1 and "Carers" in lit[0]  # the code under the pointer showed it
    assert "Let go on a code" not in page.locator(f"{WIDGET} .qc-status").inner_text()
    assert _rows(store, "She booked it behind my back") == [
        ("She booked it behind my back", "Support and care/Carers", "amina")
    ]
    assert page.locator(f"{WIDGET} .qc-drop").count() == 0  # the target is no longer lit
    assert _transcript_text(page) == text_before  # no words moved or copied


def test_a_drop_elsewhere_does_nothing_and_moves_no_text(desk) -> None:
    page, store = desk
    before = codings_of(store)
    cell = page.locator(".jp-CodeCell", has=page.locator(WIDGET)).locator(".cm-content")
    source = cell.inner_text()
    select_text(page, "Worse if anything")
    _show_the_key_strip(page)
    title = page.locator(f"{WIDGET} .qc-title").bounding_box()
    assert _drag_selection_to(page, title["x"] + 10, title["y"] + title["height"] / 2) == []
    page.evaluate("window.getSelection().removeAllRanges()")
    select_text(page, "Worse if anything")
    cell.evaluate("(node) => node.scrollIntoView({block: 'start'})")
    editor = cell.bounding_box()
    assert _drag_selection_to(page, editor["x"] + 30, editor["y"] + editor["height"] / 2) == []
    coded_here = page.evaluate(  # a drop that coded would show at once, before Python answers
        """() => [...document.querySelectorAll('.qc-transcript .qc-hl')]
            .some((s) => s.textContent.includes('Worse if anything'))"""
    )
    assert not coded_here
    assert codings_of(store) == before
    assert cell.inner_text() == source


def test_right_click_selected_words_opens_the_code_menu(desk) -> None:
    page, store = desk
    select_text(page, "Locums")
    here = _selection_centre(page)
    page.mouse.click(here["x"], here["y"], button="right")
    menu = page.locator(f"{WIDGET} .qc-palette")
    menu.wait_for()
    assert "Code these words" in menu.inner_text()
    heads = menu.locator(".qc-list-head").all_inner_texts()
    assert heads[:2] == ["Used lately", "All codes"]
    recent = menu.locator("li[data-code-target]").all_inner_texts()
    assert "Carers" in recent[0]  # the code dragged onto last
    page.locator(f"{WIDGET} .qc-palette").screenshot(path=str(ARTIFACTS / "mouse-menu.png"))
    page.keyboard.type("workforce")  # the search box has the focus: the menu works by keys
    page.keyboard.press("Enter")
    assert _rows(store, "Locums") == [
        ("Locums", "Trust and relationships/Workforce and continuity", "amina")
    ]
    assert menu.is_hidden()


def test_escape_closes_the_menu_and_keeps_the_words_selected(desk) -> None:
    page, _ = desk
    select_text(page, "Depends who you get")
    here = _selection_centre(page)
    page.mouse.click(here["x"], here["y"], button="right")
    menu = page.locator(f"{WIDGET} .qc-palette")
    menu.wait_for()
    page.keyboard.press("Escape")
    assert menu.is_hidden()
    assert page.evaluate("String(window.getSelection())") == "Depends who you get"
    page.mouse.click(here["x"], here["y"], button="right")  # and a click elsewhere closes it
    menu.wait_for()
    page.locator(f"{WIDGET} .qc-status").click()
    assert menu.is_hidden()
    select_text(page, "Depends who you get")
    page.keyboard.press("Shift+F10")  # the keyboard's way to the same menu
    menu.wait_for()
    page.keyboard.press("Escape")


def test_any_code_target_takes_a_click_and_dropped_words(desk) -> None:
    """A code list beside the text (or any later feature) only marks its rows."""
    page, store = desk
    page.evaluate(
        """() => {
            const side = document.querySelector('.qc-transcript .qc-side');
            for (const path of ['Everyday life/Housing', 'Support and care/Direct payments']) {
                const code = [...document.querySelectorAll('.qc-transcript .qc-palette li')]
                  .find((li) => li.textContent.includes(path));
                const row = document.createElement('div');
                row.textContent = path;
                row.className = 'test-row';
                row.dataset.codeTarget = code.dataset.codeTarget;
                const fold = document.createElement('button');
                fold.textContent = '▸';
                fold.className = 'test-fold';
                row.prepend(fold);  // a control of the row's own: it must not apply the code
                side.prepend(row);  // above the code tree, in view
            }
        }"""
    )
    select_text(page, "I've got a phone that does the phone")
    before = codings_of(store)
    page.locator(f"{WIDGET} .test-row", has_text="Housing").locator(".test-fold").click()
    assert page.locator(f"{WIDGET} .qc-hl", has_text="does the phone").count() == 0
    assert codings_of(store) == before
    page.locator(f"{WIDGET} .test-row", has_text="Housing").click()
    assert _rows(store, "I've got a phone that does the phone") == [
        ("I've got a phone that does the phone", "Everyday life/Housing", "amina")
    ]
    select_text(page, "her puzzles and her bingo")
    row = page.locator(f"{WIDGET} .test-row", has_text="Direct payments").bounding_box()
    _drag_selection_to(page, row["x"] + 10, row["y"] + row["height"] / 2)
    assert _rows(store, "her puzzles and her bingo") == [
        ("her puzzles and her bingo", "Support and care/Direct payments", "amina")
    ]
    page.evaluate("document.querySelectorAll('.test-row').forEach((r) => r.remove())")


def _right_click_words(page, needle: str) -> None:  # type: ignore[no-untyped-def]
    """Right-click the middle of the first `needle` in the transcript, nothing selected."""
    page.evaluate("window.getSelection().removeAllRanges()")
    box = page.evaluate(
        """(needle) => {
            for (const seg of document.querySelectorAll('.qc-transcript .qc-seg')) {
                const at = seg.firstChild ? seg.firstChild.data.indexOf(needle) : -1;
                if (at < 0) continue;
                seg.scrollIntoView({block: 'center'});
                const r = document.createRange();
                r.setStart(seg.firstChild, at); r.setEnd(seg.firstChild, at + needle.length);
                const b = r.getBoundingClientRect();
                return {x: b.left + b.width / 2, y: b.top + b.height / 2};
            }
            return null;
        }""",
        needle,
    )
    page.mouse.click(box["x"], box["y"], button="right")


def test_right_click_a_highlight_shows_its_codes_elsewhere_the_pages_menu(desk) -> None:
    page, _ = desk
    _right_click_words(page, "Locums")  # coded in the test above
    pop = page.locator(f"{WIDGET} .qc-pop")
    pop.wait_for()
    assert "Workforce and continuity" in pop.inner_text()
    page.keyboard.press("Escape")
    assert pop.is_hidden()
    _right_click_words(page, "Officially")  # plain words: JupyterLab's own menu, not ours
    page.locator(".lm-Menu").first.wait_for()
    assert page.locator(f"{WIDGET} .qc-palette").is_hidden()
    page.keyboard.press("Escape")


def _select_by_script(page, needle: str) -> None:  # type: ignore[no-untyped-def]
    """What a long press and the selection handles leave behind on a touch screen."""
    found = page.evaluate(
        """(needle) => {
            for (const seg of document.querySelectorAll('.qc-transcript .qc-seg')) {
                const node = seg.firstChild;
                const at = node ? node.data.indexOf(needle) : -1;
                if (at < 0) continue;
                seg.scrollIntoView({block: 'center'});
                const r = document.createRange();
                r.setStart(node, at); r.setEnd(node, at + needle.length);
                const sel = window.getSelection();
                sel.removeAllRanges(); sel.addRange(r);
                document.dispatchEvent(new Event('selectionchange'));
                return true;
            }
            return false;
        }""",
        needle,
    )
    assert found, f"{needle!r} is not in the transcript shown"


def test_touch_code_this_button_opens_the_menu_with_big_rows(lab, desk) -> None:
    running, pw, home, store = lab
    desk[0].close()  # the desk's page is done: one page at a time on a small machine
    tablet_size = {"width": 1024, "height": 768}
    with browser_in(pw, home, "tablet-profile", has_touch=True, viewport=tablet_size) as tablet:
        page = tablet.new_page()
        _open_coder(page, running, "02_code_tablet.ipynb")
        _select_by_script(page, "I've got COPD")
        button = page.locator(f"{WIDGET} .qc-code-this")
        button.wait_for()
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        page.screenshot(path=str(ARTIFACTS / "mouse-touch-button.png"))  # as the tablet shows it
        button.tap()
        menu = page.locator(f"{WIDGET} .qc-palette.qc-touch")
        menu.wait_for()
        page.screenshot(path=str(ARTIFACTS / "mouse-touch-menu.png"))
        row = menu.locator("li[data-code-target]", has_text="Living with long-term conditions")
        row = row.first
        row.scroll_into_view_if_needed()
        assert row.bounding_box()["height"] >= 44
        row.tap()
        assert _rows(store, "I've got COPD") == [
            ("I've got COPD", "Support and care/Living with long-term conditions", "amina")
        ]
        assert button.is_hidden()
        _select_by_script(page, "the pipe works")  # a code in the key strip takes a tap too
        button.wait_for()
        page.locator(f"{WIDGET} .qc-chip", has_text="Loneliness").tap()
        assert _rows(store, "the pipe works") == [
            ("the pipe works", "Everyday life/Loneliness and isolation", "amina")
        ]
