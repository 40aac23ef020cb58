"""`qualcode workshop` in real chromium (issue 16): the facilitator seats three people on their
page, three browsers sign in with their codes and code the same transcript at once, each sees
their own work saved and the facilitator sees all three; one tries to remove another's coding
and is refused; a wrong code and a signed-out browser get nothing. On SQLite and PostgreSQL.
SYNTHETIC transcripts; screenshots go to reports/test-artifacts/workshop-*.png."""

from __future__ import annotations

import re

import pytest

import qualcode
from tests.conftest import ROOT
from tests.lab import browser_in, playwright_session, select_text, wait_for
from tests.test_workshop import room  # noqa: F401  (the fixture: a server on each store)
from tests.workshop import Server

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "reports" / "test-artifacts"
PEOPLE = {
    "amina": ("breathing group", "Peer support"),
    "bob": ("welding fumes", "Living with long-term conditions"),
    "carol": ("on hold", "Waiting times"),
}
TABLET = {"viewport": {"width": 1180, "height": 820}}


def sign_in(page, server: Server, name: str, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.wait_for_url("**/signin")
    page.fill("#name", name)
    page.fill("#code", code)
    page.click("button[type=submit]")


def test_three_people_code_at_once_and_the_facilitator_sees_them(room, request, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    server, store = room
    home = tmp_path
    backend = request.node.callspec.params["room"]
    with playwright_session() as pw, browser_in(pw, home, "facilitator", **TABLET) as fac_ctx:
        fac = fac_ctx.new_page()
        sign_in(fac, server, server.facilitator, server.code)
        fac.wait_for_url("**/facilitator")
        fac.fill("#name", "\n".join(PEOPLE))  # one name per line: a code for each
        fac.click("text=Seat and make codes")
        codes = {
            n: fac.locator(".codes tr", has_text=n).locator(".code").inner_text() for n in PEOPLE
        }
        fac.screenshot(path=str(ARTIFACTS / f"workshop-codes-{backend}.png"))
        # a wrong code is refused, and says what to do
        with browser_in(pw, home, "stranger", **TABLET) as ctx:
            page = ctx.new_page()
            sign_in(page, server, "amina", "abcd-efgh")
            page.get_by_role("alert").wait_for()
            assert "do not match" in page.get_by_role("alert").inner_text()
            assert "/signin" in page.url and page.locator(".qc-transcript").count() == 0
            page.screenshot(path=str(ARTIFACTS / "workshop-signin-refused.png"))
        contexts = [browser_in(pw, home, name, **TABLET) for name in PEOPLE]
        pages = {}
        try:
            for name, ctx in zip(PEOPLE, contexts, strict=True):
                page = ctx.__enter__().new_page()
                sign_in(page, server, name, codes[name])
                pages[name] = page
            for page in pages.values():
                page.locator(".qc-transcript .qc-seg").first.wait_for(timeout=60_000)
                assert page.locator(".jp-Notebook, .jp-CodeCell").count() == 0  # no code cells
            # all three select, then all three press their code's key: at once
            for name, (words, _) in PEOPLE.items():
                select_text(pages[name], words)
            pages["amina"].keyboard.press("3")  # Peer support's key
            for name in ("bob", "carol"):  # the others find their code by name: / then Enter
                pages[name].keyboard.press("/")
                pages[name].keyboard.type(PEOPLE[name][1])
            for name in ("bob", "carol"):
                pages[name].keyboard.press("Enter")
            with qualcode.open_project(store, user="test") as p:
                wait_for(lambda: len(p.codings_df()) >= 3, "three codings")
                rows = p.codings_df()
            saved = {(r.coder, r.code.split("/")[-1]) for r in rows.itertuples()}
            assert saved == {(name, code) for name, (_, code) in PEOPLE.items()}
            for name, (words, _) in PEOPLE.items():  # each sees their own, saved
                status = pages[name].locator(".qc-status")
                wait_for(lambda s=status: "Saved:" in s.inner_text(), f"{name} told")
                marked = pages[name].locator(".qc-transcript .qc-hl").all_inner_texts()
                assert words in "".join(marked)
            pages["amina"].screenshot(path=str(ARTIFACTS / f"workshop-desk-{backend}.png"))
            # Find coded passages: a query typed and Enter, then "Open in coder"
            find = pages["amina"].locator(".qc-retrieval input").first
            find.fill("Waiting times OR Peer support")
            find.press("Enter")
            pages["amina"].get_by_text("2 passages in 1 transcript").wait_for()
            pages["amina"].locator(".qc-retrieval").get_by_text("Open in coder").first.click()
            wait_for(lambda: pages["amina"].evaluate("getSelection().toString()"), "the passage")
            # bob sends a removal of amina's coding from his own page: refused, told, kept
            with qualcode.open_project(store, user="test") as p:
                doc = int(rows["document_id"].iloc[0])
                theirs = next(c.id for c in p.codings(doc) if c.coder == "amina")
            pages["bob"].evaluate(
                """(id) => {
                    const d = window.__qcDesk;
                    const view = [...d.models.values()]
                        .find((m) => m.state._model_name === "AnyModel");
                    const content = {type: "uncode", coding_id: id, id: 999};
                    d.send(view.id, {method: "custom", content});
                }""",
                theirs,
            )
            pages["bob"].locator(".qc-status", has_text="only your own").wait_for()
            with qualcode.open_project(store, user="test") as p:
                assert theirs in {c.id for c in p.codings(doc)}
            # the facilitator's page shows all three, refreshed without a reload
            live = fac.locator("#live")
            for name in PEOPLE:
                row = live.locator("table.people tr", has_text=name)
                row.locator("td", has_text="here now").wait_for(timeout=15_000)
                wait_for(lambda r=row: r.locator("td").nth(2).inner_text() == "1", f"{name}'s 1")
            fac.screenshot(
                path=str(ARTIFACTS / f"workshop-facilitator-{backend}.png"), full_page=True
            )
        finally:
            for ctx in contexts:
                ctx.__exit__(None, None, None)
        # a browser that has not signed in gets the sign-in page and nothing else
        with browser_in(pw, home, "signed-out", **TABLET) as ctx:
            page = ctx.new_page()
            for path in ("", "facilitator", "codebook"):
                page.goto(server.url + path)
                assert page.url.endswith("/signin"), path
            for path in ("static/desk.js", "static/transcript.js", "facilitator?part=live"):
                answer = page.request.get(server.url + path, max_redirects=0)
                assert answer.status in (302, 403), path
                assert "FEATURES" not in answer.text() and "Who is here" not in answer.text()
            assert re.search("Sign in to the workshop", page.content())
