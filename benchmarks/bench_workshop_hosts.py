"""Voilà, JupyterHub and `qualcode workshop` as hosts for a coding workshop: start time and
memory per person.

For N people at once (`--people 1 5`) on the bundled sample (codebook, the three areas'
transcripts and the sample codings, in a throwaway store), each host serves a thin coding
notebook (open the project, `Coder(p, coder=<name>)`) to N headless chromium contexts:

- **Voilà** 0.5 serving the notebook (one Voilà server, one kernel per page; the name comes
  from the page's query string `?name=`, fixed per person here): start is the time from
  opening the page to the transcript's text shown (`.qc-transcript .qc-seg`).
- **JupyterHub** with `DummyAuthenticator` (one shared password) and
  `SimpleLocalProcessSpawner`, each person's default URL the same notebook rendered by
  **Voilà inside the single-user server** (`/voila/render/coding.ipynb`: the coding screen
  only, no code cells); the name is the signed-in user (`JUPYTERHUB_USER`). Start is the
  time from pressing "Sign in" to the transcript's text shown (the single-user server's start
  included).
- **qualcode workshop** (the peer, and what the project ships): people seated ahead with
  one-time codes; start is the time from pressing "Sign in" to the transcript's text shown.

Memory per person is the growth of the host's whole process tree (server, proxy, single-user
servers, kernels; RSS, so shared pages are counted in each process) from before the first
page to after the last transcript is shown, divided by N; "kernel MB" is the median RSS of
one kernel; "peak total MB" is the tree's highest RSS sampled every 0.25 s. Chromium is not
counted. Each run starts a fresh host; start times are pooled over people and runs.

Each host is also probed once: from the page, JavaScript opens the kernel's websocket the
page itself uses and sends an `execute_request` (arbitrary Python as the server's user); and
under JupyterHub, person 1 opens person 2's server, JupyterLab and a new terminal. The findings
print below the table.

Install (nothing is downloaded at run time; a missing piece skips its row and says why):
`pip install -e '.[hosts]'` (voila, jupyterhub) and, for JupyterHub's proxy,
`cd ~/.cache/qualcode/bench-hosts && npm install configurable-http-proxy` (or have it on PATH).
Voilà in the project's own venv adds its extension to every JupyterLab started from it, the
browser tests' too: docs/workshop-hosts.md shows the separate venv the figures came from.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import table  # noqa: E402

from tests.lab import _free_port  # noqa: E402

CACHE = Path(os.environ.get("QUALCODE_BENCH_CACHE", Path.home() / ".cache/qualcode/bench-hosts"))
SEG = ".qc-transcript .qc-seg"
ARTIFACTS = ROOT / "reports" / "test-artifacts"
PASSWORD = "workshop-bench"
TIMEOUT_S = 300

NOTEBOOK = """\
import os, urllib.parse
import qualcode
from qualcode.widgets import Coder
query = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
name = os.environ.get("JUPYTERHUB_USER") or query.get("name", ["amina"])[0]
p = qualcode.open_project({store!r})
Coder(p, coder=name)
"""

# Sent from the page: the kernel id and base URL are in the page's own config data.
PROBE_JS = """(code) => new Promise((done) => {
    const cfg = JSON.parse(document.getElementById('jupyter-config-data').textContent);
    const base = (cfg.baseUrl || '/').replace(/\\/?$/, '/');
    const url = location.origin.replace(/^http/, 'ws') + base + 'api/kernels/'
        + cfg.kernelId + '/channels';
    const id = 'probe-' + Math.random().toString(16).slice(2);
    const ws = new WebSocket(url);
    const seen = {url: url.replace(/[0-9a-f-]{36}/, '<kernel id>'), out: '', status: null};
    const timer = setTimeout(() => { ws.close(); done({...seen, error: 'no reply in 20 s'}); },
                             20000);
    ws.onerror = () => { clearTimeout(timer); done({...seen, error: 'websocket refused'}); };
    ws.onopen = () => ws.send(JSON.stringify({
        header: {msg_id: id, username: 'probe', session: id, msg_type: 'execute_request',
                 version: '5.3', date: new Date().toISOString()},
        parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
        content: {code, silent: false, store_history: false, user_expressions: {},
                  allow_stdin: false, stop_on_error: true}}));
    ws.onmessage = (event) => {
        const msg = JSON.parse(event.data);
        if (!msg.parent_header || msg.parent_header.msg_id !== id) return;
        if (msg.msg_type === 'stream') seen.out += msg.content.text;
        if (msg.msg_type === 'execute_reply') seen.status = msg.content.status;
        if (msg.msg_type === 'status') seen.idle = msg.content.execution_state === 'idle';
        if (seen.idle && seen.status !== null) { clearTimeout(timer); ws.close(); done(seen); }
    };
})"""
PROBE_CODE = (
    "import os, pwd; print('ran as the server user', pwd.getpwuid(os.getuid()).pw_name, "
    "'($USER says', os.environ.get('USER'), ') pid', os.getpid(), "
    "'| can write the store:', os.access({store!r}, os.W_OK))"
)
# The single-user server wants its _xsrf cookie echoed in a header, as JupyterLab does.
TERMINAL_JS = """(url) => {
    const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || ['', ''])[1]);
    return fetch(url, {method: 'POST', headers: {'X-XSRFToken': xsrf}})
        .then(async (r) => r.status + ' ' + (await r.text()).slice(0, 60));
}"""


@dataclass
class Host:
    """A started host: its URL, its top process (the tree measured), its working folder."""

    key: str  # "voila" or "hub", as --hosts says
    name: str
    url: str
    pid: int
    home: Path
    extra: dict = field(default_factory=dict)


@dataclass
class Run:
    starts: list[float]
    per_person_mb: float
    kernel_mb: float
    peak_mb: float


# -- the store and the notebook ---------------------------------------------------------------


def build_store(folder: Path) -> Path:
    """The sample project as `make demo` builds it (codebook, transcripts, sample codings)."""
    import qualcode
    from qualcode.analysis.coding_table import import_codings
    from qualcode.interop.codebook_files import import_codebook

    raw = ROOT / "data" / "raw"
    store = folder / "sample.qualcode"
    with qualcode.open_project(store) as p:
        import_codebook(p, raw / "codebook.yaml")
        for area in sorted(d.name for d in raw.iterdir() if d.is_dir()):
            if not p.ingest(raw / area, area=area, progress=False).ok:
                raise SystemExit(f"the sample area {area} did not ingest; see data/raw/{area}")
        import_codings(p, raw / "sample-coding.tsv")
    return store


def write_notebook(folder: Path, store: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK.format(store=str(store)))]
    path = folder / "coding.ipynb"
    nbformat.write(nb, path)
    return path


# -- processes and memory ---------------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    """A fresh Jupyter config/runtime/data folder, and this worktree's qualcode for kernels."""
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return {
        **os.environ,
        **_shared_venv_data(),
        "PYTHONPATH": path,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
    }


def _shared_venv_data() -> dict[str, str]:
    """When this Python sees the project's venv through a .pth (the separate venv of the
    docstring), point Jupyter at that venv's shared data too: the widgets' front-end
    extensions and JupyterLab's own files live there."""
    spec = importlib.util.find_spec("jupyterlab")
    if spec is None or spec.origin is None:
        return {}
    prefix = Path(spec.origin).parents[4]
    if prefix == Path(sys.prefix) or not (prefix / "share" / "jupyter").is_dir():
        return {}
    data = str(prefix / "share" / "jupyter")
    # this venv's own data first: Voilà's templates must win over nbconvert's of the same name
    own = str(Path(sys.prefix) / "share" / "jupyter")
    paths = [own, data, *filter(None, [os.environ.get("JUPYTER_PATH")])]
    configs = [str(Path(sys.prefix) / "etc" / "jupyter"), str(prefix / "etc" / "jupyter")]
    return {
        "JUPYTER_PATH": os.pathsep.join(paths),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(configs),  # JupyterLab's server extensions
        "JUPYTERLAB_DIR": f"{data}/lab",
    }


def _tree(pid: int) -> list:  # list[psutil.Process]
    import psutil

    try:
        top = psutil.Process(pid)
        return [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MB."""
    import psutil

    total = 0
    for proc in _tree(pid):
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total / 2**20


def kernels_mb(pid: int) -> list[float]:
    """RSS of each ipykernel under `pid`, in MB."""
    import psutil

    sizes = []
    for proc in _tree(pid):
        with contextlib.suppress(psutil.Error):
            if any("ipykernel" in part for part in proc.cmdline()):
                sizes.append(proc.memory_info().rss / 2**20)
    return sizes


class PeakSampler:
    """Samples a process tree's RSS every 0.25 s in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self.peak = max(self.peak, tree_mb(self.pid))

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def process_tree(cmd: list[str], home: Path, env: dict[str, str], cwd: Path) -> Iterator[int]:
    """Start `cmd`; afterwards stop it and every process it started (kernels, single-user
    servers, the proxy), whatever happened."""
    import psutil

    log = (home / "server.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    seen: dict[int, psutil.Process] = {}
    try:
        yield proc.pid
    finally:
        seen.update({p.pid: p for p in _tree(proc.pid)})
        proc.send_signal(signal.SIGTERM)  # the hub stops its servers and proxy on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for child in seen.values():
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs([p for p in seen.values() if p.pid != proc.pid], timeout=10)
        log.close()


def wait_up(url: str, pid: int, log: Path, ok: Callable[[int], bool] = lambda s: s < 500) -> None:
    import psutil

    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if ok(response.status):
                    return
        except urllib.error.HTTPError as error:
            if ok(error.code):
                return
        except OSError:
            pass
        if not psutil.pid_exists(pid) or time.monotonic() > deadline:
            raise RuntimeError(f"the host did not start; see {log}")
        time.sleep(0.25)


# -- the hosts --------------------------------------------------------------------------------


def missing_voila() -> str | None:
    if importlib.util.find_spec("voila") is None:
        return "voila is not installed: pip install -e '.[hosts]' (see this file's docstring)"
    if importlib.util.find_spec("psutil") is None:
        return "psutil is not installed: pip install psutil"
    return None


def proxy_command() -> str | None:
    found = shutil.which("configurable-http-proxy")
    cached = CACHE / "node_modules" / ".bin" / "configurable-http-proxy"
    return found or (str(cached) if cached.exists() else None)


def missing_hub() -> str | None:
    if importlib.util.find_spec("jupyterhub") is None:
        return "jupyterhub is not installed: pip install -e '.[hosts]' (see this file's docstring)"
    if proxy_command() is None:
        return (
            "configurable-http-proxy not found on PATH nor in "
            f"{CACHE}/node_modules: cd {CACHE} && npm install configurable-http-proxy"
        )
    return missing_voila()  # the hub's default app is Voilà in the single-user server


@contextlib.contextmanager
def voila(folder: Path, notebook: Path) -> Iterator[Host]:
    """One Voilà server on loopback serving `notebook`, with no token (Voilà's default)."""
    home = Path(tempfile.mkdtemp(prefix="voila-", dir=folder))
    port = _free_port()
    cmd = [
        sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--show_tracebacks=True",
    ]  # fmt: skip
    with process_tree(cmd, home, _env(home), notebook.parent) as pid:
        url = f"http://127.0.0.1:{port}"
        wait_up(f"{url}/voila/static/not-there", pid, home / "server.log", ok=lambda s: True)
        yield Host("voila", "Voilà", url, pid, home)


HUB_CONFIG = """\
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{home}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{home}/cookie_secret"
c.JupyterHub.pid_file = "{home}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{home}/users/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = ["--allow-root"]
c.Spawner.notebook_dir = {root!r}
c.Spawner.default_url = "/voila/render/coding.ipynb"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = {timeout}
c.Spawner.http_timeout = {timeout}
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.pid_file = "{home}/proxy.pid"
"""


@contextlib.contextmanager
def hub(folder: Path, notebook: Path) -> Iterator[Host]:
    """JupyterHub on loopback: DummyAuthenticator, SimpleLocalProcessSpawner, Voilà as app."""
    home = Path(tempfile.mkdtemp(prefix="hub-", dir=folder))
    env = _env(home)
    port = _free_port()
    keep = ("PYTHONPATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR")
    keep += tuple(_shared_venv_data())
    (home / "jupyterhub_config.py").write_text(
        HUB_CONFIG.format(
            port=port,
            hub_port=_free_port(),
            proxy_port=_free_port(),
            home=home,
            password=PASSWORD,
            singleuser=str(Path(sys.executable).with_name("jupyterhub-singleuser")),
            root=str(notebook.parent),
            environment={k: env[k] for k in keep if k in env},
            timeout=TIMEOUT_S,
            proxy=proxy_command(),
        )
    )
    cmd = [sys.executable, "-m", "jupyterhub", "-f", str(home / "jupyterhub_config.py")]
    with process_tree(cmd, home, env, home) as pid:
        url = f"http://127.0.0.1:{port}"
        wait_up(f"{url}/hub/api/", pid, home / "server.log")
        yield Host("hub", "JupyterHub (Voilà app)", url, pid, home)


# -- the people -------------------------------------------------------------------------------


async def open_voila(page, host: Host, name: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from opening the page to the transcript's text shown."""
    t0 = time.monotonic()
    await page.goto(f"{host.url}/?name={name}", wait_until="commit", timeout=TIMEOUT_S * 1000)
    await page.locator(SEG).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    return time.monotonic() - t0


async def open_hub(page, host: Host, name: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from pressing "Sign in" to the transcript's text shown."""
    await page.goto(f"{host.url}/hub/login", timeout=60_000)
    await page.fill("#username_input", name)
    await page.fill("#password_input", PASSWORD)
    t0 = time.monotonic()
    await page.click("#login_submit", no_wait_after=True)
    await page.locator(SEG).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    return time.monotonic() - t0


async def probe(page, host: Host, store: Path, other: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What a signed-in (or simply arrived) person can do beyond coding, in plain lines."""
    found = await page.evaluate(PROBE_JS, PROBE_CODE.format(store=str(store)))
    if found.get("status") == "ok":
        lines = [
            f"{host.name}: the page's own kernel websocket ({found['url']}) accepted an "
            f"execute_request from the page's JavaScript and ran it: {found['out'].strip()}"
        ]
    else:
        log = (host.home / "server.log").read_text(errors="replace").splitlines()
        said = [line.strip() for line in log if "not allowed" in line][-1:]
        lines = [
            f"{host.name}: execute_request over {found['url']} got no reply "
            f"({found.get('error')}); the server said: {said or 'nothing'}"
        ]
    if host.key == "hub":
        lines += await _hub_reach(page, host, other)
    else:
        lines.append(
            f"{host.name}: no sign-in; the name is whatever the link says (?name={other} codes "
            f"as {other})"
        )
    return lines


PERSON = "person{}"


async def _hub_reach(page, host: Host, other: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Under JupyterHub, person 1 tries another's server, JupyterLab and a terminal."""
    own = f"/user/{PERSON.format(1)}"
    lines = []
    for what, path in (
        ("another person's server", f"/user/{other}/voila/render/coding.ipynb"),
        ("JupyterLab in their own server", f"{own}/lab"),
    ):
        response = await page.goto(f"{host.url}{path}", timeout=120_000)
        lines.append(
            f"{host.name}: person 1 opening {what} ({path}) got HTTP {response.status}, "
            f"ended at {page.url.removeprefix(host.url).split('?')[0]}"
        )
    said = await page.evaluate(TERMINAL_JS, f"{own}/api/terminals")
    lines.append(f"{host.name}: POST {own}/api/terminals (a new shell) from the page: {said}")
    return lines


async def people(host: Host, n: int, store: Path, probe_it: bool) -> tuple[list[float], list]:
    """N chromium contexts (separate cookies) open the host at once; their start times, and
    the probe's findings when asked."""
    from playwright.async_api import async_playwright

    from qualcode.pipeline.documents import CHROMIUM, CHROMIUM_ARGS

    opener = OPENERS[host.key]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            pages = []
            for _ in range(n):
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                pages.append(await context.new_page())
            starts = await asyncio.gather(
                *(opener(page, host, PERSON.format(i + 1)) for i, page in enumerate(pages))
            )
            host.extra["after_mb"] = tree_mb(host.pid)  # everyone's transcript is shown
            host.extra["kernels_mb"] = kernels_mb(host.pid)
            findings = []
            if probe_it:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTIFACTS / f"workshop-hosts-{host.key}.png"
                await pages[0].screenshot(path=str(shot))
                findings = await probe(pages[0], host, store, PERSON.format(2))
        finally:
            await browser.close()
    return list(starts), findings


# -- runs and the table -----------------------------------------------------------------------


def measure(start_host, folder: Path, notebook: Path, store: Path, n: int, probe_it: bool):  # type: ignore[no-untyped-def]
    """One run: a fresh host, N people at once; (Run, the probe's findings)."""
    with start_host(folder, notebook) as host:
        time.sleep(1.0)  # let the server settle before the baseline
        before = tree_mb(host.pid)
        with PeakSampler(host.pid) as sampler:
            starts, findings = asyncio.run(people(host, n, store, probe_it))
        kernels = host.extra["kernels_mb"]
        run = Run(
            starts=starts,
            per_person_mb=(host.extra["after_mb"] - before) / n,
            kernel_mb=statistics.median(kernels) if kernels else float("nan"),
            peak_mb=max(sampler.peak, host.extra["after_mb"]),
        )
    return run, findings


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def row(host: str, n: int, runs: list[Run]) -> list[object]:
    starts = [s for r in runs for s in r.starts]
    return [
        host,
        n,
        statistics.median(starts),
        p90(starts),
        statistics.median(r.per_person_mb for r in runs),
        statistics.median(r.kernel_mb for r in runs),
        max(r.peak_mb for r in runs),
    ]


@contextlib.contextmanager
def workshop(folder: Path, notebook: Path) -> Iterator[Host]:
    """`qualcode workshop` on the same store, with people seated (one-time codes) ahead."""
    import qualcode
    from qualcode.workshop.seating import seat

    home = Path(tempfile.mkdtemp(prefix="workshop-", dir=folder))
    store, port = notebook.parent / "sample.qualcode", _free_port()
    with qualcode.open_project(store, user="bench") as p:
        codes = dict(seat(p, PERSON.format(i + 1), by="dawn") for i in range(MAX_PEOPLE))
    cmd = [sys.executable, "-m", "qualcode.cli", "workshop", "--project", str(store),
           "--port", str(port), "--facilitator", "dawn"]  # fmt: skip
    with process_tree(cmd, home, _env(home), notebook.parent) as pid:
        url = f"http://127.0.0.1:{port}"
        wait_up(f"{url}/signin", pid, home / "server.log")
        yield Host("workshop", "qualcode workshop", url, pid, home, {"codes": codes})


async def open_workshop(page, host: Host, name: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from pressing "Sign in" to the transcript's text shown."""
    await page.goto(f"{host.url}/signin", timeout=60_000)
    await page.fill("#name", name)
    await page.fill("#code", host.extra["codes"][name])
    t0 = time.monotonic()
    await page.click("button[type=submit]", no_wait_after=True)
    await page.locator(SEG).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    return time.monotonic() - t0


MAX_PEOPLE = 30  # seated ahead in each workshop run
HOSTS = {
    "voila": (voila, missing_voila),
    "hub": (hub, missing_hub),
    "workshop": (workshop, lambda: None),
}
OPENERS = {"voila": open_voila, "hub": open_hub, "workshop": open_workshop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hosts", nargs="+", choices=sorted(HOSTS), default=sorted(HOSTS))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qc-hosts-"))
    try:
        project = folder / "project"
        project.mkdir()
        store = build_store(project)
        notebook = write_notebook(project, store)
        rows, skipped, findings = [], [], []
        for key in args.hosts:
            start_host, missing = HOSTS[key]
            if reason := missing():
                skipped.append(f"{key}: skipped: {reason}")
                continue
            for n in args.people:
                runs = []
                for i in range(args.runs):
                    probe_it = n == max(args.people) and i == 0 and key != "workshop"
                    run, found = measure(start_host, folder, notebook, store, n, probe_it)
                    runs.append(run)
                    findings += found
                    print(f"  {key} N={n} run {i + 1}: starts {[round(s, 1) for s in run.starts]}")
                rows.append(row(key, n, runs))
        table(
            f"Workshop hosts on the sample project: {args.runs} runs each, start pooled over "
            "people and runs (s), memory RSS (MB)",
            ["host", "people", "start median", "start p90", "MB per person", "kernel MB",
             "peak total MB"],
            rows,
        )  # fmt: skip
        for line in skipped + findings:
            print(f"- {line}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
