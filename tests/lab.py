"""A real JupyterLab on loopback and Debian's chromium driven by playwright.

Used by the browser tests and the browser benchmarks. JupyterLab runs from this venv with a
fresh config, runtime and settings folder, so nothing of the user's leaks in; chromium runs
headless with the flags that keep it off the network.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS  # one set of flags: PDFs too


@dataclass
class Lab:
    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, home: Path) -> Iterator[Lab]:
    """Start JupyterLab serving `root`; stop it (and its kernels) afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)  # no "get notified about news?" pop-up
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    log = (home / "jupyterlab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.open_browser=False",
            "--allow-root",  # CI machines run as root
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start; see {home / 'jupyterlab.log'}"
                    ) from None
                time.sleep(0.25)
        yield Lab(url=url, token=token, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def playwright_session() -> Iterator[object]:
    """Playwright, once per test module: one session can start several browsers."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RuntimeError(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(sudo apt-get install chromium), which .ci/run installs"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@contextlib.contextmanager
def browser_in(
    pw: object, home: Path, profile: str = "chromium-profile", **options: object
) -> Iterator[object]:
    """A headless Debian chromium with its own `profile` folder; `options` go to playwright's
    context (a tablet: `has_touch=True, viewport={"width": 1024, "height": 768}`)."""
    browser = pw.chromium.launch_persistent_context(
        str(home / profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        **{"viewport": {"width": 1400, "height": 1000}, **options},
    )
    try:
        yield browser
    finally:
        browser.close()


@contextlib.contextmanager
def chromium(home: Path) -> Iterator[object]:
    """A headless Debian chromium under playwright; fails clearly when it is not installed."""
    with playwright_session() as pw, browser_in(pw, home) as browser:
        yield browser


def open_and_run(page: object, lab: Lab, name: str) -> None:
    """Open the notebook `name` in JupyterLab and run all its cells, as a user would."""
    page.goto(lab.notebook_url(name))
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    run_all_cells(page)


def run_all_cells(page: object, timeout_ms: int = 120_000) -> None:
    """Wait for the kernel, then run every cell from the Run menu, as a user would."""
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle")).first.wait_for(
        timeout=timeout_ms
    )
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")).first.wait_for(
        timeout=timeout_ms
    )


def select_text(page: object, needle: str) -> None:
    """Drag the mouse across the first occurrence of `needle` in the transcript."""
    box = page.evaluate(
        """(needle) => {
            for (const seg of document.querySelectorAll('.qc-transcript .qc-seg')) {
                const node = seg.firstChild;
                if (!node) continue;
                const at = node.data.indexOf(needle);
                if (at < 0) continue;
                const r = document.createRange();
                r.setStart(node, at); r.setEnd(node, at + needle.length);
                r.startContainer.parentElement.scrollIntoView({block: 'center'});
                const rects = r.getClientRects();
                const a = rects[0], b = rects[rects.length - 1];
                return {x0: a.left + 1, y0: a.top + a.height / 2,
                        x1: b.right - 1, y1: b.top + b.height / 2};
            }
            return null;
        }""",
        needle,
    )
    if box is None:
        raise AssertionError(f"{needle!r} is not in the transcript shown")
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, box["y1"], steps=4)
    page.mouse.move(box["x1"], box["y1"], steps=4)
    page.mouse.up()


def coding_notebook(root: Path, store: Path, coder: str = "amina") -> str:
    """notebooks/02_code.ipynb parameterised to `store` and `coder`, written into `root`
    (the folder JupyterLab serves); its name, for `open_and_run`."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(Path(__file__).parents[1] / "notebooks" / "02_code.ipynb"))
    nb = parameterize_notebook(nb, {"project": str(store), "coder": coder, "area": None})
    nbformat.write(nb, root / "02_code.ipynb")
    return "02_code.ipynb"


def wait_for(predicate, what: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Poll `predicate` (a store read, say) until it gives something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def codings_of(store: Path) -> list[tuple[str, str, str]]:
    """(text, code path, coder) of every person's coding in `store` (suggestions left out),
    read in a connection of its own: what the browser's actions saved."""
    import qualcode

    p = qualcode.open_project(store)
    try:
        frame = p.codings_df()
        frame = frame[~frame["coder"].str.startswith("suggest:")]
        return list(zip(frame["text"], frame["code"], frame["coder"], strict=True))
    finally:
        p.close()
