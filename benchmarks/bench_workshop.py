"""30 people coding at once in `qualcode workshop` (issue 16): lost codings, key → saved, screen
open time and the server's memory per person, on SQLite and on PostgreSQL.

The store is the sample codebook (data/raw/codebook.yaml) and two areas of the sample
transcripts, built fresh for each run. The real CLI serves it in a process of its own
(tests/workshop.py); the facilitator seats N people through their page, all N sign in and open
their screen at the same moment (as a room does when told "open the link now"), each picks one
of a few transcripts (several people share each one), and for `--seconds` each presses a key
every 1–3 s: a random sentence (or two) of their transcript, a random code. The clients are
protocol-level (tests/workshop.py's `Client`: the page's own HTTP forms and websocket
messages), all in this process.

- key → saved: the client sends the press, the server codes it in the store and answers with the
  coding and an ack; the time from send to ack. A press the page was told it could not save
  ("Could not do that") is "refused"; one that was never acked is "unacked".
- lost: codings the page was told were saved (their ids came back) that the store does not
  hold afterwards under that person's name; duplicated: that person's rows in the store that
  no saved press accounts for.
- screen open: sign-in form sent → the transcript's text received over the websocket.
- server memory: VmRSS of the server process and its children, before anyone signs in, once
  every screen is open, and at the end; per person = (open − before) / N.

Peer, in the same run: the same N people at the same pace coding straight into the store with
`Project.code`, one thread and one Project each, no server: the floor the server adds to.

    .venv/bin/python benchmarks/bench_workshop.py --postgres            # 30 people, 120 s
    .venv/bin/python benchmarks/bench_workshop.py --runs 3 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
AREAS = ("hartlepool", "great-yarmouth")
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))
from common import machine, table  # noqa: E402

FACILITATOR = "dawn"


@dataclass
class Tally:
    """What one run measured; a person's saved codings by id."""

    sent: int = 0
    acked: int = 0
    refused: int = 0
    waits: list[float] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)
    saved: dict[str, set[int]] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    lost: int = 0
    duplicated: int = 0


def build(url: str) -> None:
    """The sample codebook and two areas of sample transcripts (synthetic), in a fresh store."""
    import qualcode
    from qualcode.interop.codebook_files import import_codebook

    with qualcode.open_project(url, user=FACILITATOR) as p:
        import_codebook(p, RAW / "codebook.yaml")
        for area in AREAS:
            if not p.ingest(RAW / area, area=area, progress=False).ok:
                raise SystemExit(f"could not ingest {RAW / area}")


def check(url: str, tally: Tally) -> None:
    """Count lost and duplicated codings: each person's saved ids against the store's rows."""
    import qualcode

    with qualcode.open_project(url, user=FACILITATOR) as p:
        stored: dict[str, set[int]] = {}
        for c in p.codings():
            stored.setdefault(c.coder, set()).add(c.id)
    for name, ids in tally.saved.items():
        theirs = stored.get(name, set())
        tally.lost += len(ids - theirs)
        tally.duplicated += len(theirs - ids)
    tally.duplicated += sum(len(ids) for name, ids in stored.items() if name not in tally.saved)


# the server's memory ---------------------------------------------------------------------------


def tree_rss_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants, in MB."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


# the workshop ----------------------------------------------------------------------------------


def spans(client: Any) -> list[tuple[int, int]]:
    """The sentences of the transcript a client has open, as (start, end)."""
    return [(int(s), int(e)) for s, e in client.view_state().get("sentences", [])]


async def person(
    client: Any, name: str, rng: random.Random, until: float, tally: Tally, transcript: int
) -> None:
    """One person: pick their transcript, then a key press every 1–3 s until `until`."""
    await client.open_transcript(transcript)
    sentences = spans(client)
    codes = [c["id"] for c in client.view_state().get("codes", [])]
    saved = tally.saved.setdefault(name, set())
    while True:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        if time.monotonic() >= until:
            return
        first = rng.randrange(len(sentences))
        last = min(len(sentences) - 1, first + rng.choice((0, 0, 1)))
        mark = len(client.customs)
        tally.sent += 1
        try:
            wait = await client.code(sentences[first][0], sentences[last][1], rng.choice(codes))
        except TimeoutError:
            continue
        tally.acked += 1
        tally.waits.append(wait)
        added = [
            d["id"]
            for _, m in client.customs[mark:]
            if m.get("type") == "codings"
            for d in m.get("add", [])
            if d.get("mine")
        ]
        if added:
            saved.update(added)
        else:
            tally.refused += 1


async def seat_and_open(server: Any, n: int, tally: Tally) -> list[tuple[str, Any]]:
    """Seat n people through the facilitator's page, then all sign in and open at once."""
    from workshop import Client

    facilitator = Client(server.url)
    await facilitator.sign_in(FACILITATOR, server.code)
    codes = {}
    for i in range(n):
        name = f"person{i:02d}"
        page = await facilitator.fetch("/facilitator/seat", form={"name": name})
        found = re.search(r'<span class="code">([^<]+)</span>', page.body.decode())
        if found is None:
            raise SystemExit(f"seating {name} failed: {page.code}")
        codes[name] = found.group(1)

    async def arrive(name: str) -> tuple[str, Any]:
        client = Client(server.url)
        began = time.perf_counter()
        answer = await client.sign_in(name, codes[name])
        if "qc_session" not in client.cookies:
            raise SystemExit(f"{name} could not sign in: {answer.code}")
        await client.open_screen(timeout=300)
        tally.opens.append(time.perf_counter() - began)
        return name, client

    return list(await asyncio.gather(*(arrive(name) for name in codes)))


async def workshop_run(url: str, n: int, seconds: float, transcripts: int, seed: int) -> Tally:
    import tornado.httpclient
    from workshop import workshop_server

    tornado.httpclient.AsyncHTTPClient.configure(None, max_clients=4 * n + 10)
    tally = Tally()
    with workshop_server(url, FACILITATOR) as server:
        pid = server.process.pid
        await asyncio.sleep(1)  # settled after start
        tally.rss_mb["before"] = tree_rss_mb(pid)
        people = await seat_and_open(server, n, tally)
        tally.rss_mb["open"] = tree_rss_mb(pid)
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(
                person(client, name, random.Random(seed + i), until, tally, i % transcripts)
                for i, (name, client) in enumerate(people)
            )
        )
        tally.rss_mb["end"] = tree_rss_mb(pid)
        for _, client in people:
            client.close()
        check(url, tally)
    return tally


# the peer: the same people coding straight into the store --------------------------------------


def peer_run(url: str, n: int, seconds: float, transcripts: int, seed: int) -> Tally:
    """N threads, one Project each, `Project.code` at the workshop's pace: no server."""
    import warnings

    import qualcode
    from qualcode.errors import CoderNameWarning

    warnings.simplefilter("ignore", CoderNameWarning)  # person00 is "close to" person01
    tally = Tally()
    lock = threading.Lock()
    with qualcode.open_project(url, user=FACILITATOR) as p:
        docs = sorted(p.documents(), key=lambda d: (d.area, d.title))[:transcripts]
        sentences = {
            d.id: list(p.units_df("sentence", document=d.id)[["start", "end"]].itertuples(False))
            for d in docs
        }
        codes = [c.id for c in p.codebook.all()]
    start = threading.Barrier(n)

    def one(i: int) -> None:
        name = f"person{i:02d}"
        rng = random.Random(seed + i)
        doc = docs[i % len(docs)]
        mine = sentences[doc.id]
        saved: set[int] = set()
        waits: list[float] = []
        with qualcode.open_project(url, user=name, create=False) as q:
            start.wait()
            until = time.monotonic() + seconds
            while True:
                time.sleep(rng.uniform(1.0, 3.0))
                if time.monotonic() >= until:
                    break
                first = rng.randrange(len(mine))
                last = min(len(mine) - 1, first + rng.choice((0, 0, 1)))
                began = time.perf_counter()
                c = q.code(
                    doc, int(mine[first][0]), int(mine[last][1]), rng.choice(codes), coder=name
                )
                waits.append(time.perf_counter() - began)
                saved.add(c.id)
        with lock:
            tally.sent += len(waits)
            tally.acked += len(waits)
            tally.waits += waits
            tally.saved[name] = saved

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(url, tally)
    return tally


# stores and the table --------------------------------------------------------------------------


@contextmanager
def stores(kind: str) -> Iterator[Callable[[], str] | str]:
    """A maker of fresh built stores of `kind`, or the reason there can be none."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
        template = folder / "template.qualcode"
        build(str(template))
        made = iter(range(1_000))

        def fresh_sqlite() -> str:
            import shutil

            copy = folder / f"run{next(made)}.qualcode"
            shutil.copyfile(template, copy)
            return str(copy)

        yield fresh_sqlite
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        return
    import pg

    try:
        pg.bindir()
    except pg.PostgresUnavailable as exc:
        yield f"skipped: {exc}"
        return
    with pg.cluster() as cluster:

        def fresh_pg() -> str:
            url = cluster.store()
            build(url)
            return url

        yield fresh_pg


def ms(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(kind: str, who: str, n: int, seconds: float, runs: list[Tally]) -> list[object]:
    """Counts summed over runs; times and memory the median of runs."""

    def med(fn: Callable[[Tally], float]) -> float:
        return statistics.median(fn(t) for t in runs)

    served = who == "workshop"
    mem = (
        [
            med(lambda t: t.rss_mb["before"]),
            med(lambda t: t.rss_mb["open"]),
            med(lambda t: t.rss_mb["end"]),
            med(lambda t: (t.rss_mb["open"] - t.rss_mb["before"]) / n),
        ]
        if served
        else ["-"] * 4
    )
    return [
        kind,
        who,
        n,
        int(seconds),
        sum(t.sent for t in runs),
        sum(t.acked for t in runs),
        sum(t.refused for t in runs),
        sum(t.lost for t in runs),
        sum(t.duplicated for t in runs),
        *(med(lambda t, q=q: ms(t.waits, q)) for q in (0.5, 0.9, 0.99, 1.0)),
        med(lambda t: ms(t.opens, 0.5)) if served else "-",
        med(lambda t: ms(t.opens, 1.0)) if served else "-",
        *mem,
    ]


HEADER = [
    "store",
    "who",
    "people",
    "seconds",
    "presses",
    "acked",
    "refused",
    "lost",
    "dup",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "open p50 ms",
    "open max ms",
    "RSS before MB",
    "RSS open MB",
    "RSS end MB",
    "MB/person",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--transcripts", type=int, default=6, help="people share this many")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    args = parser.parse_args()
    n = args.people
    rows: list[list[object]] = []
    skipped = []
    for kind in ("sqlite", "postgresql") if args.postgres else ("sqlite",):
        with stores(kind) as fresh:
            if isinstance(fresh, str):
                skipped.append(f"{kind}: {fresh}")
                continue
            served, peer = [], []
            for run in range(args.runs):
                seed = 1000 * run
                served.append(
                    asyncio.run(workshop_run(fresh(), n, args.seconds, args.transcripts, seed))
                )
                peer.append(peer_run(fresh(), n, args.seconds, args.transcripts, seed))
            rows.append(row(kind, "workshop", n, args.seconds, served))
            rows.append(row(kind, "peer: threads", n, args.seconds, peer))
    table(
        f"{n} people coding at once in `qualcode workshop`, a key press every 1-3 s each, "
        f"median of {args.runs} run(s) (goal: 0 lost, p99 < 300 ms; peer: Project.code "
        "from N threads, no server)",
        HEADER,
        rows,
    )
    for line in skipped:
        print(line)
    print(f"machine: {machine()}")
    if any(r[7] or r[8] for r in rows):
        raise SystemExit("codings were lost or duplicated")


if __name__ == "__main__":
    main()
