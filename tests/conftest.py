"""Shared fixtures: a fresh project per test, on SQLite and on PostgreSQL, and a small
transcript.

`store_url` names a fresh, empty store: a SQLite file, or a new database on a throwaway
PostgreSQL cluster that tests/pg.py starts once per session. `project` (and so `doc`) runs
every test that uses it on both. Without PostgreSQL's server binaries those tests fail with
the package to install; QUALCODE_SKIP_POSTGRES=1 skips them instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import qualcode
from tests import pg

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["sqlite", "postgresql"]

TRANSCRIPT = """[SYNTHETIC test transcript]

Interviewer: How do you find getting a GP appointment?
Participant: Honestly it's a nightmare. You ring at eight and you're twentieth in the queue.
By the time you get through they've gone.
Interviewer: And what happens then?
Participant: I give up, mostly. My neighbour drives me to the walk-in when it's bad.
"""


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project as `make demo` builds it (without the pipeline run), built once a
    session; copy it before changing it."""
    from qualcode.analysis.coding_table import import_codings
    from qualcode.interop.codebook_files import import_codebook

    raw = ROOT / "data" / "raw"
    store = tmp_path_factory.mktemp("sample") / "sample.qualcode"
    with qualcode.open_project(store) as p:
        import_codebook(p, raw / "codebook.yaml")
        for area in sorted(d.name for d in raw.iterdir() if d.is_dir()):
            assert p.ingest(raw / area, area=area, progress=False).ok, area
        import_codings(p, raw / "sample-coding.tsv")
    return store


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.Cluster]:
    """The session's PostgreSQL cluster (started on first use)."""
    if pg.skipped():
        pytest.skip(f"{pg.SKIP_ENV}=1: PostgreSQL tests skipped")
    try:
        pg.bindir()
    except pg.PostgresUnavailable as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:  # an error, not a skip: CI must not pass without the PostgreSQL tests
        pytest.fail(missing, pytrace=False)
    with pg.cluster() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: pg.Cluster) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    url = postgres.database()
    yield url
    postgres.drop(url)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: run a test taking `project`/`store_url` on SQLite only "
        "(one about a .qualcode file)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes `store_url` (or `project`, `doc`) once per backend."""
    if "store_url" not in metafunc.fixturenames:
        return
    node = metafunc.definition
    backends = ["sqlite"] if node.get_closest_marker("sqlite_only") else BACKENDS
    metafunc.parametrize("store_url", backends, indirect=True)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store: a SQLite file path, or a PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "test.qualcode")
    server: pg.Cluster = request.getfixturevalue("postgres")
    url = server.store()
    request.addfinalizer(lambda: server.drop(url))
    return url


@pytest.fixture
def project(store_url: str) -> Iterator[qualcode.Project]:
    p = qualcode.open_project(store_url, user="tester")
    yield p
    p.close()


@pytest.fixture
def doc(project: qualcode.Project):
    return project.add_document(
        TRANSCRIPT,
        area="hartlepool",
        title="hp-test",
        attributes={"age_band": "65+", "population_group": "Carers"},
    )
