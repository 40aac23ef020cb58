"""The report pipeline: full runs, reruns with nothing changed, and a 50-area project.

- the sample project (three areas, two coders' sample coding, pipelines/areas.yaml): the full
  pipeline with --jobs 1 and --jobs 2 (--force, embedding cache emptied first), the same with
  03_themes on TF-IDF and without 03_themes (the peers: what the themes notebook costs), then
  a rerun with nothing changed, as the `qualcode pipeline run` command (process start
  included; goal: < 10% of the full run);
- a generated project of 50 areas x 250 short synthetic interviews (about 150 words each, ten
  codings each by one coder, a third also by a second): build time, the cost of deciding what
  to rerun over all 50 areas (hashing every area's inputs), and the area report for a fraction
  of the areas with --jobs 2, giving seconds per area (`--full` runs all 50: about 50 x the
  per-area time / jobs; too long for `make bench` on a small machine).

Each pipeline figure is one run (each is many seconds of notebook kernels; `--runs N` for the
median of N). Prints a table and the machine line.
"""

from __future__ import annotations

import argparse
import random
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


def build_generated(store: Path, areas: int, interviews: int, *, waves: int = 1) -> float:
    """Short synthetic interviews (SYNTHETIC: generated words, no real people), coded in bulk;
    with `waves` above 1, each person is given a `wave` attribute in turn."""
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
            picked = rng.sample(list(LINES), 10)
            parts, spans = ["[SYNTHETIC generated interview]"], []
            for code in picked:
                parts.append("Interviewer: Can you tell me more about that?")
                offset = sum(len(x) + 1 for x in parts) + len("Participant: ")
                parts.append(f"Participant: {LINES[code]}")
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


def timed_run(store: Path, reports: Path, config: Path | None, **kw: object) -> tuple[float, list]:
    from qualcode import pipeline

    t0 = time.perf_counter()
    results = pipeline.run(store, reports=reports, config=config, **kw)  # type: ignore[arg-type]
    bad = [r for r in results if r.failed]
    if bad:
        raise SystemExit(f"pipeline failed: {bad[0].area}: {bad[0].message} (log {bad[0].log})")
    return time.perf_counter() - t0, results


def cli_rerun(store: Path, reports: Path, config: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(
        [QUALCODE, "pipeline", "run", "-p", str(store), "--config", str(config),
         "--reports", str(reports)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if done.returncode != 0 or "skipped" not in done.stdout:
        raise SystemExit(f"rerun did not skip:\n{done.stdout}\n{done.stderr}")
    return seconds


def cold(store: Path) -> Path:
    """The store with its embedding cache removed, so each full run embeds from scratch."""
    shutil.rmtree(f"{store}.cache", ignore_errors=True)
    return store


def without_themes(config: Path, folder: Path, embedder: str | None = None) -> Path:
    """A copy of `config` without 03_themes.ipynb, or (with `embedder`) with that embedder."""
    import yaml

    data = yaml.safe_load(config.read_text())
    data["defaults"]["notebooks_dir"] = str(ROOT / "notebooks")
    if embedder:
        data["defaults"]["parameters"]["embedder"] = embedder
    else:
        for spec in [data["defaults"], *data["areas"].values()]:
            if "notebooks" in spec:
                spec["notebooks"] = [n for n in spec["notebooks"] if n != "03_themes.ipynb"]
    target = folder / f"areas-{embedder or 'no-themes'}.yaml"
    target.write_text(yaml.safe_dump(data))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--fraction", type=int, default=6, help="areas of the 50 to run")
    parser.add_argument("--full", action="store_true", help="run all 50 generated areas")
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qc-bench-pipeline-"))
    config = ROOT / "pipelines" / "areas.yaml"
    rows: list[list[object]] = []
    try:
        store = folder / "sample.qualcode"
        print(f"sample project built in {build_sample(store):.1f} s", flush=True)
        reports = folder / "reports"
        full = {}
        for jobs in (1, 2):
            times = [
                timed_run(cold(store), reports, config, jobs=jobs, force=True)[0]
                for _ in range(args.runs)
            ]
            full[jobs] = statistics.median(times)
            rows.append([f"sample, 3 areas, --jobs {jobs}", "full run", full[jobs], ""])
        rerun = statistics.median(cli_rerun(store, reports, config) for _ in range(args.runs))
        rows.append(
            ["sample, nothing changed", "rerun (CLI)", rerun, f"{100 * rerun / full[1]:.1f}%"]
        )
        inproc = timed_run(store, reports, config)[0]
        rows.append(["sample, nothing changed", "rerun (in process)", inproc,
                     f"{100 * inproc / full[1]:.1f}%"])  # fmt: skip

        for what, variant in (
            ("full run, themes by TF-IDF", without_themes(config, folder, embedder="tfidf")),
            ("full run, without 03_themes", without_themes(config, folder)),
        ):  # peers, after the reruns (which need the real config): what MiniLM themes add
            seconds = statistics.median(
                timed_run(cold(store), reports, variant, jobs=2, force=True)[0]
                for _ in range(args.runs)
            )
            extra = f"{100 * (full[2] - seconds) / seconds:+.0f}% with MiniLM themes"
            rows.append(["sample, 3 areas, --jobs 2", what, seconds, extra])

        if not args.skip_generated:
            from qualcode import pipeline

            big = folder / "big.qualcode"
            built = build_generated(big, AREAS, INTERVIEWS)
            rows.append(
                [f"generated {AREAS} x {INTERVIEWS}", "build (ingest + codings)", built, ""]
            )
            gen_config = folder / "areas.yaml"
            gen_config.write_text(
                f"defaults:\n  notebooks_dir: {ROOT / 'notebooks'}\n"
                "  notebooks: [05_area_report.ipynb]\n  parameters: {seed: 7}\n"
            )
            import qualcode

            p = qualcode.open_project(big)
            t0 = time.perf_counter()
            plan = pipeline.plan(p, config=pipeline.load_config(gen_config), reports=folder / "r2")
            rows.append([f"generated, {AREAS} areas", "decide what to run (hash all)",
                         time.perf_counter() - t0, f"{len(plan.jobs)} to run"])  # fmt: skip
            p.close()
            n = AREAS if args.full else args.fraction
            chosen = [f"area-{a:02d}" for a in range(n)]
            seconds, _ = timed_run(big, folder / "r2", gen_config, areas=chosen, jobs=2)
            rows.append([f"generated, {n} areas, --jobs 2", "full run", seconds,
                         f"{seconds / n:.1f} s/area"])  # fmt: skip
            rows.append([f"generated, {AREAS} areas, --jobs 2", "estimate from the above",
                         seconds / n * AREAS, "" if args.full else "extrapolated"])  # fmt: skip
            again, _ = timed_run(big, folder / "r2", gen_config, areas=chosen)
            rows.append([f"generated, {n} areas, nothing changed", "rerun (in process)", again,
                         f"{100 * again / seconds:.1f}%"])  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table(
        "qualcode pipeline: area reports with papermill (goal: rerun < 10% of the full run)",
        ["project", "what", "seconds", "note"],
        rows,
    )


if __name__ == "__main__":
    main()
