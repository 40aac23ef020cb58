"""Many coders at once, each in their own process, on SQLite and on PostgreSQL.

30 processes (spawned, like separate notebook kernels) code and uncode on the same documents
at the same moment; afterwards every coding that should exist exists exactly once, none is
lost or duplicated, and the audit log holds exactly one row per change. Coders who try to
remove someone else's coding are refused. A second test races the first use of a fresh store:
creating it, adding the same document, code and coder, and removing the same codings.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

import qualcode
from qualcode.errors import CodebookError, CodingError, NotFoundError
from qualcode.store import schema
from tests.conftest import TRANSCRIPT

PROCESSES = 30
ACTIONS = 50
CODES = ("Access to GP", "Transport", "Carers")
KEEPER = "keeper"  # owns codings that every other coder tries, and must fail, to remove
TIMEOUT = 240


def _spawn(target, args_for, n: int, ctx=None) -> None:  # type: ignore[no-untyped-def]
    """Run `target(*args_for(i), barrier)` in n new processes; all must exit cleanly."""
    ctx = ctx or multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n)
    workers = [ctx.Process(target=_guarded, args=(target, *args_for(i), barrier)) for i in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(TIMEOUT)
    for w in workers:
        if w.is_alive():
            w.kill()
    assert [w.exitcode for w in workers] == [0] * n


def _guarded(target, *args) -> None:
    """A worker that fails breaks the barrier, so the others stop waiting and fail too."""
    try:
        target(*args)
    except BaseException:
        args[-1].abort()
        raise


def _coder(url: str, index: int, out: str, barrier) -> None:
    """One coder's session: ACTIONS codes, uncodes and (refused) removals of KEEPER's work."""
    coder = f"coder{index:02d}"
    p = qualcode.open_project(url, user=coder)
    docs = [d.id for d in p.documents()]
    keeper = [c.id for c in p.codings(coder=KEEPER)]
    rng = random.Random(index)
    mine: list[tuple[int, str]] = []
    log: list[list] = []
    barrier.wait(TIMEOUT)  # everyone starts writing at the same moment
    for i in range(ACTIONS):
        if i % 10 == 9:  # the bad case: remove another coder's coding
            target = keeper[(index + i) % len(keeper)]
            try:
                p.uncode(target, coder=coder)
            except CodingError as exc:
                log.append(["refused", target, str(exc)])
            else:
                log.append(["removed", target])
        elif mine and rng.random() < 0.4:
            coding_id, guid = mine.pop(rng.randrange(len(mine)))
            p.uncode(coding_id, coder=coder)
            log.append(["uncode", guid, coding_id])
        else:
            doc = docs[rng.randrange(len(docs))]
            start = rng.randrange(0, 200)
            end = start + rng.randrange(1, 60)
            code = CODES[rng.randrange(len(CODES))]
            c = p.code(doc, start, end, code, coder=coder)
            mine.append((c.id, c.guid))
            log.append(["code", c.guid, c.id, doc, start, end, code])
    p.close()
    Path(out).write_text(json.dumps(log))


def test_thirty_coders_at_once_lose_and_duplicate_nothing(store_url: str, tmp_path: Path) -> None:
    p = qualcode.open_project(store_url, user="tester")
    docs = [p.add_document(TRANSCRIPT, area="a", title=f"t{i}") for i in range(3)]
    for name in CODES:
        p.codebook.add(name)
    keeper = [p.code(docs[0], i, i + 10, "Carers", coder=KEEPER) for i in range(5)]

    outs = [tmp_path / f"coder{i:02d}.json" for i in range(PROCESSES)]
    _spawn(_coder, lambda i: (store_url, i, str(outs[i])), PROCESSES)

    logs = {f"coder{i:02d}": json.loads(out.read_text()) for i, out in enumerate(outs)}
    assert all(len(log) == ACTIONS for log in logs.values())
    entries = [(coder, e) for coder, log in logs.items() for e in log]
    # guid -> (id, document, start, end, code, coder) of every coding made
    made = {e[1]: (e[2], e[3], e[4], e[5], e[6], coder) for coder, e in entries if e[0] == "code"}
    removed = [(e[1], e[2], coder) for coder, e in entries if e[0] == "uncode"]
    refused = [e for _, e in entries if e[0] == "refused"]
    assert len(made) == sum(e[0] == "code" for _, e in entries)  # no guid handed out twice
    assert len({guid for guid, *_ in removed}) == len(removed) and removed
    assert all(made[guid][0] == i and made[guid][5] == coder for guid, i, coder in removed)

    # the bad case: every attempt on the keeper's codings was refused, and they are all intact
    assert [e for _, e in entries if e[0] == "removed"] == []
    assert len(refused) == PROCESSES * (ACTIONS // 10)
    assert all("belongs to keeper" in e[2] for e in refused)

    # exactly the codings that should exist, each once, with what the coder made
    made.update({c.guid: (c.id, c.document_id, c.start, c.end, c.code, KEEPER) for c in keeper})
    expected = {guid: made[guid] for guid in set(made) - {guid for guid, *_ in removed}}
    rows = p.codings()
    stored = {c.guid: (c.id, c.document_id, c.start, c.end, c.code, c.coder) for c in rows}
    assert len(rows) == len(stored) == len(expected)
    assert len({c.id for c in rows}) == len(rows)
    assert stored == expected
    texts = {d.id: d.text for d in docs}
    assert all(c.text == texts[c.document_id][c.start : c.end] for c in rows)
    frame = p.codings_df()
    assert frame.groupby("coder").size().to_dict() == dict(
        Counter(coder for *_, coder in expected.values())
    )

    # one audit row per change: an add per code, a delete per uncode, none for a refusal
    log = p.audit_df().reset_index()
    coding_log = log[log["object"] == "coding"]
    adds = coding_log[coding_log["action"] == "add"]
    deletes = coding_log[coding_log["action"] == "delete"]
    assert len(coding_log) == len(adds) + len(deletes)
    assert Counter(
        (r.object_id, r.actor, r.document_id, r.after["start"], r.after["end"], r.after["code"])
        for r in adds.itertuples()
    ) == Counter(
        (i, coder, doc, start, end, code) for i, doc, start, end, code, coder in made.values()
    )
    assert all(r.after["coder"] == r.actor and r.after["memo"] is None for r in adds.itertuples())
    assert Counter((r.object_id, r.actor, r.before["coder"]) for r in deletes.itertuples()) == (
        Counter((i, coder, coder) for _, i, coder in removed)
    )
    p.close()


FIRST_USE = 10


def _first_use(url: str, out: str, barrier) -> None:
    """Open a fresh store, add the same document and code, first-use the same coder."""
    from qualcode.ingest.segment import Segmenter

    Segmenter().units("Loads the language model now, so that the race below is tight.")
    outcome: dict[str, object] = {}
    barrier.wait(TIMEOUT)
    p = qualcode.open_project(url, user="admin")
    doc = p.add_document(TRANSCRIPT, area="shared", title="same")
    try:
        p.codebook.add("Shared")
        outcome["added_code"] = True
    except CodebookError as exc:
        assert "already exists" in str(exc)
        outcome["added_code"] = False
    outcome["coding"] = p.code(doc, 0, 27, "Shared", coder="newcomer").id
    barrier.wait(TIMEOUT)  # every coding exists: now all try to remove all of them
    ids = sorted(c.id for c in p.codings(coder="newcomer"))
    random.Random(out).shuffle(ids)
    barrier.wait(TIMEOUT)  # every process has seen all of them
    removed, gone = [], 0
    for coding_id in ids:
        try:
            p.uncode(coding_id, coder="newcomer")
            removed.append(coding_id)
        except NotFoundError:
            gone += 1
    outcome.update(seen=len(ids), removed=removed, gone=gone)
    p.close()
    Path(out).write_text(json.dumps(outcome))


def test_racing_first_use_and_removals_make_each_change_once(
    store_url: str, tmp_path: Path
) -> None:
    """Creating the store, the same document, code and coder, and removing the same codings,
    all at once from several processes: each happens exactly once, never a crash."""
    outs = [tmp_path / f"first{i}.json" for i in range(FIRST_USE)]
    # forkserver: fresh processes like spawn, but forked from one that has imported qualcode
    # and spaCy already, so ten of them start in a second rather than in twenty on two cores
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__, "qualcode.project", "spacy", "spacy.lang.en"])
    _spawn(_first_use, lambda i: (store_url, str(outs[i])), FIRST_USE, ctx)
    results = [json.loads(out.read_text()) for out in outs]

    p = qualcode.open_project(store_url)
    assert [d.title for d in p.documents()] == ["same"]
    assert [c.path for c in p.codebook.all()] == ["Shared"]
    assert sum(r["added_code"] for r in results) == 1
    assert all(r["seen"] == FIRST_USE for r in results)
    removed = [i for r in results for i in r["removed"]]
    assert sorted(removed) == sorted(r["coding"] for r in results)  # each removed once
    assert sum(r["gone"] for r in results) == FIRST_USE * (FIRST_USE - 1)
    assert p.codings() == []
    log = p.audit_df()
    counts = Counter(zip(log["object"], log["action"], strict=True))
    assert counts == {
        ("document", "add"): 1,
        ("case", "add"): 1,
        ("code", "add"): 1,
        ("coding", "add"): FIRST_USE,
        ("coding", "delete"): FIRST_USE,
    }
    with p.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.meta)).scalar_one() == 3
        coders = conn.execute(select(schema.coders.c.name)).scalars().all()
        areas = conn.execute(select(schema.areas.c.name)).scalars().all()
    assert (coders, areas) == (["newcomer"], ["shared"])
    p.close()
