"""Merging offline work: three laptops' copies of one project brought into a hub.

The laptops are .qualcode files (file copies of a base project, as a lead hands them out);
the hub is the `project` fixture, so every merge is checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import qualcode
from qualcode.analysis.recommendations import add_recommendation, recommendations_df
from qualcode.errors import QualcodeError, SchemaVersionError
from qualcode.interop import refi
from qualcode.interop.merge import MergeConflict, MergeError, _Merger, merge_project
from qualcode.store import codes as code_store
from qualcode.store import schema
from tests.cli import run_cli as run
from tests.conftest import ROOT

LINES = [
    "Interviewer: How do you find getting a GP appointment?",
    "Participant: Honestly it's a nightmare. You ring at eight and wait.",
    "Interviewer: And the buses?",
    "Participant: Two buses and a prayer, and the last one is at six.",
    "Interviewer: Who helps you?",
    "Participant: My neighbour drives me when it's bad. I feel alone otherwise.",
]


def transcript(seed: str) -> str:
    """A small synthetic transcript; `seed` makes its text (and so its sha256) its own."""
    return f"[SYNTHETIC test transcript {seed}]\n" + "\n".join(LINES) + "\n"


@pytest.fixture
def laptops(tmp_path: Path) -> dict[str, Path]:
    """A base project copied to three laptops; each codes shared and own documents."""
    base = tmp_path / "base.qualcode"
    p = qualcode.open_project(base, user="lead")
    p.codebook.add("Access", description="getting seen by a GP")
    p.codebook.add("GP", parent="Access")
    p.codebook.add("Transport")
    for i, area in enumerate(["hartlepool", "hartlepool", "worcester"]):
        p.add_document(
            transcript(f"shared {i}"),
            area=area,
            title=f"shared-{i}",
            attributes={"age_band": "65+"},
        )
    p.code("shared-0", 40, 60, "Access/GP", coder="lead")
    p.close()
    paths = {}
    for name in ("a", "b", "c"):
        paths[name] = tmp_path / f"laptop-{name}.qualcode"
        shutil.copy(base, paths[name])
    paths["base"] = base

    a = qualcode.open_project(paths["a"], user="amina")
    a.code("shared-0", 40, 60, "Access/GP", coder="amina")
    a.code("shared-1", 10, 30, "Transport", coder="amina")
    a.codebook.add("Loneliness", description="feeling alone")
    own = a.add_document(transcript("amina"), area="hartlepool", title="a-own")
    a.code(own, 50, 90, "Loneliness", coder="amina")
    a.adjudicate("shared-0", 40, 60, "Access/GP", adjudicator="amina")  # a consensus here too
    a.close()

    b = qualcode.open_project(paths["b"], user="ben")
    b.code("shared-0", 40, 60, "Access/GP", coder="ben")  # the same span as amina's
    b.code("shared-2", 5, 25, "Access", coder="ben", memo="waits")
    b.codebook.add("Loneliness", description="feeling alone")  # same path, same meaning
    b.codebook.add("Peer support", parent="Access")
    own = b.add_document(
        transcript("ben"), area="worcester", title="b-own", attributes={"age_band": "18-24"}
    )
    b.code(own, 0, 30, "Access/Peer support", coder="ben")
    quote = b.code(own, 60, 80, "Loneliness", coder="ben")
    add_recommendation(
        b,
        "A lift scheme for hospital visits",
        area="worcester",
        codes=["Loneliness"],
        quotes=[quote.id],
        by="ben",
    )
    b.close()

    c = qualcode.open_project(paths["c"], user="chen")
    c.code("shared-1", 10, 30, "Transport", coder="chen")
    c.code("shared-2", 0, 12, "Access", coder="chen")
    c.codebook.add("Money worries")
    own = c.add_document(transcript("chen"), area="worcester", title="c-own")
    c.code(own, 3, 33, "Money worries", coder="chen")
    c.adjudicate("shared-1", 10, 30, "Transport", adjudicator="chen")
    with c.writing() as conn:
        coder_id = conn.execute(select(schema.coders.c.id).where(schema.coders.c.name == "chen"))
        conn.execute(
            schema.memos.insert().values(
                guid="6d3c1c9e-0000-4000-8000-000000000001",
                coder_id=coder_id.scalar_one(),
                title="buses",
                text="two people mention the six o'clock bus",
                document_id=None,
                code_id=None,
                created_at="2024-05-01T10:00:00.000000Z",
                updated_at="2024-05-01T10:00:00.000000Z",
            )
        )
    c.close()
    return paths


def coding_keys(p: qualcode.Project) -> Counter[tuple[object, ...]]:
    """Every coding as (doc sha, start, end, code path, coder, created_at), with counts."""
    d, k, c = schema.documents, schema.coders, schema.codings
    with p.reading() as conn:
        paths = code_store.paths(conn)
        rows = conn.execute(
            select(d.c.sha256, c.c.start, c.c.end, c.c.code_id, k.c.name, c.c.created_at)
            .join(d, d.c.id == c.c.document_id)
            .join(k, k.c.id == c.c.coder_id)
        ).all()
    return Counter((r[0], r[1], r[2], paths[r[3]], r[4], r[5]) for r in rows)


def row_counts(p: qualcode.Project) -> dict[str, int]:
    with p.reading() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }


def expected_keys(paths: list[Path]) -> Counter[tuple[object, ...]]:
    """The union of the laptops' codings, each once."""
    union: set[tuple[object, ...]] = set()
    for path in paths:
        p = qualcode.open_project(path)
        union |= set(coding_keys(p))
        p.close()
    return Counter(union)


def impostor_laptop(project: qualcode.Project, laptops: dict[str, Path], tmp_path: Path) -> Path:
    """The hub has base and laptop a; laptop d is one where someone else set themselves up as
    "amina" and changed a code's description: two conflicts."""
    merge_project(project, laptops["base"])
    merge_project(project, laptops["a"])
    d = tmp_path / "laptop-d.qualcode"
    shutil.copy(laptops["base"], d)
    other = qualcode.open_project(d, user="amina")
    other.code("shared-2", 0, 20, "Transport", coder="amina")
    other.codebook.update("Access", description="any contact with a service")
    other.close()
    return d


def test_three_laptops_merge_into_a_hub_every_coding_once(project, laptops):
    for name in ("base", "a", "b", "c"):
        report = merge_project(project, laptops[name])
        assert not report.conflicts
    want = expected_keys([laptops[n] for n in ("a", "b", "c")])
    got = coding_keys(project)
    assert got == want and max(got.values()) == 1
    # lead's, amina's, ben's and the consensus's identical spans: four coders, four codings
    assert sorted(k[4] for k in got if k[1:4] == (40, 60, "Access/GP")) == [
        "amina",
        "ben",
        "consensus",
        "lead",
    ]
    codes = {c.path for c in project.codebook.all()}
    assert {"Loneliness", "Access/Peer support", "Money worries"} <= codes
    assert len([c for c in codes if c == "Loneliness"]) == 1
    titles = {(d.area, d.title) for d in project.documents()}
    assert {("hartlepool", "a-own"), ("worcester", "b-own"), ("worcester", "c-own")} <= titles
    memos = project.audit_df()
    assert (memos["action"] == "merge").sum() == 4
    with project.reading() as conn:
        assert conn.execute(select(schema.memos.c.title)).scalars().all() == ["buses"]
        roles = dict(conn.execute(select(schema.coders.c.name, schema.coders.c.role)).all())
    assert roles["consensus"] == "adjudicator"  # one layer, though made on two laptops
    assert len(project.codings(coder="consensus")) == 2
    (rec,) = recommendations_df(project).itertuples()
    quote = [c.id for c in project.codings("b-own", coder="ben") if c.code == "Loneliness"]
    assert (rec.area, rec.codes, rec.quotes) == ("worcester", ["Loneliness"], quote)
    ben = project.codings(coder="ben")
    assert [c.memo for c in ben if c.code == "Access"] == ["waits"]

    before = row_counts(project)
    for name in ("base", "a", "b", "c"):
        again = merge_project(project, laptops[name])
        assert again.rows_added == 0 and again.present["codings"] > 0
    assert row_counts(project) == before


def test_merge_order_does_not_change_the_result(project, laptops, tmp_path):
    for name in ("c", "a", "base", "b"):
        merge_project(project, laptops[name])
    other = qualcode.open_project(tmp_path / "hub2.qualcode")
    for name in ("b", "base", "c", "a"):
        merge_project(other, laptops[name])
    assert coding_keys(project) == coding_keys(other)
    assert {c.path for c in project.codebook.all()} == {c.path for c in other.codebook.all()}
    assert {(d.area, d.title, d.sha256) for d in project.documents()} == {
        (d.area, d.title, d.sha256) for d in other.documents()
    }
    assert merge_project(other, project).rows_added == 0  # an open Project merges too
    other.close()


def test_a_revision_on_a_laptop_arrives_as_the_next_version(project, laptops):
    merge_project(project, laptops["base"])
    c = qualcode.open_project(laptops["c"], user="chen")
    text_ = c.document("shared-2").text
    start = text_.index("neighbour")
    c.revise("shared-2", [(start, start + len("neighbour"), "friend")], by="chen")
    c.close()
    report = merge_project(project, laptops["c"])
    assert not report.conflicts
    current = project.document("shared-2")
    assert current.version == 2 and "friend" in current.text
    assert coding_keys(project) == expected_keys([laptops["c"]])


def test_conflicts_are_refused_with_nothing_written_then_settled(project, laptops, tmp_path):
    d = impostor_laptop(project, laptops, tmp_path)

    before = row_counts(project)
    with pytest.raises(MergeConflict) as caught:
        merge_project(project, d)
    message = str(caught.value)
    assert "coder 'amina'" in message and "--same-coder amina" in message
    assert "code 'Access'" in message and "description" in message and "--keep-code" in message
    assert "nothing was merged" in message
    assert row_counts(project) == before

    plan = merge_project(project, d, dry_run=True)
    assert len(plan.conflicts) == 2 and row_counts(project) == before
    typo = merge_project(project, d, dry_run=True, keep_codes={"Acess": "ours", "Access": "ours"})
    assert [(c.kind, c.name) for c in typo.conflicts] == [("coder", "amina"), ("code", "Acess")]
    assert "on neither side" in typo.conflicts[1].detail

    report = merge_project(
        project, d, rename_coders={"amina": "amina.d"}, keep_codes={"Access": "ours"}
    )
    assert report.added["coders"] == 1 and report.added["codings"] == 1
    assert project.codebook.get("Access").description == "getting seen by a GP"
    assert [c.coder for c in project.codings("shared-2")] == ["amina.d"]
    again = merge_project(project, d, keep="ours")  # their amina is known by GUID now: no question
    assert again.rows_added == 0 and not again.conflicts


def test_same_coder_is_remembered_and_keep_theirs_updates_the_code(project, laptops, tmp_path):
    merge_project(project, laptops["a"])
    d = tmp_path / "laptop-d.qualcode"
    shutil.copy(laptops["base"], d)
    other = qualcode.open_project(d)
    other.code("shared-0", 40, 60, "Access/GP", coder="amina")  # as on laptop a
    other.code("shared-2", 0, 20, "Transport", coder="amina")
    other.codebook.update("Access", description="any contact with a service")
    other.close()
    report = merge_project(project, d, same_coders=["amina"], keep="theirs")
    assert report.added["coders"] == 0 and report.added["codings"] == 1
    assert project.codebook.get("Access").description == "any contact with a service"
    assert {c.coder for c in project.codings()} == {"lead", "amina", "consensus"}
    assert merge_project(project, d).rows_added == 0  # the decision was kept in the hub


def test_different_text_under_a_known_title_is_a_conflict(project, laptops, tmp_path):
    merge_project(project, laptops["base"])
    e = tmp_path / "elsewhere.qualcode"
    other = qualcode.open_project(e, user="zoe")
    other.add_document(transcript("another interview"), area="hartlepool", title="shared-0")
    other.codebook.add("Transport")
    other.code("shared-0", 0, 10, "Transport", coder="zoe")
    other.close()
    before = row_counts(project)
    with pytest.raises(MergeConflict, match=r"document 'hartlepool/shared-0'.*--new-version"):
        merge_project(project, e)
    assert row_counts(project) == before
    report = merge_project(project, e, new_versions=["shared-0"])
    assert report.added["documents"] == 1
    assert project.document("shared-0").version == 2
    assert [c.coder for c in project.codings("shared-0")] == ["zoe"]


def test_a_qdpx_merges_and_then_its_qualcode_adds_nothing(project, laptops, tmp_path):
    merge_project(project, laptops["base"])
    a = qualcode.open_project(laptops["a"])
    qdpx = refi.export_qdpx(a, tmp_path / "a.qdpx")
    a.close()
    report = merge_project(project, qdpx)
    assert not report.conflicts and report.added["codings"] == 4
    assert report.added["documents"] == 1 and report.present["documents"] == 3
    with project.reading() as conn:  # REFI-QDA has no roles: the layer is known by its name
        role = conn.execute(select(schema.coders.c.role).where(schema.coders.c.name == "consensus"))
        assert role.scalar_one() == "adjudicator"
    before = row_counts(project)
    assert merge_project(project, laptops["a"]).rows_added == 0
    assert merge_project(project, qdpx).rows_added == 0
    assert row_counts(project) == before
    assert coding_keys(project) == expected_keys([laptops["a"]])


def test_a_qdpx_with_other_text_under_our_title_is_refused(project, laptops, tmp_path):
    merge_project(project, laptops["base"])
    other = qualcode.open_project(tmp_path / "other.qualcode", user="zoe")
    other.add_document(transcript("not ours"), area="x", title="shared-1")
    qdpx = refi.export_qdpx(other, tmp_path / "other.qdpx")
    other.close()
    before = row_counts(project)
    with pytest.raises(MergeConflict, match=r"'hartlepool/shared-1'.*not a version of ours"):
        merge_project(project, qdpx)
    assert row_counts(project) == before


@pytest.mark.sqlite_only
def test_a_newer_qualcode_file_is_refused_and_left_alone(project, laptops):
    path = laptops["a"]
    with sqlite3.connect(path) as con:
        con.execute("UPDATE qualcode_meta SET value = '99' WHERE key = 'schema_version'")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SchemaVersionError, match=r"laptop-a.qualcode.*newer.*update qualcode"):
        merge_project(project, path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert row_counts(project)["documents"] == 0


@pytest.mark.sqlite_only
def test_an_older_qualcode_file_is_read_from_an_upgraded_copy(project, tmp_path):
    old = tmp_path / "old.qualcode"
    shutil.copy(ROOT / "tests" / "data" / "stores" / "schema-v1.qualcode", old)
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    report = merge_project(project, old)
    assert report.added["documents"] > 0 and not report.conflicts
    assert hashlib.sha256(old.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old")) == [
        "old.qualcode"
    ]
    assert merge_project(project, old).rows_added == 0


def test_files_that_are_not_projects_are_refused(project, tmp_path):
    junk = tmp_path / "junk.qualcode"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(MergeError, match=r"junk.qualcode is not a qualcode project"):
        merge_project(project, junk)
    empty = tmp_path / "empty.qualcode"
    empty.write_bytes(b"")
    with pytest.raises(MergeError, match=r"empty database"):
        merge_project(project, empty)
    with pytest.raises(MergeError, match=r"no such project file: .*missing.qualcode"):
        merge_project(project, tmp_path / "missing.qualcode")
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(QualcodeError, match=r"bad.qdpx"):
        merge_project(project, bad)
    with pytest.raises(MergeError, match=r"keep must be 'ours' or 'theirs'"):
        merge_project(project, junk, keep="mine")
    assert sum(row_counts(project).values()) == row_counts(project)["qualcode_meta"]


def test_an_error_midway_writes_nothing(project, laptops, monkeypatch):
    merge_project(project, laptops["base"])
    before = row_counts(project)

    def boom(self: _Merger) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(_Merger, "memos", boom)
    with pytest.raises(RuntimeError):
        merge_project(project, laptops["b"])
    assert row_counts(project) == before


@pytest.mark.sqlite_only
def test_cli_merge(laptops, tmp_path):
    hub = str(tmp_path / "hub.qualcode")
    result = run("merge", str(laptops["a"]), "--project", hub, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "codings" in result.stdout and "already here" in result.stdout
    d = tmp_path / "laptop-d.qualcode"
    shutil.copy(laptops["base"], d)
    other = qualcode.open_project(d)
    other.code("shared-2", 0, 20, "Transport", coder="amina")
    other.close()
    result = run("merge", str(d), "-p", hub, "--dry-run", cwd=tmp_path)
    assert result.returncode == 0 and "1 conflicts" in result.stdout
    result = run("merge", str(d), "-p", hub, cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr.startswith("error: 1 conflicts merging") and "Traceback" not in result.stderr
    )
    result = run("merge", str(d), "-p", hub, "--rename-coder", "amina", cwd=tmp_path)
    assert result.returncode == 1 and "--rename-coder takes OLD=NEW" in result.stderr
    result = run("merge", str(d), "-p", hub, "--rename-coder", "amina=amina.d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    p = qualcode.open_project(hub)
    assert "amina.d" in {c.coder for c in p.codings()}
    with p.reading() as conn:
        merges = conn.execute(text("SELECT count(*) FROM audit WHERE action = 'merge'")).scalar()
    assert merges == 2
    p.close()


def test_codings_on_an_original_purged_here_are_a_conflict(project, laptops):
    """A laptop coded the original text; here it was pseudonymised and the original purged."""
    from qualcode.privacy import purge

    merge_project(project, laptops["base"])
    doc = project.document("shared-0")
    at = doc.text.index("neighbour")
    project.revise(
        doc, [(at, at + len("neighbour"), "[PERSON 1]")], by="lead", meta={"pseudonymised": True}
    )
    assert len(purge(project, by="lead")) == 1
    before = row_counts(project)
    with pytest.raises(MergeConflict, match="purged here") as caught:
        merge_project(project, laptops["a"])
    assert "shared-0" in str(caught.value)
    assert row_counts(project) == before
    assert project.codings(doc.id) == []  # nothing placed on the empty original


def test_merge_panel_previews_settles_and_merges(project, laptops, tmp_path):
    from qualcode.widgets.merge_panel import MergePanel

    d = impostor_laptop(project, laptops, tmp_path)

    panel = MergePanel(project)
    assert panel.merge() is None and "Give the other project" in panel.report.value
    panel.path.value = str(d)
    before = row_counts(project)
    plan = panel.preview()
    assert plan is not None and plan.dry_run and len(plan.conflicts) == 2
    assert "2 conflicts" in panel.report.value and "--same-coder amina" in panel.report.value
    refused = panel.merge()
    assert refused is not None and refused.conflicts and row_counts(project) == before
    panel.rename_coders.value = "amina"  # not theirs=new
    assert panel.merge() is None and "Rename takes" in panel.report.value
    panel.rename_coders.value = "amina=amina.d"
    panel.keep.value = "ours"
    done = panel.merge()
    assert done is not None and not done.conflicts and done.added["codings"] == 1
    assert "Merged: " in panel.report.value
    assert [c.coder for c in project.codings("shared-2")] == ["amina.d"]


def test_a_project_on_a_server_merges_by_its_url(laptops, tmp_path, postgres_url):
    """A PostgreSQL project is merged by URL (API and CLI), read in one snapshot; its
    password never reaches a message; a newer or older schema there is refused."""
    server = qualcode.open_project(postgres_url, user="lead")
    merge_project(server, laptops["a"])
    server.close()
    secret = postgres_url.replace("@", ":s3cret@", 1)  # the test server trusts any password
    hub = qualcode.open_project(tmp_path / "hub.qualcode", user="hub")
    report = merge_project(hub, secret)
    assert not report.conflicts and "s3cret" not in str(report) + report.source
    audit = hub.audit_df().to_csv()
    assert "merged_from" in audit and "127.0.0.1" in audit and "s3cret" not in audit
    assert coding_keys(hub) == expected_keys([laptops["a"]])
    result = run("merge", postgres_url, "-p", str(tmp_path / "hub.qualcode"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert merge_project(hub, postgres_url).rows_added == 0
    engine = qualcode.store.connect(postgres_url)
    for version, error, words in [("99", SchemaVersionError, "newer"), ("2", MergeError, "older")]:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE qualcode_meta SET value = :v WHERE key = 'schema_version'"),
                {"v": version},
            )
        with pytest.raises(error, match=rf"127.0.0.1.*{words}.*Nothing was merged"):
            merge_project(hub, postgres_url)
    engine.dispose()
    with pytest.raises(MergeError, match="empty database, not a qualcode project"):
        # a database, but no project
        merge_project(hub, postgres_url.rsplit("/", 1)[0] + "/postgres")
    hub.close()


def test_documents_with_the_same_text_are_matched_by_title(project, tmp_path):
    """Two questionnaire answers that both read "n/a" are two documents with two cases: a copy
    of the project merges with nothing to add, and a third "n/a" under a new title is new."""
    for title, group in (("Q009", "Older people"), ("Q037", "Parents")):
        project.add_document(
            "n/a", area="worcester", title=title, attributes={"population_group": group}
        )
    project.code("Q037", 0, 3, project.codebook.add("No answer"), coder="amina")
    laptop = tmp_path / "laptop.qualcode"
    other = qualcode.open_project(laptop)
    assert merge_project(other, project).rows_added > 0
    other.add_document(
        "n/a", area="worcester", title="Q050", attributes={"population_group": "Young"}
    )
    other.code("Q050", 0, 3, "No answer", coder="ben")
    other.close()

    before = row_counts(project)
    report = merge_project(project, laptop)
    assert not report.conflicts, str(report)
    assert (report.added["documents"], report.added["cases"], report.added["codings"]) == (1, 1, 1)
    assert row_counts(project)["documents"] == before["documents"] + 1
    docs = project.documents_df().set_index("title")
    assert docs.loc[["Q009", "Q037", "Q050"], "population_group"].tolist() == [
        "Older people",
        "Parents",
        "Young",
    ]
    assert [(c.code, c.coder) for c in project.codings("Q037")] == [("No answer", "amina")]
    assert [(c.code, c.coder) for c in project.codings("Q050")] == [("No answer", "ben")]
    assert merge_project(project, laptop).rows_added == 0


def test_answers_with_the_same_text_all_arrive_in_an_empty_project(project, tmp_path):
    """Merging into an empty project keeps every document, even two that read "n/a" (the
    second was taken for the first, which had arrived moments before in the same merge)."""
    for title in ("Q009", "Q037", "Q041"):
        project.add_document("n/a", area="worcester", title=title)
    code = project.codebook.add("No answer")
    for title in ("Q009", "Q037", "Q041"):
        project.code(title, 0, 3, code, coder="amina")
    hub = qualcode.open_project(tmp_path / "hub.qualcode")
    report = merge_project(hub, project)
    assert (report.added["documents"], report.added["codings"]) == (3, 3), str(report)
    assert sorted(hub.documents_df()["title"]) == ["Q009", "Q037", "Q041"]
    assert merge_project(hub, project).rows_added == 0
    hub.close()


def write_survey(path: Path, answers: list[tuple[str, str, str]]) -> Path:
    """A questionnaire export: respondent, age band and one open answer per row."""
    lines = ["respondent,age_band,answer"] + [f"{r},{age},{text}" for r, age, text in answers]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_questionnaire_with_repeated_answers_merges_whole_and_again_adds_nothing(
    project, tmp_path
):
    """Many respondents answer "n/a" or "no": every answer arrives with its own case, the
    codings with it, and merging the same file again adds nothing and is not refused."""
    answers = [
        (f"R{n:03d}", ("18-24", "65+")[n % 2], ("n/a", "no", "n/a", f"answer {n}")[n % 4])
        for n in range(1, 41)
    ]
    laptop = qualcode.open_project(tmp_path / "laptop.qualcode", user="amina")
    laptop.ingest(write_survey(tmp_path / "survey.csv", answers), area="worcester", progress=False)
    none = laptop.codebook.add("No answer")
    for d in laptop.documents():
        if d.text in ("n/a", "no"):
            laptop.code(d, 0, len(d.text), none, coder="amina")
    n_codings = len(laptop.codings())
    laptop.close()

    report = merge_project(project, tmp_path / "laptop.qualcode")
    assert not report.conflicts, str(report)
    assert (report.added["documents"], report.added["codings"]) == (40, n_codings)
    docs = project.documents_df().set_index("title")
    assert docs.loc["survey R002", "age_band"] == "18-24"
    assert docs.loc["survey R003", "age_band"] == "65+"
    again = merge_project(project, tmp_path / "laptop.qualcode")
    assert again.rows_added == 0 and not again.conflicts, str(again)


def test_the_same_answer_from_another_respondent_is_another_document(project, tmp_path):
    """A text alone never makes two documents one: the hub's "n/a" from R001 (65+) and a
    laptop's "n/a" from R107 (18-24), ingested from another file, stay two respondents."""
    project.ingest(
        write_survey(tmp_path / "survey.csv", [("R001", "65+", "n/a"), ("R002", "65+", "yes")]),
        area="worcester",
        progress=False,
    )
    laptop = qualcode.open_project(tmp_path / "laptop.qualcode", user="ben")
    merge_project(laptop, project)
    laptop.ingest(
        write_survey(tmp_path / "autumn.csv", [("R107", "18-24", "n/a")]),
        area="worcester",
        progress=False,
    )
    laptop.code("autumn R107", 0, 3, laptop.codebook.add("No answer"), coder="ben")
    laptop.close()

    report = merge_project(project, tmp_path / "laptop.qualcode")
    assert not report.conflicts, str(report)
    assert (report.added["documents"], report.added["cases"], report.added["codings"]) == (1, 1, 1)
    docs = project.documents_df().set_index("title")
    assert docs.loc[["survey R001", "autumn R107"], "age_band"].tolist() == ["65+", "18-24"]
    assert [c.coder for c in project.codings("autumn R107")] == ["ben"]
    assert project.codings("survey R001") == []
    assert merge_project(project, tmp_path / "laptop.qualcode").rows_added == 0


def test_a_document_is_known_by_its_guid_first(project, tmp_path):
    """A laptop's document whose title changed is still ours by its GUID, even where its text
    ("n/a") is another document's too."""
    for title in ("Q009", "Q037"):
        project.add_document("n/a", area="worcester", title=title)
    laptop = qualcode.open_project(tmp_path / "laptop.qualcode", user="ben")
    merge_project(laptop, project)
    with laptop.writing() as conn:
        conn.execute(text("UPDATE documents SET title = 'Q037 (checked)' WHERE title = 'Q037'"))
    laptop.code("Q037 (checked)", 0, 3, laptop.codebook.add("No answer"), coder="ben")
    laptop.close()
    report = merge_project(project, tmp_path / "laptop.qualcode")
    assert (report.added["documents"], report.added["codings"]) == (0, 1), str(report)
    assert [c.coder for c in project.codings("Q037")] == ["ben"]


def lead_coding(p: qualcode.Project) -> qualcode.model.Coding:
    """The base project's one coding (lead's Access/GP on shared-0)."""
    (coding,) = [c for c in p.codings("shared-0") if c.coder == "lead"]
    return coding


def copy_of_base(laptops: dict[str, Path], name: str) -> Path:
    path = laptops["base"].with_name(f"{name}.qualcode")
    shutil.copy(laptops["base"], path)
    return path


def test_a_coding_deleted_here_is_not_brought_back(project, laptops):
    """The hub removed a coding after handing out copies: a laptop that still holds it as it
    was does not bring it back, and the report says who deleted it and when."""
    merge_project(project, laptops["base"])
    project.uncode(lead_coding(project), coder="lead")
    report = merge_project(project, laptops["a"])
    assert not report.conflicts, str(report)
    assert [c for c in project.codings("shared-0") if c.coder == "lead"] == []
    (line,) = [d for d in report.deletions if "'Access/GP' on 'shared-0'" in d]
    assert "deleted here on 20" in line and "by lead; not brought back" in line
    assert "deleted: coding 'Access/GP'" in str(report)
    from qualcode.widgets.merge_panel import MergePanel

    panel = MergePanel(project)
    panel.path.value = str(laptops["a"])
    assert panel.preview() is not None and "not brought back" in panel.report.value
    assert merge_project(project, laptops["a"]).rows_added == 0


def test_a_coding_deleted_there_is_deleted_here(project, laptops):
    """A laptop removed a coding the hub holds unchanged: the merge removes it here too,
    audited with who deleted it there, and merging again changes nothing."""
    merge_project(project, laptops["base"])
    laptop = qualcode.open_project(copy_of_base(laptops, "laptop-e"), user="ben")
    laptop.uncode(lead_coding(laptop), coder="lead")
    laptop.close()
    report = merge_project(project, laptops["base"].with_name("laptop-e.qualcode"))
    assert (report.removed["codings"], report.rows_added) == (1, 0), str(report)
    assert [c for c in project.codings("shared-0") if c.coder == "lead"] == []
    assert any("deleted there on 20" in d and "deleted here too" in d for d in report.deletions)
    audit = project.audit_df()
    (row,) = audit[(audit["action"] == "delete") & (audit["object"] == "coding")].itertuples()
    assert row.actor == "tester" and "deleted_there_by" in str(row.after)
    before = row_counts(project)
    again = merge_project(project, laptops["base"].with_name("laptop-e.qualcode"))
    assert (again.rows_added, again.rows_removed) == (0, 0) and row_counts(project) == before
    assert merge_project(project, laptops["base"]).rows_added == 0  # base still holds it


def test_a_delete_on_one_side_and_an_edit_on_the_other_is_a_conflict(project, laptops):
    """Deleted there, memo changed here since (and the other way round): refused with
    nothing written, then settled with keep."""
    merge_project(project, laptops["base"])
    path = copy_of_base(laptops, "laptop-e")
    laptop = qualcode.open_project(path, user="ben")
    laptop.uncode(lead_coding(laptop), coder="lead")
    laptop.close()
    project.set_memo(lead_coding(project), "the eight o'clock phone queue", coder="lead")
    before = row_counts(project)
    with pytest.raises(MergeConflict, match=r"coding .*deleted on their side.*changed here since"):
        merge_project(project, path)
    assert row_counts(project) == before
    kept = merge_project(project, path, keep="ours")
    assert kept.removed["codings"] == 0 and lead_coding(project).memo
    assert any("kept here (keep='ours')" in d for d in kept.deletions)
    gone = merge_project(project, path, keep="theirs")
    assert gone.removed["codings"] == 1
    assert [c for c in project.codings("shared-0") if c.coder == "lead"] == []

    # deleted here, memo changed on a laptop since
    other = qualcode.open_project(copy_of_base(laptops, "laptop-f"), user="ben")
    other.set_memo(lead_coding(other), "ring at eight", coder="lead")
    other.close()
    with pytest.raises(MergeConflict, match=r"coding .*deleted here on .*changed on their side"):
        merge_project(project, laptops["base"].with_name("laptop-f.qualcode"))
    back = merge_project(project, laptops["base"].with_name("laptop-f.qualcode"), keep="theirs")
    assert back.added["codings"] == 1 and lead_coding(project).memo == "ring at eight"


def test_memos_deleted_on_either_side_stay_deleted(project, laptops):
    """A memo a laptop deleted goes here too; one deleted here is not brought back."""
    path = copy_of_base(laptops, "laptop-e")
    laptop = qualcode.open_project(path, user="ben")
    memo = laptop.add_memo("two people mention the six o'clock bus", coder="ben", title="buses")
    laptop.close()
    later = shutil.copy(path, path.with_name("laptop-e-later.qualcode"))
    laptop = qualcode.open_project(later, user="ben")
    laptop.delete_memo(memo, coder="ben")
    laptop.close()

    assert merge_project(project, path).added["memos"] == 1
    report = merge_project(project, later)
    assert report.removed["memos"] == 1, str(report)
    assert any("memo 'buses': deleted there on 20" in d for d in report.deletions)
    again = merge_project(project, path)
    assert again.added["memos"] == 0 and again.rows_added == 0, str(again)
    assert any("memo 'buses': deleted here on 20" in d for d in again.deletions)
    with project.reading() as conn:
        assert conn.execute(select(func.count()).select_from(schema.memos)).scalar() == 0


def test_a_code_deleted_here_is_not_revived(project, laptops):
    """A code the hub deleted is not brought back by a laptop that still has it; new
    codings on it there are a conflict that keep settles. A code a laptop deleted is
    reported, and kept here."""
    merge_project(project, laptops["base"])
    project.codebook.delete("Transport")
    report = merge_project(project, laptops["base"])
    assert report.rows_added == 0 and "Transport" not in {c.path for c in project.codebook.all()}
    assert any("code 'Transport': deleted here on 20" in d for d in report.deletions)

    before = row_counts(project)
    with pytest.raises(MergeConflict, match=r"code 'Transport'.*deleted here.*1 codings on it"):
        merge_project(project, laptops["a"])  # amina coded shared-1 with Transport
    assert row_counts(project) == before
    left_out = merge_project(project, laptops["a"], keep="ours")
    assert "Transport" not in {c.path for c in project.codebook.all()}
    assert any("left deleted" in d for d in left_out.deletions)
    back = merge_project(project, laptops["a"], keep="theirs")
    assert back.added["codes"] == 1 and back.added["codings"] == 1
    assert [c.code for c in project.codings("shared-1")] == ["Transport"]

    gone_there = copy_of_base(laptops, "laptop-e")
    laptop = qualcode.open_project(gone_there, user="lead")
    laptop.codebook.delete("Transport")
    laptop.close()
    report = merge_project(project, gone_there)
    assert "Transport" in {c.path for c in project.codebook.all()}
    assert any("code 'Transport': deleted on their side" in d for d in report.deletions)
