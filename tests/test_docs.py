"""Every code snippet in README.md and docs/*.md runs, so the manual cannot drift from the code.

Rules (docs/development.md says the same for writers):

- ```python blocks run in page order, in one namespace per page (a later block may use `p`
  from an earlier one), in a working folder holding a fresh copy of the sample project at
  data/coded/sample.qualcode (with data/raw, notebooks and pipelines beside it), and with
  QUALCODE_DB naming that copy.
- ```bash and ```sh blocks run too, in the same order: each line starting with `qualcode ` as a
  command through this environment's `qualcode`, in the same folder (so the default project,
  and any data/coded/sample.qualcode a line names, is the copy). Such a block may hold only
  those lines, comments and blank lines.
- A long job (a pipeline run on every area, `make ...`) is not run here: the line before its
  block is `<!-- not run: covered by tests/test_x.py -->`, naming the test that covers it,
  which must exist.
- Config files and output go in ```text, ```ini or ```yaml blocks, which are not run. Every
  block says its language.

The sample project is built once per session, in process, by the steps `make demo` runs
(`qualcode init --codebook`, `qualcode ingest` per area, `qualcode import` of the sample
coding), and copied for each page.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

import qualcode
from tests.conftest import ROOT

QUALCODE = str(Path(sys.executable).parent / "qualcode")
RAW = ROOT / "data" / "raw"
AREAS = sorted(p.name for p in RAW.iterdir() if p.is_dir())
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = {"python", "bash", "sh"}
NOT_RUN = {"text", "ini", "yaml"}
FENCE = re.compile(r"^```(\S*)\s*$")
SKIP = re.compile(r"^<!-- not run: covered by (tests/\S+\.py) -->$")
LINK = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)")  # [text](target#anchor)
SAMPLE = "data/coded/sample.qualcode"
# One BLAS/OpenMP thread per process: on two cores shared with other work, scikit-learn's
# default of one thread per core made the suggester's small fits five times slower.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Block:
    page: str  # path relative to the repository
    line: int  # line of the opening fence, 1-based
    lang: str
    code: str
    covered_by: str | None  # the test file named by a `not run` comment

    @property
    def where(self) -> str:
        first = next((s for s in self.code.splitlines() if s.strip()), "")
        return f"{self.page}, the ```{self.lang} block at line {self.line} ({first.strip()!r})"


def blocks(page: Path, root: Path = ROOT) -> list[Block]:
    """The fenced blocks of a page, in order."""
    found: list[Block] = []
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j] == "```"), None)
        assert end is not None, f"{page.name}: the block at line {i + 1} is never closed"
        skip = SKIP.match(lines[i - 1]) if i else None
        found.append(
            Block(
                page=str(page.relative_to(root)),
                line=i + 1,
                lang=opening.group(1),
                code="\n".join(lines[i + 1 : end]),
                covered_by=skip.group(1) if skip else None,
            )
        )
        i = end + 1
    return found


def commands(block: Block) -> list[str]:
    """The `qualcode ...` lines of a shell block (other lines are comments or blank)."""
    return [s.strip() for s in block.code.splitlines() if s.strip().startswith("qualcode ")]


@pytest.fixture
def workdir(sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like the repository, with a fresh copy of the sample project."""
    (tmp_path / "data" / "coded").mkdir(parents=True)
    shutil.copy2(sample_store, tmp_path / SAMPLE)
    (tmp_path / "data" / "raw").symlink_to(RAW)
    for folder in ("notebooks", "pipelines"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUALCODE_DB", str(tmp_path / SAMPLE))
    for threads in THREAD_VARIABLES:
        monkeypatch.setenv(threads, "1")
    return tmp_path


def run_python(block: Block, namespace: dict[str, object]) -> None:
    # Blank lines in front keep the page's line numbers in tracebacks.
    code = compile("\n" * block.line + block.code, block.page, "exec")
    try:
        exec(code, namespace)
    except Exception as exc:
        on_page = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == block.page]
        line = f"\n  at {block.page}:{on_page[-1].lineno}: {on_page[-1].line}" if on_page else ""
        trace = "".join(traceback.format_exception(exc)[-6:])
        failure = f"{block.where} raised {type(exc).__name__}: {exc}{line}\n\n{trace}"
    else:
        return
    pytest.fail(failure, pytrace=False)  # outside `except`: no chained traceback


def run_commands(block: Block, workdir: Path) -> None:
    for command in commands(block):
        args = shlex.split(command, comments=True)[1:]
        args = [str(workdir / SAMPLE) if a == SAMPLE else a for a in args]
        done = subprocess.run(
            [QUALCODE, *args], cwd=workdir, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            pytest.fail(
                f"{block.where}: `{command}` exited {done.returncode}\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}",
                pytrace=False,
            )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_says_its_language_and_runs_or_names_its_test(page: Path) -> None:
    for block in blocks(page):
        assert block.lang in RUN | NOT_RUN, (
            f"{block.where}: fence it as one of {sorted(RUN | NOT_RUN)} "
            "(```text for output, a config file or a command syntax)"
        )
        if block.covered_by is not None:
            assert block.lang in RUN, f"{block.where}: only python/bash/sh blocks are run"
            assert (ROOT / block.covered_by).is_file(), (
                f"{block.where}: the `not run` comment names {block.covered_by}, "
                "which does not exist"
            )
        elif block.lang in ("bash", "sh"):
            others = [
                s
                for s in block.code.splitlines()
                if s.strip() and not s.strip().startswith(("qualcode ", "#"))
            ]
            assert not others, (
                f"{block.where}: {others[0]!r} is not a `qualcode` command; put the block "
                "after `<!-- not run: covered by tests/test_x.py -->` or fence it ```text"
            )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_snippets_run(page: Path, workdir: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        with threadpool_limits(limits=1):
            for block in blocks(page):
                if block.covered_by is not None:
                    continue
                if block.lang == "python":
                    run_python(block, namespace)
                elif block.lang in ("bash", "sh"):
                    run_commands(block, workdir)
    finally:
        for value in namespace.values():
            if isinstance(value, qualcode.Project):
                value.close()


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings (outside code blocks)."""
    found, in_code = set(), False
    for line in page.read_text().splitlines():
        in_code ^= line.startswith("```")
        if not in_code and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_between_pages_lead_somewhere(page: Path) -> None:
    written_by_the_integrator = ROOT / "docs" / "architecture.md"
    for target, anchor in LINK.findall(page.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        path = (page.parent / target).resolve() if target else page
        if path == written_by_the_integrator:
            continue
        assert path.exists(), f"{page.relative_to(ROOT)} links to {target}, which does not exist"
        assert not anchor or anchor in anchors(path), (
            f"{page.relative_to(ROOT)} links to {target}#{anchor}: {path.name} has no such heading"
        )


def test_readme_is_short_and_leads_to_every_page() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 20_000, "README.md is over 20 KB: move detail into docs/"
    assert "make demo" in readme and "make test" in readme
    linked = {target for target, _ in LINK.findall(readme)}
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} | {"docs/architecture.md"}
    assert not pages - linked, f"README.md does not link {sorted(pages - linked)}"


def test_a_failing_snippet_names_its_page_and_block(tmp_path: Path, workdir: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```python\nx = 1\n```\n\n```python\nraise ValueError(x)\n```\n\n"
        "```bash\nqualcode status --project nowhere.qualcode\n```\n"
    )
    python, failing, shell = blocks(page, root=tmp_path)
    namespace: dict[str, object] = {}
    run_python(python, namespace)
    with pytest.raises(pytest.fail.Exception) as raised:
        run_python(failing, namespace)
    assert "page.md, the ```python block at line 7 ('raise ValueError(x)') raised" in str(
        raised.value
    )
    assert "at page.md:8: raise ValueError(x)" in str(raised.value)
    with pytest.raises(pytest.fail.Exception) as exited:
        run_commands(shell, workdir)
    assert "page.md, the ```bash block at line 11" in str(exited.value)
    assert "no project store at nowhere.qualcode" in str(exited.value)
