"""The pipeline: per-area runs, skipping unchanged areas, failures kept apart from the last
good report, locks, parallel processes, and clear messages for bad input. Most runs use a tiny
notebook so the tests stay quick; tests/test_demo.py runs the real report notebooks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from typer.testing import CliRunner

import qualcode
from qualcode import pipeline
from qualcode.cli import app
from qualcode.errors import QualcodeError

TEXT = "Interviewer: How do you get about?\nParticipant: The bus is never on time.\n"


def tiny_notebook(path: Path) -> Path:
    """Writes how many documents the area has; raises when `fail` is set; can sleep; with
    `die`, kills the process running the area; with `noise`, writes a line that looks like
    a worker's answer to its stdout."""
    params = new_code_cell(
        'project = ""\narea = ""\noutput = None\nfail = False\nsleep = 0\nseed = 1\n'
        "die = False\nnoise = False"
    )
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Tiny report"),
            params,
            new_code_cell(
                "import os, time, pathlib, qualcode\n"
                "time.sleep(sleep)\n"
                "if noise:  # a line on the worker's stdout that looks like its answer\n"
                "    os.write(1, b'qualcode-area-result not an answer\\n')\n"
                "if die:\n"
                "    os.kill(os.getppid(), 9)  # the process running the area\n"
                "threads = os.environ.get('OMP_NUM_THREADS', '')\n"
                "pathlib.Path(output, 'threads.txt').write_text(threads)\n"
                "p = qualcode.open_project(project)\n"
                "n = len(p.documents(area=area))\n"
                "pathlib.Path(output, 'count.txt').write_text(str(n))\n"
                "print(f'{area}: {n} documents')"
            ),
            new_code_cell("if fail:\n    raise ValueError(f'boom in {area}')"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = tmp_path / "p.qualcode"
    p = qualcode.open_project(store, user="tester")
    p.codebook.add("Transport")
    for area in ("north", "south"):
        p.add_document(TEXT, area=area, title=f"{area}-1")
    p.close()
    (tmp_path / "notebooks").mkdir()
    tiny_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    config = tmp_path / "areas.yaml"
    write_config(config, {})
    return store, config, tmp_path / "reports"


def write_config(path: Path, areas: dict) -> None:  # type: ignore[type-arg]
    path.write_text(
        yaml.safe_dump(
            {
                "defaults": {"notebooks_dir": "notebooks", "notebooks": ["tiny.ipynb"]},
                "areas": areas,
            }
        )
    )


def results(store, config, reports, **kw):  # type: ignore[no-untyped-def]
    return {r.area: r for r in pipeline.run(store, config=config, reports=reports, **kw)}


def test_runs_every_area_then_skips_unchanged_and_reruns_changed(setup) -> None:
    store, config, reports = setup
    first = results(store, config, reports)
    assert {a: r.status for a, r in first.items()} == {"north": "ok", "south": "ok"}
    run_dir = Path(first["north"].run_dir)
    assert run_dir.parent == reports / "north"
    assert (run_dir / "count.txt").read_text() == "1"
    assert (run_dir / "threads.txt").read_text() == os.environ.get("OMP_NUM_THREADS", "")
    assert (run_dir / "tiny.ipynb").is_file() and (run_dir / "tiny.html").is_file()
    html = (run_dir / "tiny.html").read_text()
    assert "north: 1 documents" in html and "time.sleep(sleep)" not in html  # no code shown
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["area"] == "north"
    assert manifest["inputs"]["documents"] == 1 and len(manifest["inputs"]["hash"]) == 64
    assert manifest["parameters"]["tiny.ipynb"]["area"] == "north"
    assert "papermill" in manifest["versions"] and manifest["notebooks"][0]["seconds"] > 0
    assert (reports / "north" / "latest").resolve() == run_dir.resolve()
    assert not (reports / "north" / ".lock").exists()

    again = results(store, config, reports)
    assert {r.status for r in again.values()} == {"skipped"}
    assert run_dir.name in again["north"].message

    p = qualcode.open_project(store, user="tester")
    p.code(p.documents(area="south")[0], 0, 11, "Transport", coder="amina")
    p.close()
    changed = results(store, config, reports)
    assert (changed["north"].status, changed["south"].status) == ("skipped", "ok")

    forced = results(store, config, reports, force=True, areas=["north"])
    assert list(forced) == ["north"] and forced["north"].status == "ok"
    assert len([d for d in (reports / "north").iterdir() if d.is_dir() and not d.is_symlink()]) == 2


def test_inputs_hash_follows_content_not_ids_or_times(tmp_path: Path) -> None:
    def build(name: str) -> qualcode.Project:
        p = qualcode.open_project(tmp_path / name, user="tester")
        p.codebook.add("Transport")
        d = p.add_document(TEXT, area="north", title="n1", attributes={"group": "Carers"})
        p.code(d, 0, 11, "Transport", coder="amina")
        return p

    one, two = build("one.qualcode"), build("two.qualcode")
    first = pipeline.area_inputs(one, "north")
    assert first == pipeline.area_inputs(two, "north")
    two.code(two.documents()[0], 12, 20, "Transport", coder="amina")
    assert pipeline.area_inputs(two, "north")["parts"]["codings"] != first["parts"]["codings"]
    from qualcode.analysis import set_targets

    set_targets(one, "north", {"Carers": 3})
    assert pipeline.area_inputs(one, "north")["parts"]["config"] != first["parts"]["config"]
    one.close()
    two.close()


def test_a_failing_notebook_fails_its_area_only_and_keeps_the_last_good_report(setup) -> None:
    store, config, reports = setup
    good = results(store, config, reports)["south"]
    write_config(config, {"south": {"parameters": {"fail": True}}})
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["pipeline", "run", "-p", str(store), "--config", str(config), "--reports", str(reports)],
    )
    assert out.exit_code == 1
    assert "north: skipped" in out.output
    assert "south: FAILED: tiny.ipynb raised ValueError: boom in south" in out.output
    assert "1 of 2 areas did not finish: south (failed)" in out.output
    (failed_dir,) = [
        d
        for d in (reports / "south").iterdir()
        if d.is_dir() and not d.is_symlink() and d.name != Path(good.run_dir).name
    ]
    assert f"log: {failed_dir / 'run.log'}" in out.output
    assert "ValueError" in (failed_dir / "run.log").read_text()
    assert (failed_dir / "tiny.ipynb").is_file()  # the partial notebook, kept apart
    assert (failed_dir / "count.txt").read_text() == "1"  # partial results stay in the run
    manifest = json.loads((failed_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "boom" in manifest["message"]
    assert (reports / "south" / "latest").resolve() == Path(good.run_dir).resolve()
    last = json.loads((reports / "south" / "last-good.json").read_text())
    assert last["run_dir"] == Path(good.run_dir).name


def test_a_missing_notebook_fails_its_area_and_the_others_run(setup) -> None:
    store, config, reports = setup
    write_config(config, {"south": {"notebooks": ["tiny.ipynb", "nope.ipynb"]}})
    got = results(store, config, reports)
    assert got["north"].status == "ok"
    assert got["south"].status == "failed"
    assert "nope.ipynb not found (listed in" in got["south"].message
    assert not (reports / "south").exists()


def test_unknown_area_missing_store_and_bad_config_are_clear_errors(setup, tmp_path) -> None:
    store, config, reports = setup
    with pytest.raises(QualcodeError, match=r"unknown area 'west': .* has north, south"):
        pipeline.run(store, areas=["north", "west"], config=config, reports=reports)
    assert not reports.exists()  # nothing ran
    with pytest.raises(QualcodeError, match=r"no project store at .*missing\.qualcode: check"):
        pipeline.run(tmp_path / "missing.qualcode", config=config, reports=reports)
    assert not (tmp_path / "missing.qualcode").exists()  # never created by the pipeline
    with pytest.raises(QualcodeError, match="no pipeline config at"):
        pipeline.run(store, config=tmp_path / "nope.yaml", reports=reports)
    (tmp_path / "bad.yaml").write_text("defaults: [1, 2\n")
    with pytest.raises(QualcodeError, match="not valid YAML"):
        pipeline.run(store, config=tmp_path / "bad.yaml", reports=reports)
    # on the command line: one line, exit 1
    done = subprocess.run(
        [str(Path(sys.executable).parent / "qualcode"), "pipeline", "run", "--area", "west",
         "-p", str(store), "--config", str(config)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: unknown area 'west': {store} has north, south"
    ]


def test_a_held_lock_is_reported_and_a_stale_one_taken_over(setup) -> None:
    store, config, reports = setup
    (reports / "north").mkdir(parents=True)
    lock = reports / "north" / ".lock"
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026-01-01T02:00:00"}
    lock.write_text(json.dumps(holder))
    got = results(store, config, reports)
    assert got["north"].status == "locked" and got["north"].failed
    assert f"being run by pid {os.getpid()} on {socket.gethostname()}" in got["north"].message
    assert got["south"].status == "ok"
    assert lock.is_file()  # someone else's lock is left alone

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock.write_text(json.dumps({**holder, "pid": gone.pid}))
    assert pipeline.lock_holder(lock) is None  # its process is gone: stale
    assert results(store, config, reports)["north"].status == "ok"
    assert not lock.exists()


def test_a_second_run_says_who_holds_the_area(setup) -> None:
    store, config, reports = setup
    write_config(config, {"north": {"parameters": {"sleep": 4}}})
    first = subprocess.Popen(
        [str(Path(sys.executable).parent / "qualcode"), "pipeline", "run", "--area", "north",
         "-p", str(store), "--config", str(config), "--reports", str(reports)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = reports / "north" / ".lock"
    deadline = time.time() + 60
    holder = None  # the lock is created, then written: wait for its holder's pid
    while (holder is None or holder["pid"] == "?") and time.time() < deadline:
        time.sleep(0.1)
        holder = pipeline.lock_holder(lock)
    assert holder is not None, "the first run never took the lock"
    second = results(store, config, reports, areas=["north"])["north"]
    assert second.status == "locked"
    assert f"pid {holder['pid']}" in second.message
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "north: ok" in out
    status = pipeline.status(store, config=config, reports=reports)
    assert status.loc["north", "newest_status"] == "ok"
    assert not status.loc["north", "inputs_changed"] and status.loc["north", "locked_by"] == ""
    assert pd.isna(status.loc["south", "last_good_run"])  # never run


def test_jobs_run_areas_in_separate_processes(setup, monkeypatch) -> None:
    store, config, reports = setup
    for name in pipeline.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    got = results(store, config, reports, jobs=2)
    assert {r.status for r in got.values()} == {"ok"}
    cores = len(os.sched_getaffinity(0))
    for r in got.values():  # each area's kernels have their share of the cores, not all
        assert (Path(r.run_dir) / "threads.txt").read_text() == str(max(1, cores // 2))
    pids = {
        json.loads((Path(r.run_dir) / "manifest.json").read_text())["pid"] for r in got.values()
    }
    assert len(pids) == 2 and os.getpid() not in pids
    with pytest.raises(QualcodeError, match="--jobs must be 1 or more"):
        pipeline.run(store, config=config, reports=reports, jobs=0)


def test_a_worker_runs_area_after_area_and_one_that_dies_fails_only_its_area(setup) -> None:
    store, config, reports = setup
    write_config(
        config, {"north": {"parameters": {"die": True}}, "south": {"parameters": {"noise": True}}}
    )
    with qualcode.open_project(store, user="tester") as p:
        p.add_document(TEXT, area="east", title="east-1")
        todo = pipeline.plan(p, config=pipeline.load_config(config), reports=reports)
    jobs = sorted(todo.jobs, key=lambda job: job.area != "north")  # its worker dies first
    got = {r.area: r for r in pipeline.run_in_workers(jobs, 1)}
    assert got["north"].status == "failed", got["north"]
    assert got["north"].message.startswith("the area's process exited -9")
    assert got["south"].status == got["east"].status == "ok"
    pids = {
        area: json.loads((Path(got[area].run_dir) / "manifest.json").read_text())["pid"]
        for area in ("south", "east")
    }
    assert pids["south"] == pids["east"] != os.getpid()  # a new worker, then kept


def test_an_areas_notebooks_share_one_kernel_and_each_starts_clean(setup) -> None:
    store, config, reports = setup
    cells = {
        "a.ipynb": "import os, pathlib\nleak = 1\npathlib.Path(output, 'a.txt').write_text("
        "str(os.getpid()))",
        "b.ipynb": "import os, pathlib\nseen = 'leak' in globals()\n"
        "pathlib.Path(output, 'b.txt').write_text(f'{os.getpid()} {seen}')",
    }
    for name, code in cells.items():
        params = new_code_cell("output = None")
        params.metadata["tags"] = ["parameters"]
        nb = new_notebook(cells=[params, new_code_cell(code)])
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, config.parent / "notebooks" / name)
    config.write_text(
        yaml.safe_dump({"defaults": {"notebooks_dir": "notebooks", "notebooks": list(cells)}})
    )
    got = results(store, config, reports, areas=["north"])["north"]
    assert got.status == "ok", got.message
    run_dir = Path(got.run_dir)
    first = (run_dir / "a.txt").read_text()
    pid, seen = (run_dir / "b.txt").read_text().split()
    assert pid == first and seen == "False"  # the same kernel, without a's variables
    second = nbformat.read(run_dir / "b.ipynb", as_version=4)
    assert [c.execution_count for c in second.cells if c.cell_type == "code"] == [1, 2, 3]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert all(e["kernel_peak_mb"] > 10 for e in manifest["notebooks"])
    with pytest.raises(ProcessLookupError):  # shut down with the area
        os.kill(int(pid), 0)


def test_runs_on_postgresql_without_writing_the_password_down(postgres_url, tmp_path) -> None:
    url = postgres_url.replace("://qc@", "://qc:s3cret-pw@")  # the test server trusts any
    p = qualcode.open_project(url, user="tester")
    p.add_document(TEXT, area="north", title="n1")
    p.close()
    (tmp_path / "notebooks").mkdir()
    tiny_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    config = tmp_path / "areas.yaml"
    write_config(config, {})
    got = results(url, config, tmp_path / "reports")
    assert got["north"].status == "ok", got["north"].message
    run_dir = Path(got["north"].run_dir)
    assert (run_dir / "count.txt").read_text() == "1"
    assert json.loads((run_dir / "manifest.json").read_text())["project"].count("***") == 1
    assert "QUALCODE_DB" not in os.environ or "s3cret" not in os.environ["QUALCODE_DB"]
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert "s3cret-pw" not in path.read_text(errors="replace"), path.name


def test_a_store_locked_by_another_writer_is_a_clear_error(setup, monkeypatch) -> None:
    import sqlite3

    from qualcode.store import engine

    store, config, reports = setup
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(QualcodeError, match=r"the store .*p\.qualcode is locked: another"):
            pipeline.run(store, config=config, reports=reports)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not reports.exists()
    assert {r.status for r in pipeline.run(store, config=config, reports=reports)} == {"ok"}


def test_old_runs_are_pruned_and_the_last_good_one_kept(setup) -> None:
    store, config, reports = setup
    config.write_text(config.read_text().replace("defaults:", "defaults:\n  keep_runs: 2", 1))
    for _ in range(3):
        assert results(store, config, reports, areas=["north"], force=True)["north"].status == "ok"
    runs = sorted(d for d in (reports / "north").iterdir() if d.is_dir() and not d.is_symlink())
    assert len(runs) == 2
    assert (reports / "north" / "latest").resolve() == runs[-1].resolve()


def test_large_files_every_run_writes_alike_are_one_copy_on_disk(tmp_path: Path) -> None:
    from qualcode.pipeline import SHARED, share_copies

    area = tmp_path / "north"
    bundle = b"/* plotly stand-in */" * 60_000  # over 1 MB
    runs = []
    for name in ("run-1", "run-2", "run-3"):
        run = area / name
        (run / "figures").mkdir(parents=True)
        (run / "figures" / "plotly.min.js").write_bytes(bundle)
        (run / "report.html").write_text(f"small, {name}")
        share_copies(run, area / SHARED)
        runs.append(run)
    inodes = {(r / "figures" / "plotly.min.js").stat().st_ino for r in runs}
    assert len(inodes) == 1  # one copy on disk, linked from every run
    assert (runs[0] / "figures" / "plotly.min.js").stat().st_nlink == 4  # 3 runs + .shared
    assert all((r / "figures" / "plotly.min.js").read_bytes() == bundle for r in runs)
    assert (runs[1] / "report.html").stat().st_nlink == 1  # small files are left alone
    changed = area / "run-4" / "figures"
    changed.mkdir(parents=True)
    (changed / "plotly.min.js").write_bytes(bundle + b"// another version")
    share_copies(changed.parent, area / SHARED)
    assert (changed / "plotly.min.js").stat().st_ino not in inodes
    shutil.rmtree(runs[0])  # pruning a run leaves the others whole
    assert (runs[2] / "figures" / "plotly.min.js").read_bytes() == bundle


def themes_probe(path: Path) -> Path:
    """Fits the area's themes as 03_themes does, then writes which heavy libraries the
    kernel imported."""
    params = new_code_cell(
        'project = ""\narea = ""\noutput = None\nunit = "turn"\nembedder = "minilm"\nseed = 7'
    )
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(
        cells=[
            params,
            new_code_cell(
                "import sys, pathlib, qualcode\n"
                "from qualcode.topics import fit_area\n"
                "p = qualcode.open_project(project)\n"
                "themes, note = fit_area(p, area, unit=unit, seed=seed, embedder=embedder)\n"
                "assert themes is not None, note\n"
                "heavy = ['torch', 'sentence_transformers', 'transformers', 'bertopic']\n"
                "pathlib.Path(output, 'heavy.txt').write_text(\n"
                "    ','.join(m for m in heavy if m in sys.modules))"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_embedding_first_embeds_only_what_is_missing_and_kernels_never_load_torch(
    sample_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "sample.qualcode"
    shutil.copy(sample_store, store)
    (tmp_path / "notebooks").mkdir()
    themes_probe(tmp_path / "notebooks" / "themes.ipynb")
    config = tmp_path / "areas.yaml"
    config.write_text(
        yaml.safe_dump({"defaults": {"notebooks_dir": "notebooks", "notebooks": ["themes.ipynb"]}})
    )
    reports, told = tmp_path / "reports", []
    areas = ["hartlepool", "worcester"]

    def run(**kw):  # type: ignore[no-untyped-def]
        return results(store, config, reports, areas=areas, on_embedded=told.append, **kw)

    got = run(jobs=2)
    assert {r.status for r in got.values()} == {"ok"}, [r.message for r in got.values()]
    first = told[-1]
    assert first.model == "all-MiniLM-L6-v2" and first.areas == areas
    assert first.missing == first.texts > 100  # an empty cache: everything embedded
    for r in got.values():
        assert (Path(r.run_dir) / "heavy.txt").read_text() == ""  # no torch in the kernel

    with qualcode.open_project(store, user="tester") as p:  # one new interview, two turns
        p.add_document(
            "Interviewer: Anything else?\nParticipant: The new pharmacy on Stranton is a help.\n"
            "Interviewer: Thanks.\nParticipant: And the library runs a digital drop-in now.\n",
            area="hartlepool",
            title="HP-new",
        )
    got = run()
    assert got["hartlepool"].status == "ok" and got["worcester"].status == "skipped"
    assert told[-1].missing == 2 and told[-1].areas == ["hartlepool"]  # its two new turns
    assert (Path(got["hartlepool"].run_dir) / "heavy.txt").read_text() == ""
    run(force=True)
    assert told[-1].missing == 0 and told[-1].texts > 100  # nothing new: nothing embedded


def test_two_hosts_share_one_postgresql_store_and_never_run_an_area_twice(
    postgres_url, tmp_path
) -> None:
    """Two `qualcode pipeline run --shared` processes (two hosts) on one PostgreSQL store and
    one reports folder: every area is run once, by one of them, and neither fails."""
    areas = ["a1", "a2", "a3", "a4"]
    with qualcode.open_project(postgres_url, user="tester") as p:
        for area in areas:
            p.add_document(TEXT, area=area, title=f"{area}-1")
    (tmp_path / "notebooks").mkdir()
    tiny_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    config = tmp_path / "areas.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "defaults": {
                    "notebooks_dir": "notebooks",
                    "notebooks": ["tiny.ipynb"],
                    "parameters": {"sleep": 1},
                }
            }
        )
    )
    reports = tmp_path / "reports"
    command = [str(Path(sys.executable).parent / "qualcode"), "pipeline", "run", "--shared",
               "-p", postgres_url, "--config", str(config), "--reports", str(reports)]  # fmt: skip
    hosts = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [host.communicate(timeout=300) for host in hosts]
    for host, (out, err) in zip(hosts, outs, strict=True):
        assert host.returncode == 0, out + err
    for area in areas:
        said = [out for out, _ in outs if f"{area}: ok" in out]
        assert len(said) == 1, (area, outs)  # run by one host; the other skipped it
        runs = [d for d in (reports / area).iterdir() if d.is_dir() and d.name != "latest"]
        assert len(runs) == 1, runs
        assert (runs[0] / "count.txt").read_text() == "1"


def test_an_area_claimed_in_the_store_is_left_to_its_holder(postgres_url, tmp_path) -> None:
    from qualcode.store.claims import claim

    with qualcode.open_project(postgres_url, user="tester") as p:
        p.add_document(TEXT, area="north", title="n1")
    (tmp_path / "notebooks").mkdir()
    tiny_notebook(tmp_path / "notebooks" / "tiny.ipynb")
    config = tmp_path / "areas.yaml"
    write_config(config, {})
    reports = tmp_path / "reports"
    with claim(postgres_url, "pipeline:north", holder="pid 42 on host-b") as held:
        assert held
        locked = results(postgres_url, config, reports)["north"]
        assert locked.status == "locked" and "pid 42 on host-b" in locked.message
        left = results(postgres_url, config, reports, shared=True)["north"]
        assert left.status == "skipped" and not left.failed
        assert not (reports / "north" / ".lock").exists()  # the file lock was given back
    assert results(postgres_url, config, reports)["north"].status == "ok"  # claim released
