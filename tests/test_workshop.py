"""`qualcode workshop` at the protocol level, as a person's page and as an attacker would use
it: sign-in with one-time codes, the server deciding who codes, what a signed-out request
and a researcher may not reach, and the facilitator's seats and blind round; on SQLite and
PostgreSQL, against the real command started in its own process. SYNTHETIC transcripts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import qualcode
from qualcode.interop.codebook_files import import_codebook
from qualcode.workshop import seating
from qualcode.workshop.limits import SignInLimit
from tests.conftest import ROOT
from tests.workshop import Client, Server, workshop_server

RAW = ROOT / "data" / "raw" / "hartlepool"
PAGES = [
    "/",
    "/codebook",
    "/facilitator",
    "/static/desk.js",
    "/static/transcript.js",
    "/static/facilitator.js",
    "/nothing-here",
]
POSTS = ["/facilitator/seat", "/facilitator/unseat", "/facilitator/round", "/signout"]


def build(store: str) -> str:
    with qualcode.open_project(store, user="test") as p:
        import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
        for name in ("hp01-copd-ex-welder.txt", "hp02-young-mam-postnatal-anxiety.txt"):
            assert p.ingest(RAW / name, area="hartlepool", progress=False).ok
    return store


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def room(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    if request.param == "sqlite":
        store = str(tmp_path_factory.mktemp("room") / "room.qualcode")
    else:
        store = request.getfixturevalue("postgres").store()
    with workshop_server(build(store)) as server:
        yield server, store


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def until(predicate, what: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """`tests.lab.wait_for` for a test that is also listening to its sockets."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


async def facilitator(server: Server) -> Client:
    """The facilitator signed in (their code works once: later calls reuse the cookie)."""
    global _facilitator_cookies
    fac = Client(server.url)
    if server.url in _facilitator_cookies:
        fac.cookies = dict(_facilitator_cookies[server.url])
    else:
        answer = await fac.sign_in(server.facilitator, server.code)
        assert answer.code == 302 and answer.headers["Location"] == "/facilitator"
        _facilitator_cookies[server.url] = dict(fac.cookies)
    return fac


_facilitator_cookies: dict[str, dict[str, str]] = {}


async def seat(server: Server, name: str) -> str:
    """The one-time code the facilitator's page gives for `name`."""
    page = await (await facilitator(server)).fetch("/facilitator/seat", form={"name": name})
    return re.search(r'class="code">([^<]+)<', page.body.decode()).group(1)


async def seated(server: Server, name: str) -> Client:
    """`name` seated by the facilitator and signed in with the code they were given."""
    code = await seat(server, name)
    person = Client(server.url)
    answer = await person.sign_in(name, code)
    assert answer.code == 302 and answer.headers["Location"] == "/", answer.body
    return person


def test_signed_out_gets_nothing_but_the_sign_in_page(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        stranger = Client(server.url)
        for path in PAGES:
            answer = await stranger.fetch(path)
            assert answer.code in (302, 403), path
            if answer.code == 302:
                assert answer.headers["Location"] == "/signin", path
            assert b"qc-transcript" not in answer.body and b"FEATURES" not in answer.body
        for path in POSTS:  # with a valid XSRF token from the sign-in page, still refused
            answer = await stranger.fetch(path, form={"name": "mallory", "action": "open"})
            assert answer.code in (302, 403), path
            assert "qc_session" not in stranger.cookies
        with pytest.raises(Exception, match="403"):
            await stranger.open_screen(timeout=5)
        page = await stranger.fetch("/signin")
        assert page.code == 200 and b"Sign in to the workshop" in page.body
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"

    run(go())


def test_a_code_works_once_and_wrong_ones_are_refused(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        code = await seat(server, "Carol")
        wrong = Client(server.url)
        answer = await wrong.sign_in("Carol", "aaaa-bbbb")
        assert answer.code == 403 and b"do not match" in answer.body
        assert "qc_session" not in wrong.cookies
        carol = Client(server.url)
        answer = await carol.sign_in("carol", code.upper().replace("-", " "))  # as typed
        assert answer.code == 302
        cookie = next(
            h for h in answer.headers.get_list("Set-Cookie") if h.startswith("qc_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        again = Client(server.url)
        assert (await again.sign_in("Carol", code)).code == 403  # used up
        assert (await carol.fetch("/")).code == 200

    run(go())


def test_sign_in_tries_are_limited_even_with_the_right_code(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        code = await seat(server, "Dev")
        guesser = Client(server.url)
        for n in range(5):
            assert (await guesser.sign_in("Dev", f"zzzz-zzz{n + 2}")).code == 403
        blocked = await guesser.sign_in("Dev", code)
        assert blocked.code == 429 and int(blocked.headers["Retry-After"]) > 0
        assert b"Too many tries" in blocked.body and "qc_session" not in guesser.cookies

    run(go())


def test_the_server_decides_who_codes_and_nobody_touches_anothers_coding(room) -> None:  # type: ignore[no-untyped-def]
    server, store = room

    async def go() -> None:
        amina, bob = await seated(server, "amina"), await seated(server, "bob")
        await amina.open_screen()
        await bob.open_screen()
        code_id = amina.view_state()["codes"][0]["id"]
        await amina.code(40, 90, code_id)
        # bob claims to be amina in the message: the server codes as bob
        bob.send(
            bob.view,
            {
                "method": "custom",
                "content": {
                    "type": "code",
                    "start": 200,
                    "end": 260,
                    "code_id": code_id,
                    "coder": "amina",
                    "id": 77,
                },
            },
        )
        with qualcode.open_project(store, user="test") as p:
            await until(lambda: len(p.codings_df()) == 2, "both codings")
            rows = p.codings_df()
            doc_id = int(rows["document_id"].iloc[0])
            theirs = next(c.id for c in p.codings(doc_id) if c.coder == "amina")
        assert sorted(rows["coder"]) == ["amina", "bob"]
        # bob removes amina's coding: refused, and told so
        bob.send(
            bob.view,
            {"method": "custom", "content": {"type": "uncode", "coding_id": theirs, "id": 78}},
        )
        said = await until(
            lambda: (
                "only your own" in bob.view_state().get("status", "") and bob.view_state()["status"]
            ),
            "bob told",
        )
        assert "amina's" in said
        # nor can the page rewrite the view's text or codings, nor a dropdown's choices
        bob.send(bob.view, {"method": "update", "state": {"codings": [], "text": "x"}})
        picker = next(k for k, s in bob.models.items() if s.get("description") == "Transcript")
        bob.send(picker, {"method": "update", "state": {"_options_labels": ["evil"]}})
        await asyncio.sleep(0.5)
        with qualcode.open_project(store, user="test") as p:
            assert theirs in {c.id for c in p.codings(doc_id)}
        amina.close()
        bob.close()

    run(go())


def test_researchers_cannot_open_the_facilitators_pages(room) -> None:  # type: ignore[no-untyped-def]
    server, store = room

    async def go() -> None:
        eve = await seated(server, "eve")
        assert (await eve.fetch("/facilitator")).code == 403
        assert (await eve.fetch("/facilitator?part=live")).code == 403
        for path in ("/facilitator/seat", "/facilitator/unseat", "/facilitator/round"):
            answer = await eve.fetch(path, form={"name": "eve2", "action": "open"})
            assert answer.code == 403, path
        with qualcode.open_project(store, user="test") as p:
            assert "eve2" not in {s["name"] for s in seating.seats(p)}
            assert p.rounds_df().empty or "open" not in set(p.rounds_df()["status"])

    run(go())


def test_a_removed_person_is_signed_out_at_once(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        fay = await seated(server, "fay")
        assert (await fay.fetch("/")).code == 200
        fac = await facilitator(server)
        page = await fac.fetch("/facilitator/unseat", form={"name": "fay"})
        assert b"fay was removed" in page.body
        answer = await fay.fetch("/")
        assert answer.code == 302 and answer.headers["Location"] == "/signin"
        assert (await fay.fetch("/static/desk.js")).code == 403

    run(go())


def test_a_post_without_the_forms_token_is_refused(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        import tornado.httpclient

        fac = await facilitator(server)
        answer = await tornado.httpclient.AsyncHTTPClient().fetch(
            server.url + "facilitator/seat",
            method="POST",
            body="name=gil",
            headers={"Cookie": fac._cookie_header()},
            raise_error=False,
            follow_redirects=False,
        )
        assert answer.code == 403

    run(go())


def test_blind_round_from_the_facilitators_page(room) -> None:  # type: ignore[no-untyped-def]
    server, _ = room

    async def go() -> None:
        hana, ivo = await seated(server, "hana"), await seated(server, "ivo")
        await hana.open_screen()
        await ivo.open_screen()
        hana.send(hana.view, {"method": "update", "state": {"show_all": True}})
        code_id = hana.view_state()["codes"][2]["id"]
        await ivo.code(100, 160, code_id)  # before the round
        refresh = next(k for k, s in hana.models.items() if s.get("description") == "Refresh")
        hana.send(refresh, {"method": "custom", "content": {"event": "click"}})
        await until(lambda: "ivo" in {c["coder"] for c in hana.view_state()["codings"]}, "ivo's")
        fac = await facilitator(server)
        page = await fac.fetch(
            "/facilitator/round", form={"action": "open", "round": "W1", "area": ""}
        )
        assert b"Blind round W1 is open" in page.body
        # open screens hear it at once and show only their own coding
        await until(lambda: "opened blind round W1" in hana.view_state()["status"], "hana told")
        assert {c["coder"] for c in hana.view_state()["codings"]} <= {"hana"}
        await hana.code(300, 380, code_id)
        await ivo.code(300, 380, code_id)
        await ivo.code(500, 560, code_id)
        assert {c["coder"] for c in ivo.view_state()["codings"]} == {"ivo"}
        assert {c["coder"] for c in hana.view_state()["codings"]} == {"hana"}
        live = (await fac.fetch("/facilitator?part=live")).body.decode()
        assert "hana" in live and "ivo" in live and "open" in live
        page = await fac.fetch("/facilitator/round", form={"action": "close"})
        text = page.body.decode()
        assert "Blind round W1 is closed" in text and "Krippendorff" in text
        compared = re.search(r"Compared: ([^<]*?) on (\d+) transcript", text)
        assert compared and {"hana", "ivo"} <= set(compared.group(1).split(", "))
        await until(lambda: "closed blind round W1" in hana.view_state()["status"], "told")
        assert {"hana", "ivo"} <= {c["coder"] for c in hana.view_state()["codings"]}
        hana.close()
        ivo.close()

    run(go())


def test_sign_in_limit_counts_per_key_and_forgets_after_the_window() -> None:
    now = [0.0]
    limit = SignInLimit(tries=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        limit.failed(["ip:1", "name:amina"])
    assert limit.wait(["ip:1"]) == 60 and limit.wait(["name:amina", "ip:2"]) == 60
    assert limit.wait(["ip:2", "name:bob"]) == 0
    now[0] = 30
    assert limit.wait(["ip:1"]) == 30
    now[0] = 60.5
    assert limit.wait(["ip:1", "name:amina"]) == 0


def test_codes_are_hashed_one_time_and_a_role_cannot_be_changed(tmp_path: Path) -> None:
    with qualcode.open_project(tmp_path / "s.qualcode", user="t") as p:
        _, code = seating.seat(p, "Amina", by="dawn")
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", code)
        assert seating.sign_in(p, "amina", "wrong-code") is None
        person, token = seating.sign_in(p, " AMINA ", code)
        assert person == seating.Person("Amina", "researcher") and not person.facilitator
        assert seating.who(p, token) == person and seating.who(p, token + "x") is None
        assert seating.sign_in(p, "amina", code) is None  # used
        _, again = seating.seat(p, "amina", by="dawn")  # a new code signs the old device out
        assert seating.who(p, token) is None
        with pytest.raises(qualcode.QualcodeError, match="already in the workshop as researcher"):
            seating.seat(p, "amina", by="dawn", role="facilitator")
        with p.reading() as conn:
            stored = [
                tuple(r) for r in conn.exec_driver_sql("SELECT code_hash FROM workshop_seats")
            ]
        assert again not in str(stored) and stored[0][0].startswith("scrypt$")
        seating.sign_out(p, seating.sign_in(p, "amina", again)[1])
        assert seating.seats(p)[0]["signed_in"] is False


def test_the_workshop_makes_no_connection_off_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started, signed in to and coded in with every connection off this machine refused
    and written down (tests/test_no_network.py's guard, loaded into the server's process)."""
    from tests.test_no_network import guard_processes

    log = guard_processes(tmp_path, monkeypatch)
    store = build(str(tmp_path / "offline.qualcode"))
    import subprocess
    import sys

    probe = (
        "import socket\ntry: socket.create_connection(('192.0.2.1', 80), 0.1)\nexcept OSError: pass"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
    assert "192.0.2.1" in log.read_text()  # the guard is loaded in processes started so
    log.unlink()

    async def go(server: Server) -> None:
        person = await seated(server, "amina")
        await person.open_screen()
        await person.code(40, 90, person.view_state()["codes"][0]["id"])
        person.close()

    with workshop_server(store) as server:
        run(go(server))
    assert not log.exists(), log.read_text()


def test_a_screen_that_sends_faster_than_a_person_is_slowed_and_a_fifth_closes_the_first(
    room,  # type: ignore[no-untyped-def]
) -> None:
    server, _ = room

    async def go() -> None:
        jo = await seated(server, "jo")
        screens = [jo]
        await jo.open_screen()
        for _ in range(400):  # a script, not a person: the first 120 go ahead, then 30 a second
            jo.send(jo.view, {"method": "update", "state": {"font_size": 17}})
        await until(lambda: any("Too many actions" in t for t in jo.said), "jo slowed")
        for _ in range(4):  # the same person on four more screens: the first one closes
            more = Client(server.url, cookies=dict(jo.cookies))
            await more.open_screen()
            screens.append(more)
        await until(lambda: jo.closed == 4000, "the first screen closed")
        assert all(s.closed is None for s in screens[1:])
        for s in screens:
            s.close()

    run(go())


def test_pace_lets_a_burst_through_then_the_rate() -> None:
    from qualcode.workshop.limits import Pace

    now = [0.0]
    pace = Pace(rate=10, burst=5, clock=lambda: now[0])
    assert [pace.take() for _ in range(6)] == [True] * 5 + [False]
    now[0] = 0.25  # 2.5 actions earned
    assert [pace.take() for _ in range(3)] == [True, True, False]
    now[0] = 100
    assert sum(pace.take() for _ in range(10)) == 5  # never more than the burst
