"""Five people code at once through `qualcode workshop` (the real CLI, protocol-level clients):
every press the page was told was saved is in the store once, under that person's name, and
nothing else is. The timing of 30 people is benchmarks/bench_workshop.py's job."""

from __future__ import annotations

import asyncio

import qualcode
from tests.conftest import TRANSCRIPT
from tests.test_workshop import seated
from tests.workshop import Client, Server, workshop_server

PEOPLE = 5
PRESSES = 10


async def _room(server: Server) -> dict[str, set[int]]:
    """Seat PEOPLE people, open their screens, all press PRESSES keys at once; the ids each
    page was told were saved."""
    people = {f"coder {i}": await seated(server, f"coder {i}") for i in range(PEOPLE)}
    await asyncio.gather(*(c.open_screen() for c in people.values()))

    async def press(name: str, client: Client) -> set[int]:
        sentences = client.view_state()["sentences"]
        codes = [c["id"] for c in client.view_state()["codes"]]
        saved: set[int] = set()
        for k in range(PRESSES):
            start, end = sentences[(k + len(name)) % len(sentences)]
            mark = len(client.customs)
            await client.code(start, end, codes[k % len(codes)])
            added = [
                d
                for _, m in client.customs[mark:]
                if m.get("type") == "codings"
                for d in m.get("add", [])
            ]
            assert len(added) == 1 and added[0]["mine"], (name, client.view_state()["status"])
            saved.add(added[0]["id"])
        client.close()
        return saved

    done = await asyncio.gather(*(press(n, c) for n, c in people.items()))
    return dict(zip(people, done, strict=True))


def test_five_people_code_at_once_and_nothing_is_lost(store_url: str) -> None:
    with qualcode.open_project(store_url, user="dawn") as p:
        for name in ("Access to GP", "Transport", "Carers"):
            p.codebook.add(name)
        p.add_document(TRANSCRIPT, area="hartlepool", title="hp-test")
    with workshop_server(store_url) as server:
        saved = asyncio.run(_room(server))
    with qualcode.open_project(store_url, user="dawn") as p:
        stored: dict[str, list[int]] = {}
        for c in p.codings():
            stored.setdefault(c.coder, []).append(c.id)
    assert {name: sorted(ids) for name, ids in stored.items()} == {
        name: sorted(ids) for name, ids in saved.items()
    }
    assert all(len(ids) == PRESSES for ids in saved.values())
