"""The report pipeline at programme size (issue 18): embedding first, themes per area, reruns,
and the peer in the same run.

- the sample project (three areas, two coders' sample coding, pipelines/areas.yaml), empty
  embedding cache, `--jobs 2` (goal < 45 s): this checkout, which embeds every area's theme
  texts once before the kernels start, against the PEER, `main` as it was (a checkout at
  `--base`, default /work/wt-base-18: each area's kernel imports BERTopic and torch and embeds
  its own texts), and this checkout with `--no-embed` (kernels embed what they lack); then a
  rerun with nothing changed (the CLI, process start included);
- a generated project of `--areas` areas x 250 synthetic interviews of 20 participant turns
  (5,000 distinct units per area), MiniLM themes and the area report, empty cache, `--jobs 2`:
  the embedding step (seconds, texts a second), seconds per area and per notebook, each
  kernel's peak memory (goal < 1 GB); one area's coding changed (only it reruns); nothing
  changed (goal < 2 s); and the peer on the same areas;
- where the seconds of 03_themes go in one generated area (papermill's cell durations:
  kernel start, imports, fit, report table and chart, the notebook-only cells, export).

All runs are `qualcode pipeline run` processes. Sample figures are the median of `--runs`;
generated figures are the median of `--gen-runs` (default 1: minutes of kernels on a small
machine; `--areas N` sets how many, 20 for a programme), the peer's one run. `--fifty` adds the old
50-area hashing figure. Prints a table and the machine line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import table

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
QUALCODE = str(Path(sys.executable).parent / "qualcode")
AREAS, INTERVIEWS = 50, 250
BASE = Path("/work/wt-base-18")  # a checkout of main: the peer
TURNS = 20  # participant turns per generated interview: 5,000 units per area
GROUPS = [
    "Carers",
    "Young people",
    "Older people",
    "Disabled people",
    "Veterans",
    "Migrant workers",
]
LINES = {
    "Access to services/Access to GP": "You ring at eight and the appointments have gone.",
    "Everyday life/Transport": "The bus only comes twice a day so I miss the clinic.",
    "Support and care/Carers": "I look after my husband and nobody asks how I am.",
    "Support and care/Mental health": "The anxiety got worse while I waited for counselling.",
    "Everyday life/Money and cost of living": "We cannot afford the heating and the food as well.",
    "Everyday life/Loneliness and isolation": "Some weeks I do not see anyone at all.",
    "Access to services/Waiting times": "Eighteen months on the waiting list for the hip.",
    "Everyday life/Digital exclusion": "Everything is online now and I have not got the internet.",
    "Trust and relationships/Being listened to": "They never listen, they type while you talk.",
    "Support and care/Peer support": "The Tuesday group is the one place people understand.",
}


WHO = [
    "My neighbour",
    "My daughter",
    "The carer",
    "Our vicar",
    "A friend from the group",
    "My husband",
    "The nurse",
    "My son",
    "The lady next door",
    "Nobody at the council",
]
SAID = [
    "said the same",
    "had it worse",
    "noticed it too",
    "rang them for me",
    "told me to write it down",
    "thinks it is getting better",
    "gave up on them",
    "had to take a day off",
    "went private in the end",
    "waited even longer",
]
WHEN = ["last winter", "in the spring", "after the flood", "since the bus changed",
        "over Christmas", "when the surgery merged", "in March", "two years ago",
        "during lockdown", "before the new clinic opened"]  # fmt: skip


def _tail(rng: random.Random) -> str:
    """A generated sentence that makes a turn distinct (1,000 combinations and a number)."""
    times = rng.randint(2, 99)
    return f"{rng.choice(WHO)} {rng.choice(SAID)} {rng.choice(WHEN)}, about {times} times."


def build_sample(store: Path) -> float:
    import qualcode
    from qualcode.analysis.coding_table import import_codings
    from qualcode.interop.codebook_files import import_codebook

    t0 = time.perf_counter()
    p = qualcode.open_project(store, user="bench")
    import_codebook(p, RAW / "codebook.yaml")
    for area in sorted(d.name for d in RAW.iterdir() if d.is_dir()):
        p.ingest(RAW / area, area=area, progress=False)
    import_codings(p, RAW / "sample-coding.tsv")
    p.close()
    return time.perf_counter() - t0


def build_generated(
    store: Path, areas: int, interviews: int, *, waves: int = 1, turns: int | None = None
) -> float:
    """Short synthetic interviews (SYNTHETIC: generated words, no real people), coded in bulk;
    with `waves` above 1, each person is given a `wave` attribute in turn. With `turns`, each
    interview has that many participant turns, each made distinct by a generated tail (so
    every unit is embedded: a real area has ~5,000 distinct turns)."""
    import qualcode
    from qualcode.interop.codebook_files import import_codebook
    from qualcode.store import new_guid, now, schema, writer
    from qualcode.store.identity import coder_id_for

    rng = random.Random(7)
    t0 = time.perf_counter()
    p = qualcode.open_project(store, user="bench")
    import_codebook(p, RAW / "codebook.yaml")
    code_ids = {c.path: c.id for c in p.codebook.all()}
    rows = []
    stamp = now()
    with writer(p.engine).begin() as conn:
        amina, bob = coder_id_for(conn, "amina"), coder_id_for(conn, "bob")
    for a in range(areas):
        for i in range(interviews):
            picked = rng.choices(list(LINES), k=turns) if turns else rng.sample(list(LINES), 10)
            parts, spans = ["[SYNTHETIC generated interview]"], []
            for code in picked:
                parts.append("Interviewer: Can you tell me more about that?")
                offset = sum(len(x) + 1 for x in parts) + len("Participant: ")
                tail = f" {_tail(rng)}" if turns else ""
                parts.append(f"Participant: {LINES[code]}{tail}")
                spans.append((offset, offset + len(LINES[code]), code))
            d = p.add_document(
                "\n".join(parts) + "\n",
                area=f"area-{a:02d}",
                title=f"a{a:02d}-i{i:03d}",
                attributes={
                    "population_group": rng.choice(GROUPS),
                    **({"wave": str(1 + i % waves)} if waves > 1 else {}),
                },
            )
            for start, end, code in spans:
                for coder in [amina] + ([bob] if rng.random() < 0.33 else []):
                    rows.append(
                        {
                            "guid": new_guid(),
                            "document_id": d.id,
                            "start": start,
                            "end": end,
                            "code_id": code_ids[code],
                            "coder_id": coder,
                            "memo": None,
                            "created_at": stamp,
                            "updated_at": stamp,
                        }
                    )
    with writer(p.engine).begin() as conn:
        for i in range(0, len(rows), 50_000):
            conn.execute(schema.codings.insert(), rows[i : i + 50_000])
    p.close()
    return time.perf_counter() - t0


def cold(store: Path) -> Path:
    """The store with its embedding cache removed, so each full run embeds from scratch."""
    shutil.rmtree(f"{store}.cache", ignore_errors=True)
    return store


def build_with(src: Path, store: Path, builder: str, *args: int, **kwargs: int) -> Path:
    """Build a store with `src`'s qualcode in a process of its own (`builder` is this file's
    build_sample or build_generated): the peer reads only stores of its own schema."""
    here = str(Path(__file__).parent)
    code = (
        f"import sys; from pathlib import Path; sys.path.insert(0, {here!r}); "
        f"import bench_pipeline as b; b.{builder}(Path({str(store)!r}), *{args!r}, **{kwargs!r})"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return store


def qualcode_run(src: Path, store: Path, reports: Path, config: Path, *args: str) -> dict:
    """`qualcode pipeline run` with `src` on PYTHONPATH (this checkout or the peer's), in its
    own process; returns its seconds, output and peak memory (largest process of its tree)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [QUALCODE, "pipeline", "run", "-p", str(store), "--config", str(config),
         "--reports", str(reports), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pipeline run failed ({src}):\n{out}\n{err[-3000:]}")
    embedded = re.search(r"embedded (\d+) of (\d+) texts .* in ([\d.]+) s", out)
    return {
        "seconds": seconds,
        "out": out,
        "embed_s": float(embedded.group(3)) if embedded else 0.0,
        "embedded": int(embedded.group(1)) if embedded else 0,
    }


def manifests(reports: Path, areas: list[str]) -> dict[str, dict]:
    """Each area's newest run's manifest."""
    found = {}
    for area in areas:
        good = json.loads((reports / area / "last-good.json").read_text())
        found[area] = good
    return found


def write_generated_config(folder: Path) -> Path:
    config = folder / "gen-areas.yaml"
    config.write_text(
        f"defaults:\n  notebooks_dir: {ROOT / 'notebooks'}\n"
        "  notebooks: [03_themes.ipynb, 05_area_report.ipynb]\n"  # themes first: own peak
        "  parameters: {seed: 7, unit: turn, embedder: minilm, coders: null}\n"
    )
    return config


def theme_breakdown(run_dir: Path, entry: dict) -> list[list[object]]:
    """Where 03_themes' seconds went, from papermill's cell durations."""
    nb = json.loads((run_dir / "03_themes.ipynb").read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    durations = [float(c["metadata"].get("papermill", {}).get("duration") or 0) for c in cells]
    names = ["parameters", "injected parameters", "imports", "open + fit (cached vectors)",
             "report table + chart", "notebook-only: topics table",
             "notebook-only: codes chart", "close"]  # fmt: skip
    if len(durations) != len(names):
        names = [f"cell {i}" for i in range(len(durations))]
    export = float(entry.get("export_seconds", 0))
    kernel = float(entry["seconds"]) - sum(durations) - export
    rows = [["03_themes breakdown", "kernel start + papermill", kernel, ""]]
    rows += [["03_themes breakdown", n, d, ""] for n, d in zip(names, durations, strict=True)]
    rows.append(["03_themes breakdown", "export to HTML", export, ""])
    return rows


def sample_section(folder: Path, runs: int, base: Path) -> list[list[object]]:
    store = folder / "sample.qualcode"
    print(f"sample project built in {build_sample(store):.1f} s", flush=True)
    config = ROOT / "pipelines" / "areas.yaml"
    rows: list[list[object]] = []
    variants = [("this branch: embed first", ROOT / "src", ())]
    if (base / "src").is_dir():
        variants.append(("PEER main: per-kernel imports", base / "src", ()))
    variants.append(("this branch --no-embed", ROOT / "src", ("--no-embed",)))
    for label, src, extra in variants:
        own = store if src == ROOT / "src" else folder / "peer-sample.qualcode"
        if not own.exists():
            build_with(src, own, "build_sample")
        done = [
            qualcode_run(
                src, cold(own), folder / "r-sample", config, "--jobs", "2", "--force", *extra
            )
            for _ in range(runs)
        ]
        note = f"median of {runs}"
        if done[0]["embedded"]:
            note += f"; embedding {statistics.median(d['embed_s'] for d in done):.1f} s"
        rows.append(["sample, 3 areas, empty cache, --jobs 2", label,
                     statistics.median(d["seconds"] for d in done), note])  # fmt: skip
    again = statistics.median(
        qualcode_run(ROOT / "src", store, folder / "r-sample", config)["seconds"]
        for _ in range(runs)
    )
    rows.append(["sample, nothing changed", "rerun (CLI)", again, f"median of {runs}"])
    return rows


def generated_section(
    folder: Path, n: int, base: Path, interviews: int = INTERVIEWS, runs: int = 1
) -> list[list[object]]:
    """The generated programme: `runs` full runs from an empty cache (medians; per-notebook
    figures pooled over every area of every run), then `runs` reruns with one area's coding
    changed and with nothing changed, then the peer once on its own copy."""
    import qualcode

    big = folder / "gen.qualcode"
    built = build_generated(big, n, interviews, turns=TURNS)
    areas = [f"area-{a:02d}" for a in range(n)]
    units = interviews * TURNS
    label = f"generated {n} x {interviews} ({units} units/area)"
    rows: list[list[object]] = [[label, "build (ingest + codings)", built, ""]]
    config = write_generated_config(folder)
    fulls, themes, report, per_area = [], [], [], []
    for i in range(runs):
        reports = folder / f"r-gen-{i}"
        fulls.append(qualcode_run(ROOT / "src", cold(big), reports, config, "--jobs", "2"))
        print(f"full run {i + 1}: {fulls[-1]['seconds']:.1f} s", flush=True)
        for m in manifests(reports, areas).values():
            by_name = {e["notebook"]: e for e in m["notebooks"]}
            themes.append(by_name["03_themes.ipynb"])
            report.append(by_name["05_area_report.ipynb"])
            per_area.append(float(m.get("seconds", 0.0)))
    seconds = statistics.median(f["seconds"] for f in fulls)
    embed_s = statistics.median(f["embed_s"] for f in fulls)
    kernels = statistics.median(f["seconds"] - f["embed_s"] for f in fulls)
    embedded = fulls[0]["embedded"]
    peak = max(float(e.get("kernel_peak_mb") or 0) for e in themes + report)
    runs_note = f"median of {runs}" if runs > 1 else "1 run"
    rows += [
        [label, "full run, empty cache, --jobs 2", seconds, runs_note],
        [label, "  embedding step (once)", embed_s,
         f"{embedded} texts, {embedded / embed_s if embed_s else 0:.0f}/s"],
        [label, "  after embedding: the area runs", kernels,
         f"{kernels / n:.1f} s/area at --jobs 2 (goal < {10 * n / 2:.0f} s)"],
        [label, "  03_themes per area (median)",
         statistics.median(e["seconds"] for e in themes), "pooled over areas and runs"],
        [label, "  05_area_report per area (median)",
         statistics.median(e["seconds"] for e in report), "pooled over areas and runs"],
        [label, "  area run, two at once (median)", statistics.median(per_area), ""],
        [label, "  largest kernel, peak MB", peak, "goal < 1024"],
    ]  # fmt: skip
    last = folder / f"r-gen-{runs - 1}"
    first = manifests(last, areas)[areas[0]]
    entry = next(e for e in first["notebooks"] if e["notebook"] == "03_themes.ipynb")
    rows += theme_breakdown(last / areas[0] / first["run_dir"], entry)

    changed, still = [], []
    for i in range(runs):
        with qualcode.open_project(big, user="bench") as p:  # one area's coding changed
            doc = p.documents(area=areas[0])[i]
            p.code(doc, 0, 11, "Everyday life/Transport", coder="bench")
        one = qualcode_run(ROOT / "src", big, last, config, "--jobs", "2")
        if one["out"].count(": ok in") != 1:
            raise SystemExit(f"expected one area to rerun:\n{one['out']}")
        changed.append(one)
        still.append(qualcode_run(ROOT / "src", big, last, config)["seconds"])
    note = f"{runs_note}; 1 area run, {changed[-1]['embedded']} text embedded; goal < 30 s"
    rows.append(
        [label, "one area's coding changed", statistics.median(c["seconds"] for c in changed), note]
    )
    rows.append(
        [label, "nothing changed (CLI)", statistics.median(still), f"{runs_note}; goal < 2 s"]
    )
    if (base / "src").is_dir():
        theirs = folder / "peer-gen.qualcode"
        build_with(base / "src", theirs, "build_generated", n, interviews, turns=TURNS)
        peer = qualcode_run(base / "src", cold(theirs), folder / "r-peer", config, "--jobs", "2")
        rows.append([label, "PEER main: per-kernel imports, empty cache", peer["seconds"],
                     f"1 run; {peer['seconds'] / n:.1f} s/area"])  # fmt: skip
        found = manifests(folder / "r-peer", areas)
        peer_themes = [next(e for e in m["notebooks"] if e["notebook"] == "03_themes.ipynb")
                       for m in found.values()]  # fmt: skip
        rows.append([label, "  PEER 03_themes per area (median)",
                     statistics.median(e["seconds"] for e in peer_themes), ""])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per sample figure (median)")
    parser.add_argument("--areas", type=int, default=2, help="generated areas (20: a programme)")
    parser.add_argument("--interviews", type=int, default=INTERVIEWS, help="per generated area")
    parser.add_argument(
        "--gen-runs", type=int, default=1, help="full runs of the generated areas (median)"
    )
    parser.add_argument("--base", type=Path, default=BASE, help="checkout of main: the peer")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--fifty", action="store_true", help="also hash 50 generated areas")
    args = parser.parse_args()
    if not (args.base / "src").is_dir():
        print(f"no peer checkout at {args.base} (git worktree add --detach {args.base} main): "
              "peer rows left out", flush=True)  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="qc-bench-pipeline-"))
    rows: list[list[object]] = []
    try:
        if not args.skip_sample:
            rows += sample_section(folder, args.runs, args.base)
        if not args.skip_generated:
            rows += generated_section(folder, args.areas, args.base, args.interviews, args.gen_runs)
        if args.fifty:
            rows += fifty_section(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table(
        "qualcode pipeline at programme size (goals: sample < 45 s; nothing changed < 2 s; "
        "kernel < 1 GB)",
        ["project", "what", "seconds", "note"],
        rows,
    )


def fifty_section(folder: Path) -> list[list[object]]:
    """Deciding what to rerun over 50 generated areas (hashing every area's inputs)."""
    import qualcode
    from qualcode import pipeline

    big = folder / "fifty.qualcode"
    built = build_generated(big, AREAS, INTERVIEWS)
    config = write_generated_config(folder)
    with qualcode.open_project(big) as p:
        t0 = time.perf_counter()
        plan = pipeline.plan(p, config=pipeline.load_config(config), reports=folder / "r50")
        seconds = time.perf_counter() - t0
    return [
        [f"generated {AREAS} x {INTERVIEWS}", "build (ingest + codings)", built, ""],
        [f"generated, {AREAS} areas", "decide what to run (hash all)", seconds,
         f"{len(plan.jobs)} to run"],
    ]  # fmt: skip


if __name__ == "__main__":
    main()
