"""The team's work in a real browser: three coders on one transcript, the "Coders" filter,
the coding stripes in the margin, and the tooltip that names code and coders.

amina (the one coding) and bob both coded "She rang at eight o'clock on a Monday" as Access to
GP; bob and carol coded overlapping words as Waiting times; carol alone coded "I haven't got
the internet" as Digital exclusion, and words overlapping the phone call as Carers. So, with
everyone shown, the line of the phone call has three stripes (Carers and Access to GP side by
side) and the line of the internet one. Screenshots: reports/test-artifacts/team-*.png.
"""

from __future__ import annotations

import re

import pytest

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.bare import page_html, synthetic_state
from tests.conftest import ROOT
from tests.lab import chromium, coding_notebook, jupyterlab, open_and_run

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
TRANSCRIPT = ROOT / "data" / "raw" / "hartlepool" / "hp01-copd-ex-welder.txt"
CALL = "She rang at eight o'clock on a Monday"
HOLD = "Forty-odd minutes she was on hold"
QUEUE = "Forty-odd minutes she was on hold, number twenty-three in the queue"
ONLINE = "I haven't got the internet"
BOOKED = "She booked it behind my back. She rang at eight"
CODINGS = [
    (CALL, "Access to GP", "amina"),
    (CALL, "Access to GP", "bob"),
    (HOLD, "Waiting times", "bob"),
    (QUEUE, "Waiting times", "carol"),
    (ONLINE, "Digital exclusion", "carol"),
    (BOOKED, "Carers", "carol"),
]


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("home")
    store = root / "team.qualcode"
    p = qualcode.open_project(store)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    report = p.ingest(TRANSCRIPT, area="hartlepool", progress=False)
    assert report.ok, str(report)
    (doc,) = report.added
    for words, code, coder in CODINGS:
        at = doc.text.index(words)
        p.code(doc, at, at + len(words), code, coder=coder)
    p.close()
    coding_notebook(root, store)
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        page.locator(".qc-transcript .qc-seg").first.wait_for(timeout=120_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield page, store, browser


@pytest.fixture
def page(lab_page):  # type: ignore[no-untyped-def]
    return lab_page[0]


def _stripes(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Stripes on the line of each phrase (once lines drawn in bulk are painted)."""
    page.wait_for_function(
        "document.querySelector('.qc-transcript .qc-text') && "
        "document.querySelector('.qc-transcript').dataset.stripes !== 'painting'"
    )
    return page.evaluate(
        """(phrases) => Object.fromEntries(phrases.map((p) => {
            const line = [...document.querySelectorAll('.qc-transcript .qc-line')]
                .find((l) => l.textContent.includes(p));
            return [p, Number(line.dataset.stripes || 0)];
        }))""",
        [CALL, ONLINE],
    )


def _highlighted(page) -> str:  # type: ignore[no-untyped-def]
    return " | ".join(page.locator(".qc-transcript .qc-hl").all_inner_texts())


def _filter(page, *, tick: str | None = None, untick: str | None = None, button: str = ""):  # type: ignore[no-untyped-def]
    panel = page.locator(".qc-transcript .qc-coders")
    if panel.is_hidden():
        page.locator(".qc-transcript .qc-coders-btn").click()
    if button:
        panel.get_by_role("button", name=button, exact=True).click()
    for name, on in ((tick, True), (untick, False)):
        if name:
            panel.locator(f'input[data-coder="{name}"]').set_checked(on)
    return panel


def test_only_your_own_codings_and_stripes_at_first(page) -> None:
    assert _stripes(page) == {CALL: 1, ONLINE: 0}
    assert "internet" not in _highlighted(page)
    assert page.locator(".qc-transcript .qc-coders-btn").inner_text() == "Coders: you ▾"


def test_the_filter_lists_the_coders_with_counts_and_shows_everyone(page) -> None:
    panel = _filter(page, button="Everyone")
    rows = [re.sub(r"\s+", " ", r) for r in panel.locator(".qc-coders-row").all_inner_texts()]
    assert rows == ["you (amina) 1 coding", "carol 3 codings", "bob 2 codings"]
    page.wait_for_function(
        "[...document.querySelectorAll('.qc-transcript .qc-hl')]"
        ".some((s) => s.textContent.includes('internet'))"
    )
    assert _stripes(page) == {CALL: 3, ONLINE: 1}
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "team-filter.png"))
    assert "every coder" in page.locator(".qc-transcript .qc-status").inner_text()


def test_unticking_a_coder_hides_their_highlights_and_stripes(page) -> None:
    _filter(page, button="Everyone")
    _filter(page, untick="carol")
    page.wait_for_function(
        "![...document.querySelectorAll('.qc-transcript .qc-hl')]"
        ".some((s) => s.textContent.includes('internet'))"
    )
    assert _stripes(page) == {CALL: 2, ONLINE: 0}  # bob's Waiting times still there
    assert "number twenty-three" not in _highlighted(page)  # carol's longer Waiting times
    status = page.locator(".qc-transcript .qc-status").inner_text()
    assert status == "Showing codings by you and bob."
    assert page.locator(".qc-transcript .qc-coders-btn").inner_text() == "Coders: you, bob ▾"
    _filter(page, button="Only mine")
    page.wait_for_function(
        "document.querySelector('.qc-transcript .qc-coders-btn').textContent === 'Coders: you ▾'"
    )
    assert _stripes(page) == {CALL: 1, ONLINE: 0}
    page.locator(".qc-transcript .qc-coders").get_by_role("button", name="Close").click()


def test_hover_a_highlight_names_the_code_and_its_coders(page) -> None:
    _filter(page, button="Everyone")
    page.locator(".qc-transcript .qc-coders").get_by_role("button", name="Close").click()
    seg = page.locator(".qc-transcript .qc-hl", has_text="rang at eight").first
    seg.scroll_into_view_if_needed()
    seg.hover()
    tip = page.locator(".qc-transcript .qc-tip")
    tip.wait_for()
    assert tip.inner_text().splitlines() == [  # the words where two codes overlap
        "C Support and care/Carers — carol",
        "AG Access to services/Access to GP — you, bob",
    ]
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "team-tooltip.png"))


def test_hover_and_click_a_stripe(page) -> None:
    _filter(page, button="Everyone")
    page.locator(".qc-transcript .qc-coders").get_by_role("button", name="Close").click()
    # the first lane (Carers's, until it ends) beside the wait: Waiting times, by bob and carol
    point = page.evaluate(
        """(hold) => {
            const line = [...document.querySelectorAll('.qc-transcript .qc-line')]
                .find((l) => l.textContent.includes(hold));
            line.scrollIntoView({block: 'center'});
            const r = line.getBoundingClientRect();
            const at = line.textContent.indexOf(hold) / line.textContent.length;
            return {x: r.left + 4 + 3, y: r.top + r.height * (at + 0.04)};
        }""",
        HOLD,
    )
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".qc-transcript .qc-tip")
    tip.wait_for()
    assert re.sub(r"\s+", " ", tip.inner_text()).startswith(
        "WT Access to services/Waiting times — carol, bob"  # in the filter list's order
    )
    page.mouse.click(point["x"], point["y"])  # selects the words the stripe stands for
    assert page.evaluate("window.getSelection().toString()") == QUEUE
    assert "Selected the words coded" in page.locator(".qc-transcript .qc-status").inner_text()
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "team-stripes.png"))


def test_a_blind_round_says_why_nobody_else_is_listed(lab_page) -> None:
    page, store, _ = lab_page
    p = qualcode.open_project(store)
    try:
        (doc,) = p.documents()
        p.open_round("R1", coders=["amina", "bob", "carol"], lead="dawn", documents=[doc])
    finally:
        p.close()
    page.locator("button.widget-button", has_text="Refresh").first.click()  # as a coder would
    toggle = page.locator(".qc-transcript .qc-coders-btn")
    page.wait_for_function(
        "document.querySelector('.qc-transcript .qc-coders-btn').textContent"
        ".includes('blind round')"
    )
    assert toggle.inner_text() == "Coders: you only (blind round) ▾"
    panel = _filter(page)
    assert panel.locator(".qc-coders-note").inner_text() == (
        "Blind round 'R1' is open: others' codings are hidden until dawn closes it."
    )
    rows = [re.sub(r"\s+", " ", r) for r in panel.locator(".qc-coders-row").all_inner_texts()]
    assert rows == ["you (amina) 1 coding"]
    assert _stripes(page) == {CALL: 1, ONLINE: 0}
    page.locator(".qc-transcript").screenshot(path=str(ARTIFACTS / "team-blind.png"))


STRIPES = """(fresh) => {
    const all = document.querySelector('.qc-transcript').qcStripes(fresh);
    const clashes = all.filter((a) => all.some((b) => a !== b && a.lane === b.lane
        && a.start < b.end && b.start < a.end)).length;
    const kinds = all.map((s) => `${s.code}:${s.start}:${s.end}:${s.coders.join('+')}`).sort();
    return {kinds, clashes};
}"""
PAINTED = "[...document.querySelectorAll('.qc-line')].map((l) => l.style.background || '')"
IDLE = "document.querySelector('.qc-transcript').dataset.stripes !== 'painting'"


def test_stripes_stay_true_through_many_key_presses(lab_page, tmp_path) -> None:
    """No JupyterLab: the view alone on a long synthetic transcript coded by three people.
    After 40 key presses (each lays out only the stripes its code changed), the stripes are
    those a layout from scratch makes, no two overlapping stripes share a lane, and every
    line is painted as a full redraw paints it. (The lab's chromium: one per module.)"""
    page_file = tmp_path / "coder.html"
    page_file.write_text(page_html(synthetic_state(8_000, 600)), encoding="utf-8")
    page = lab_page[2].new_page()
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector(".qc-transcript[data-first-render-ms]")
        page.focus(".qc-transcript")
        for k in range(40):
            page.keyboard.press("ArrowDown" if k % 4 else "ArrowUp")
            page.keyboard.press(str(1 + k % 5))
        page.wait_for_function(IDLE)
        bit_by_bit = page.evaluate(STRIPES, False)
        assert len(bit_by_bit["kinds"]) > 300 and bit_by_bit["clashes"] == 0
        painted = page.evaluate(PAINTED)
        page.evaluate("window.__model.set('codes', [...window.__model.get('codes')])")  # redraw
        page.wait_for_function(IDLE)
        assert page.evaluate(PAINTED) == painted
        assert page.evaluate(STRIPES, True) == bit_by_bit | {"clashes": 0}
    finally:
        page.close()
