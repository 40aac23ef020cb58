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

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

import qualcode
from qualcode.interop.codebook_files import import_codebook
from tests.conftest import ROOT
from tests.lab import chromium, jupyterlab, open_and_run

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
def page(tmp_path_factory):  # type: ignore[no-untyped-def]
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
    nb = load_notebook_node(str(ROOT / "notebooks" / "02_code.ipynb"))
    nb = parameterize_notebook(nb, {"project": str(store), "coder": "amina", "area": None})
    nbformat.write(nb, root / "02_code.ipynb")
    with jupyterlab(root, home) as lab, chromium(home) as browser:
        page = browser.new_page()
        open_and_run(page, lab, "02_code.ipynb")
        page.locator(".qc-transcript .qc-seg").first.wait_for(timeout=120_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield page


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
