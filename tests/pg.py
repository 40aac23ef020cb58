"""A throwaway PostgreSQL cluster for the tests and benchmarks: one per session, a fresh
database per test.

It uses Debian's server binaries (package `postgresql`, found with a glob of
/usr/lib/postgresql/*/bin or `pg_config --bindir`): `initdb` a cluster in a temporary folder,
start it on a free loopback port with its socket in that folder, hand out
`postgresql://qc@127.0.0.1:<port>/t_<n>` URLs, stop it and delete the folder at the end.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
Nothing outside the temporary folder is touched, and no server needs to be running already.

Missing binaries are an error (CI installs them), unless QUALCODE_SKIP_POSTGRES=1 opts out.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SKIP_ENV = "QUALCODE_SKIP_POSTGRES"
USER = "qc"
INSTALL_HINT = (
    "the PostgreSQL tests need Debian's PostgreSQL server binaries (initdb, pg_ctl): "
    "sudo apt-get install postgresql (CI and `make test` as root install it); "
    f"to run without the PostgreSQL tests set {SKIP_ENV}=1"
)
# Settings for a throwaway test server: durability off (a crash loses nothing we need),
# and small, so 30 concurrent coders and a database per test stay fast.
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """The server binaries are not installed."""


def skipped() -> bool:
    """True when the user opted out of the PostgreSQL tests."""
    return os.environ.get(SKIP_ENV, "") not in ("", "0")


def bindir() -> Path:
    """The folder holding initdb and pg_ctl, or PostgresUnavailable with the fix."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    )
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        candidates.append(out)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise PostgresUnavailable(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One running server; `database()` creates a fresh empty database and returns its URL."""

    def __init__(self, *, durable: bool = False) -> None:
        self.bin = bindir()
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="qualcode-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self._names = itertools.count(1)
        self._template: str | None = None
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            runuser = shutil.which("runuser")
            self._as = [runuser, "-u", "postgres", "--"] if runuser else ["su-postgres"]

    def _run(self, *argv: str | Path) -> None:
        args = [str(a) for a in argv]
        if self._as == ["su-postgres"]:
            args = ["su", "postgres", "-c", shlex.join(args)]
        else:
            args = [*self._as, *args]
        out = subprocess.run(args, capture_output=True, text=True, check=False, cwd=self.root)
        if out.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(
                f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout}{out.stderr}{tail}"
            )

    def start(self) -> Cluster:
        self._run(
            self.bin / "initdb",
            "-A",
            "trust",
            "-U",
            USER,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-D",
            self.data,
        )
        for attempt in range(5):  # the free port may be taken between finding and binding it
            self.port = _free_port()
            options = f"-k {self.root} -p {self.port} -h 127.0.0.1 -c max_connections=200"
            if not self.durable:
                options += "".join(f" -c {setting}" for setting in FAST)
            try:
                self._run(
                    self.bin / "pg_ctl",
                    "-D",
                    self.data,
                    "-l",
                    self.root / "server.log",
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return self
            except RuntimeError:
                if attempt == 4:
                    self.stop()
                    raise
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"t_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def store(self) -> str:
        """A fresh, empty qualcode store (current schema, its own project GUID); its URL.

        Creating the schema costs several times what copying it does, so it is made once, in
        a template database, and each store is a copy with a new GUID and creation time.
        """
        import psycopg

        import qualcode
        from qualcode.store import new_guid, now

        if self._template is None:
            self._admin("CREATE DATABASE qualcode_template")
            qualcode.open_project(self.url("qualcode_template")).close()
            self._template = "qualcode_template"
        name = f"t_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self._template} STRATEGY FILE_COPY")
        fresh = {"project_guid": new_guid(), "created_at": now()}
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            for key, value in fresh.items():
                conn.execute("UPDATE qualcode_meta SET value = %s WHERE key = %s", (value, key))
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database made by `database()` (closing any connection still open to it)."""
        name = url.rsplit("/", 1)[1]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if (self.data / "postmaster.pid").is_file():
            with contextlib.suppress(RuntimeError):
                self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def cluster(*, durable: bool = False) -> Iterator[Cluster]:
    """A started throwaway cluster, stopped and deleted afterwards."""
    server = Cluster(durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.stop()
