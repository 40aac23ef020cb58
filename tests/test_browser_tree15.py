"""End to end: the code tree beside the text, with a codebook of 200+ codes (SYNTHETIC).

JupyterLab on loopback and Debian's chromium run notebooks/02_code.ipynb on a fresh project
whose codebook has 22 themes of 10 codes each and 30 keys. The tests search the tree, fold a
branch, click a code to apply it to selected words, watch the numbers change, set a key from
the tree, and keep the key strip to one line. Screenshots go to reports/test-artifacts/.
"""

from __future__ import annotations

import pytest

import qualcode
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
THEMES = """Access to services|Support and care|Trust and relationships|Everyday life|Money and
cost of living|Housing|Mental health|Long-term conditions|Medicines|Hospital care|Carers and
family|Community and belonging|Digital and phones|Transport|Work and benefits|Information|
Respect and dignity|Safety|Food|Activity and exercise|Loneliness|Hopes and ideas""".replace(
    "\n", " "
).split("|")
TOPICS = "experience|barrier|good example|cost|waiting|staff|family view|change over time|idea"


def _codebook(p: qualcode.Project) -> None:
    """22 themes of 10 codes and two more (244 in all); keys 0-9 and a-t on 30."""
    keys = iter("0123456789abcdefghijklmnopqrst")  # u-z left free
    for t, theme in enumerate(THEMES):
        parent = p.codebook.add(theme.strip())
        names = [f"{theme.strip()}: {topic}" for topic in TOPICS.split("|")]
        names.append("Dementia support" if t == 1 else f"{theme.strip()}: other")
        for i, name in enumerate(names):
            p.codebook.add(name, parent=parent, shortcut=next(keys, None) if i < 2 else None)
    p.codebook.add("Transport to/ from services", parent="Transport")
    p.codebook.add("Peer support", parent="Community and belonging")  # the notebook's query


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "workshop.qualcode"
    p = qualcode.open_project(store)
    _codebook(p)
    report = p.ingest(TRANSCRIPT, area="hartlepool", progress=False)
    assert report.ok, str(report)
    (doc,) = report.added
    for words in ("two buses", "Nobody rang to ask why"):  # bob's, before amina starts
        at = doc.text.index(words)
        p.code(doc, at, at + len(words), "Dementia support", coder="bob")
    p.close()
    coding_notebook(root, store)
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        try:
            page.locator(".qc-transcript .qc-tree-row").first.wait_for(timeout=120_000)
        except Exception as exc:
            errors = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError(
                f"the code tree did not appear; outputs: {errors[-1][-3000:]}"
            ) from exc
        yield page, store


def _row(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(
        ".qc-transcript .qc-tree-row", has=page.locator(".qc-tree-name", has_text=name)
    )


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / f"tree15-{name}.png"))


def test_the_tree_lists_every_code_with_numbers_and_sits_beside_the_text(lab_page) -> None:
    page, _ = lab_page
    rows = page.locator(".qc-transcript .qc-tree-row")
    assert rows.count() == 22 + 220 + 2
    assert page.locator(".qc-transcript [data-code-target]").count() >= 244
    dementia = _row(page, "Dementia support")
    assert dementia.locator(".qc-tree-count").inner_text() == "0 · 2"
    assert "all coders together 2 times" in dementia.locator(".qc-tree-count").get_attribute(
        "title"
    )
    text = page.locator(".qc-transcript .qc-text").bounding_box()
    tree = page.locator(".qc-transcript .qc-tree").bounding_box()
    assert tree["x"] >= text["x"] + text["width"]  # beside, not below, on a laptop screen
    assert text["width"] >= 34 * 16 * 0.95  # the text keeps a readable line
    tree_list = page.locator(".qc-transcript .qc-tree-list")
    assert tree_list.evaluate("n => n.scrollHeight > n.clientHeight")  # it scrolls on its own
    _shot(page, "tree")


def test_the_key_strip_stays_one_line(lab_page) -> None:
    page, _ = lab_page
    strip = page.locator(".qc-transcript .qc-legend")
    chip = page.locator(".qc-transcript .qc-chip").first.bounding_box()
    assert strip.bounding_box()["height"] < chip["height"] * 1.6
    more = page.locator(".qc-transcript .qc-more")
    assert more.is_visible() and more.inner_text().startswith("+")
    more.click()
    assert page.evaluate("document.activeElement.classList.contains('qc-tree-search')")


def test_search_finds_a_code_with_the_codes_above_it(lab_page) -> None:
    page, _ = lab_page
    search = page.locator(".qc-transcript .qc-tree-search")
    search.fill("dementia")
    visible = page.locator(".qc-transcript .qc-tree-row:visible .qc-tree-name")
    assert visible.all_inner_texts() == ["Support and care", "Dementia support"]
    assert page.locator(".qc-transcript .qc-tree-row:visible mark").inner_text() == "Dementia"
    _shot(page, "search")
    search.fill("no such code")
    assert page.locator(".qc-transcript .qc-tree-none").inner_text().startswith("No code")
    search.fill("")
    assert page.locator(".qc-transcript .qc-tree-row:visible").count() == 244


def test_folding_a_branch_hides_its_codes(lab_page) -> None:
    page, _ = lab_page
    theme = _row(page, "Support and care").first
    child = _row(page, "Dementia support")
    assert theme.get_attribute("aria-expanded") == "true"
    theme.locator(".qc-tree-arrow").click()
    assert theme.get_attribute("aria-expanded") == "false" and child.is_hidden()
    assert page.locator(".qc-transcript .qc-tree-row:visible").count() == 244 - 10
    _shot(page, "folded")
    theme.focus()
    page.keyboard.press("ArrowRight")  # the keyboard unfolds it
    assert child.is_visible()


def test_select_words_then_click_a_code_in_the_tree(lab_page) -> None:
    page, store = lab_page
    select_text(page, "welding fumes")
    _row(page, "Dementia support").click()
    rows = wait_for(lambda: [r for r in codings_of(store) if r[0] == "welding fumes"], "coding")
    assert rows == [("welding fumes", "Support and care/Dementia support", "amina")]
    count = _row(page, "Dementia support").locator(".qc-tree-count")
    page.wait_for_function("n => n.textContent === '1 · 3'", arg=count.element_handle())
    _shot(page, "applied")


def test_keyboard_tab_search_enter_codes_the_selection(lab_page) -> None:
    page, store = lab_page
    select_text(page, "breathing group")
    page.keyboard.press("Tab")
    page.keyboard.type("loneliness: exp")
    page.keyboard.press("Enter")
    rows = wait_for(lambda: [r for r in codings_of(store) if r[0] == "breathing group"], "coding")
    assert rows == [("breathing group", "Loneliness/Loneliness: experience", "amina")]
    page.locator(".qc-transcript .qc-tree-search").fill("")


def test_select_then_click_into_the_search_type_and_enter(lab_page) -> None:
    """The mouse path: the click into the search box must not lose the words selected."""
    page, store = lab_page
    select_text(page, "a tablet")
    page.locator(".qc-transcript .qc-tree-search").click()
    page.keyboard.type("digital and phones: barr")
    page.keyboard.press("Enter")
    rows = wait_for(lambda: [r for r in codings_of(store) if r[0] == "a tablet"], "coding")
    assert rows == [("a tablet", "Digital and phones/Digital and phones: barrier", "amina")]
    page.locator(".qc-transcript .qc-tree-search").fill("")


def test_a_key_set_from_the_tree_codes_at_once(lab_page) -> None:
    page, store = lab_page
    row = _row(page, "Transport to/ from services")
    row.click(button="right")
    page.locator(".qc-transcript .qc-tree-keyinput").wait_for()
    _shot(page, "set-key")
    page.keyboard.press("/")  # not a code's key: the box says so and nothing is sent
    assert "cannot be a code's key" in page.locator(".qc-transcript .qc-tree-keyhint").inner_text()
    page.keyboard.press("Shift+W")
    row.locator(".qc-tree-key kbd", has_text="w").wait_for()  # the tree is drawn anew
    select_text(page, "sold the car")
    page.keyboard.press("w")
    rows = wait_for(lambda: [r for r in codings_of(store) if r[0] == "sold the car"], "coding")
    assert rows == [("sold the car", "Transport/Transport to\\/ from services", "amina")]
    row.click(button="right")
    page.keyboard.press("0")  # taken by another code: Python says which
    status = page.locator(".qc-transcript .qc-status")
    page.wait_for_function(
        "n => n.textContent.startsWith('Could not')", arg=status.element_handle()
    )
    assert "is already used by 'Access to services/Access to services: experience'" in (
        status.inner_text()
    )


def test_on_a_narrow_screen_the_tree_goes_below_the_text(lab_page) -> None:
    page, _ = lab_page
    page.set_viewport_size({"width": 900, "height": 900})
    try:
        page.wait_for_timeout(300)
        text = page.locator(".qc-transcript .qc-text").bounding_box()
        tree = page.locator(".qc-transcript .qc-tree").bounding_box()
        assert tree["y"] >= text["y"] + text["height"]
        page.locator(".qc-transcript .qc-tree").evaluate("n => n.scrollIntoView({block: 'end'})")
        page.screenshot(path=str(ARTIFACTS / "tree15-narrow.png"))  # what the screen shows
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})
