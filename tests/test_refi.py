"""REFI-QDA exchange (.qdpx projects, .qdc codebooks): the standard's XSD, round trips, files
from other tools, and hostile files that must be refused with nothing imported."""

from __future__ import annotations

import os
import re
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

import qualcode
from qualcode.interop import refi
from qualcode.model import Code
from qualcode.store import codes as code_store
from qualcode.store import new_guid, schema
from tests.cli import run_cli

DATA = Path(__file__).resolve().parent / "data" / "refi"
QUALCODE = str(Path(sys.executable).parent / "qualcode")
NS = {"q": refi.NS_PROJECT}

# code points beyond the BMP (UTF-16 would count the emoji twice) and a combining-free accent
TEXT_1 = (
    "[SYNTHETIC]\nInterviewer: How do you get to the surgery?\n"
    "Participant: Two buses 🚌 and a walk. The café at the stop is nice.\n"
)
TEXT_2 = "[SYNTHETIC]\nInterviewer: And the pharmacy?\nParticipant: My neighbour drives me.\n"


def xsd(name: str) -> etree.XMLSchema:
    """The REFI-QDA schema as shipped in the package; a missing file is a broken package,
    not a reason to skip."""
    kind = next(k for k, file in refi.SCHEMA_FILES.items() if file == name)
    path = refi.schema_file(kind)
    if not path.is_file():
        pytest.fail(f"REFI-QDA schema {path} is missing from the package", pytrace=False)
    return etree.XMLSchema(etree.fromstring(path.read_bytes()))


def snapshot(project: qualcode.Project) -> dict[str, list[Any]]:
    """Every row of every table, to prove a refused import changed nothing."""
    with project.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in schema.metadata.sorted_tables
        }


def fill(p: qualcode.Project) -> None:
    """Two areas, a code tree with criteria, two coders, memos of each kind, case attributes."""
    d1 = p.add_document(
        TEXT_1, area="hartlepool", title="hp-01", attributes={"age_band": "65+", "carer": "yes"}
    )
    d2 = p.add_document(TEXT_2, area="worcester", title="wr-01", attributes={"age_band": "18-24"})
    p.codebook.add(
        "Access",
        description="Getting to a service.",
        inclusion="Travel, appointments.",
        exclusion="Quality of care.",
        example="Two buses and a prayer.",
        color="#0072B2",
        shortcut="1",
    )
    p.codebook.add("Transport", parent="Access", color="#E69F00")
    p.codebook.add("Informal help", description="Family, friends, neighbours.")
    start = TEXT_1.index("Two buses")
    p.code(d1, start, start + len("Two buses 🚌"), "Access/Transport", coder="amina", memo="emoji")
    start = TEXT_1.index("café")
    p.code(d1, start, start + 4, "Access", coder="bo")
    start = TEXT_2.index("My neighbour")
    p.code(d2, start, len(TEXT_2) - 1, "Informal help", coder="amina")
    p.code(d2, start, len(TEXT_2), "Informal help", coder="bo")
    with p.writing() as conn:
        amina = conn.execute(
            select(schema.coders.c.id).where(schema.coders.c.name == "amina")
        ).scalar_one()
        code = code_store.resolve(conn, "Access")
        for title, doc, code_id in (
            ("On hp-01", d1.id, None),
            ("On Access", None, code.id),
            ("Whole project", None, None),
        ):
            conn.execute(
                schema.memos.insert().values(
                    guid=new_guid(),
                    coder_id=amina,
                    title=title,
                    text=f"{title}: synthetic memo",
                    document_id=doc,
                    code_id=code_id,
                    created_at="2024-05-01T10:00:00.000000Z",
                    updated_at="2024-05-02T10:00:00.000000Z",
                )
            )


@pytest.fixture
def filled(project: qualcode.Project) -> qualcode.Project:
    fill(project)
    return project


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def make_qdpx(path: Path, qde: str | bytes, members: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return path


def zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())
    return out


SOURCE = "0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9"
CODE = "1C2D3E4F-5061-4728-9304-B5C6D7E8F9A0"
SOURCE_TEXT = "Participant: the bus never comes.\n"


def small_qde(*, start: int = 13, end: int = 16, code: str = CODE, doctype: str = "") -> str:
    """A minimal valid project: one code, one source, one selection."""
    return f"""<?xml version="1.0" encoding="utf-8"?>{doctype}
<Project xmlns="urn:QDA-XML:project:1.0" name="hostile">
  <CodeBook><Codes><Code guid="{CODE}" name="Transport" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{SOURCE}" name="t1" plainTextPath="internal://{SOURCE}.txt">
      <PlainTextSelection guid="2D3E4F50-6172-4839-A415-C6D7E8F9A0B1"
          startPosition="{start}" endPosition="{end}">
        <Coding guid="3E4F5061-7283-494A-B526-D7E8F9A0B1C2">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def small_qdpx(path: Path, **kwargs: Any) -> Path:
    return make_qdpx(path, small_qde(**kwargs), {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})


def refused(
    project: qualcode.Project, path: Path, error: type[Exception] = refi.RefiError, **kwargs: Any
) -> str:
    """Import `path`, expect `error`, check the project is unchanged; return the message."""
    before = snapshot(project)
    importer = refi.import_qdc if path.suffix == ".qdc" else refi.import_qdpx
    with pytest.raises(error) as caught:
        importer(path, project, **kwargs)
    assert snapshot(project) == before, "a refused import changed the project"
    message = str(caught.value)
    assert str(path) in message and "nothing was imported" in message
    assert "\n" not in message
    return message


# export -------------------------------------------------------------------------------------


def test_export_validates_against_the_project_xsd(filled: qualcode.Project, tmp_path: Path):
    out = refi.export_qdpx(filled, tmp_path / "proj.qdpx")
    qde = qde_of(out)
    xsd("Project-mrt2019.xsd").assertValid(etree.fromstring(qde))
    root = etree.fromstring(qde)
    assert [etree.QName(el).localname for el in root] == [
        "Users",
        "CodeBook",
        "Variables",
        "Cases",
        "Sources",
        "Notes",
        "NoteRef",
    ]
    assert sorted(u.get("name") for u in root.iterfind("q:Users/q:User", NS)) == ["amina", "bo"]
    access = root.find("q:CodeBook/q:Codes/q:Code[@name='Access']", NS)
    assert access.get("color") == "#0072B2"
    assert access.find("q:Code", NS).get("name") == "Transport"
    assert "Inclusion criteria:\nTravel, appointments." in access.findtext("q:Description", "", NS)
    assert access.find("q:NoteRef", NS) is not None
    case = root.find("q:Cases/q:Case[@name='hp-01']", NS)
    assert [v.findtext("q:TextValue", "", NS) for v in case.iterfind("q:VariableValue", NS)] == [
        "65+",
        "yes",
    ]
    assert root.find("q:Sources/q:TextSource[@name='hp-01']/q:NoteRef", NS) is not None


def test_selection_offsets_are_code_points_end_exclusive(filled: qualcode.Project, tmp_path):
    """Every selection, applied to its sources/<GUID>.txt, gives exactly the coded text."""
    out = refi.export_qdpx(filled, tmp_path / "proj.qdpx")
    root = etree.fromstring(qde_of(out))
    found = {}
    with zipfile.ZipFile(out) as zf:
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            guid = source.get("guid")
            assert guid == guid.upper()
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            text = zf.read(f"sources/{guid}.txt").decode("utf-8")
            for sel in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                memo = sel.findtext("q:Description", None, NS)
                found[text[start:end]] = memo
    expected = {c.text: c.memo for c in filled.codings()}
    assert found == expected
    assert found["Two buses 🚌"] == "emoji"


def test_export_one_area(filled: qualcode.Project, tmp_path: Path):
    out = refi.export_qdpx(filled, tmp_path / "hp.qdpx", area="hartlepool")
    root = etree.fromstring(qde_of(out))
    xsd("Project-mrt2019.xsd").assertValid(root)
    assert [s.get("name") for s in root.iterfind("q:Sources/q:TextSource", NS)] == ["hp-01"]
    assert [c.get("name") for c in root.iterfind("q:Cases/q:Case", NS)] == ["hp-01"]
    with pytest.raises(qualcode.QualcodeError, match="no area named 'nowhere'"):
        refi.export_qdpx(filled, tmp_path / "x.qdpx", area="nowhere")
    assert not (tmp_path / "x.qdpx").exists()


def test_export_codebook_validates_against_the_codebook_xsd(filled, tmp_path: Path):
    out = refi.export_qdc(filled, tmp_path / "book.qdc")
    tree = etree.parse(str(out))
    xsd("Codebook-mrt2019.xsd").assertValid(tree)
    names = [c.get("name") for c in tree.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert names == ["Access", "Transport", "Informal help"]


def test_empty_codebook_is_refused(project: qualcode.Project, tmp_path: Path):
    with pytest.raises(refi.RefiError, match="codebook is empty"):
        refi.export_qdc(project, tmp_path / "book.qdc")
    assert not (tmp_path / "book.qdc").exists()


def test_description_folds_and_unfolds():
    code = Code(
        id=1,
        guid="x",
        name="n",
        path="n",
        description="What it is.\n\nTwo paragraphs.",
        inclusion="a\nb",
        exclusion="",
        example="'quote'",
    )
    folded = refi.fold_description(code)
    assert (
        folded == "What it is.\n\nTwo paragraphs.\n\nInclusion criteria:\na\nb\n\nExample:\n'quote'"
    )
    assert refi.unfold_description(folded) == {
        "description": "What it is.\n\nTwo paragraphs.",
        "inclusion": "a\nb",
        "exclusion": "",
        "example": "'quote'",
    }
    plain = "Written in NVivo.\nExample: not our marker"
    assert refi.unfold_description(plain)["description"] == plain


# round trip ---------------------------------------------------------------------------------


def test_round_trip_changes_nothing(filled: qualcode.Project, tmp_path: Path):
    first = refi.export_qdpx(filled, tmp_path / "a" / "proj.qdpx")
    with qualcode.open_project(tmp_path / "copy.qualcode", user="tester") as copy:
        result = refi.import_qdpx(first, copy, area="moved")
        assert (result.documents, result.codings, result.memos, result.coders) == (2, 4, 3, 2)
        second = refi.export_qdpx(copy, tmp_path / "b" / "proj.qdpx")
        assert qde_of(second).decode() == qde_of(first).decode()
        assert second.read_bytes() == first.read_bytes()

        def codings(p: qualcode.Project) -> list[tuple[Any, ...]]:
            return sorted(
                (c.guid, c.start, c.end, c.code, c.coder, c.text, c.memo, c.created_at)
                for c in p.codings()
            )

        assert codings(copy) == codings(filled)
        fields = ("guid", "path", "description", "inclusion", "exclusion", "example", "color")
        assert [tuple(getattr(c, f) for f in fields) for c in copy.codebook.all()] == [
            tuple(getattr(c, f) for f in fields) for c in filled.codebook.all()
        ]
        assert copy.areas() == ["moved"]


def test_importing_twice_adds_nothing(filled: qualcode.Project, tmp_path: Path):
    out = refi.export_qdpx(filled, tmp_path / "proj.qdpx")
    before = snapshot(filled)
    result = refi.import_qdpx(out, filled, area="hartlepool")
    assert (result.documents, result.codings, result.codes_added, result.memos) == (0, 0, 0, 0)
    after = snapshot(filled)
    after["audit"] = before["audit"] = []  # the import itself is logged
    assert after == before


def test_document_with_a_known_guid_but_other_text_is_refused(filled, tmp_path: Path):
    out = refi.export_qdpx(filled, tmp_path / "proj.qdpx")
    with zipfile.ZipFile(out) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    name = next(n for n in members if n.startswith("sources/") and b"surgery" in members[n])
    members[name] = members[name].replace(b"surgery", b"hospital")
    changed = tmp_path / "changed.qdpx"
    make_qdpx(changed, members.pop("project.qde"), members)
    assert "different text" in refused(filled, changed)


# files from other tools ---------------------------------------------------------------------


def test_import_from_another_tool_tolerates_its_quirks(project: qualcode.Project, tmp_path):
    raw = (DATA / "othertool" / "Sources" / "B650BC7B-C24A-4EC9-84D6-A69914DD95C6.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"e\xcc\x81" in raw
    qde = (DATA / "othertool" / "project.qde").read_bytes()
    with pytest.raises(etree.DocumentInvalid):  # the empty <Sets/> makes it invalid
        xsd("Project-mrt2019.xsd").assertValid(etree.fromstring(qde))
    qdpx = zip_folder(DATA / "othertool", tmp_path / "other.qdpx")

    result = refi.import_qdpx(qdpx, project, area="bus routes")
    assert (result.coders, result.codes_added, result.documents, result.codings) == (2, 4, 2, 5)
    assert any("PictureSource" in s for s in result.skipped)
    assert any("empty selection" in s for s in result.skipped)

    got = {(c.code, c.coder, c.text, c.memo) for c in project.codings()}
    assert got == {
        ("Services/Transport\\/travel", "Sam Carer", "Two buses", "Two changes each way."),
        ("Wellbeing", "Priya", "café", None),  # NFD e + accent, 5 code points, became 4
        (
            "Services/GP access",
            "Priya",
            "Resident: Two buses. The café by the stop is nice.\n",  # CRLF became \n
            None,
        ),
        ("Services/GP access", "Priya", "Not really, I ring at eight and wait.", None),
        ("Wellbeing", "Sam Carer", TEXT_OTHER_2, None),  # a coding of the whole source
    }
    times = {c.text: c.created_at for c in project.codings()}
    assert times["Two buses"] == "2024-03-02T11:00:00.000000Z"
    assert times["Resident: Two buses. The café by the stop is nice.\n"] == (
        "2024-03-02T10:30:45.500000Z"
    )
    codes = {c.path: c for c in project.codebook.all()}
    assert codes["Services/GP access"].color == "#E69F00"
    assert codes["Services/Transport\\/travel"].color == "#00AA77"
    assert codes["Services/Transport\\/travel"].name == "Transport/travel"  # kept as written
    assert codes["Services"].guid == "3750e4fe-0dca-4e0e-b243-1e848a788d51"
    docs = {d.title: d for d in project.documents(area="bus routes")}
    assert docs["Interview 1"].case == "Resident 1"
    assert docs["Interview 1"].text.startswith("Interviewer:")  # no BOM
    with project.reading() as conn:
        cases = {r.name: r.attributes for r in conn.execute(select(schema.cases))}
        memos = {r.title: (r.document_id, r.code_id) for r in conn.execute(select(schema.memos))}
    assert cases == {
        "Resident 1": {"Age band": "65+", "Carer": "true"},
        "Interview 2": {"Age band": "18-24"},
    }
    assert memos["Interview context"] == (docs["Interview 1"].id, None)
    assert memos["About GP access"] == (None, codes["Services/GP access"].id)


TEXT_OTHER_2 = "Q: Is the GP easy to reach?\nA: Not really, I ring at eight and wait.\n"


def test_import_codebook_from_another_tool(project: qualcode.Project):
    project.codebook.add("Wellbeing", color="#123456")
    result = refi.import_qdc(DATA / "othertool.qdc", project)
    assert (result.codes_added, result.codes_updated) == (2, 1)
    codes = {c.path: c for c in project.codebook.all()}
    gp = codes["Services/GP access"]
    assert (gp.description, gp.inclusion, gp.exclusion) == (
        "Getting an appointment.",
        "Phone queues, online booking.",
        "Hospital outpatients.",
    )
    assert codes["Wellbeing"].color == "#00AA77"  # matched by path, colour updated


def test_sources_with_and_without_internal_prefix_and_inline_text(project, tmp_path: Path):
    lower = SOURCE.lower()
    qde = small_qde().replace(f"internal://{SOURCE}.txt", f"{lower}.txt")
    path = make_qdpx(tmp_path / "a.qdpx", qde, {f"Sources/{lower}.txt": SOURCE_TEXT.encode()})
    refi.import_qdpx(path, project)
    assert [c.text for c in project.codings()] == ["the"]
    inline = small_qde().replace(
        f' plainTextPath="internal://{SOURCE}.txt">',
        f">\n<PlainTextContent>{SOURCE_TEXT}</PlainTextContent>",
    )
    with qualcode.open_project(tmp_path / "b.qualcode") as other:
        refi.import_qdpx(make_qdpx(tmp_path / "b.qdpx", inline), other)
        assert [c.text for c in other.codings()] == ["the"]


# hostile files ------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "ABSOLUTE"])
def test_zip_slip_is_refused_and_nothing_is_written(project, tmp_path: Path, member: str):
    target = tmp_path / "target"
    target.mkdir()
    outside = tmp_path / "evil.txt"
    absolute = tmp_path / "abs" / "evil.txt"
    name = str(absolute) if member == "ABSOLUTE" else member
    path = target / "slip.qdpx"
    small_qdpx(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"owned")
    message = refused(project, path, refi.UnsafeRefiFile)
    assert "zip slip" in message and "evil.txt" in message
    assert not outside.exists() and not absolute.exists()
    assert sorted(p.name for p in target.iterdir()) == ["slip.qdpx"]


def test_source_path_pointing_outside_the_archive_is_refused(project, tmp_path: Path):
    qde = small_qde().replace(f"internal://{SOURCE}.txt", "internal://../../etc/passwd")
    message = refused(project, make_qdpx(tmp_path / "p.qdpx", qde), refi.UnsafeRefiFile)
    assert "outside the archive" in message


def test_sources_outside_the_qdpx_are_not_read(project, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SOURCE_TEXT)
    qde = small_qde().replace(f"internal://{SOURCE}.txt", f"absolute://{secret}")
    message = refused(project, make_qdpx(tmp_path / "p.qdpx", qde))
    assert "stored outside the .qdpx" in message


XXE = '\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = "\n<!DOCTYPE Project [<!ENTITY a0 'ha'>" + "".join(
    f"<!ENTITY a{i} '{('&a' + str(i - 1) + ';') * 10}'>" for i in range(1, 10)
)
LAUGHS += "]>"


@pytest.mark.parametrize("doctype", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entities_are_refused_in_projects(project, tmp_path: Path, doctype: str):
    use = "&xxe;" if "xxe" in doctype else "&a9;"
    qde = small_qde(doctype=doctype).replace('name="Transport"', f'name="T{use}"')
    path = make_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})
    assert "DTD or entities" in refused(project, path, refi.UnsafeRefiFile)


@pytest.mark.parametrize("doctype", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entities_are_refused_in_codebooks(project, tmp_path: Path, doctype: str):
    use = "&xxe;" if "xxe" in doctype else "&a9;"
    path = tmp_path / "book.qdc"
    path.write_text(
        f'<?xml version="1.0"?>{doctype.replace("Project", "CodeBook")}\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{CODE}" name="x" isCodable="true"><Description>{use}</Description></Code>'
        "</Codes></CodeBook>"
    )
    assert "DTD or entities" in refused(project, path, refi.UnsafeRefiFile)


def test_zip_bomb_is_refused_before_reading(project, tmp_path: Path):
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", small_qde())
        with zf.open(f"sources/{SOURCE}.txt", "w") as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(40):  # 40 MB of zeros deflate to ~40 KB
                fh.write(block)
    info = zipfile.ZipFile(path).getinfo(f"sources/{SOURCE}.txt")
    assert info.file_size / info.compress_size > 500
    assert "zip bomb" in refused(project, path, refi.UnsafeRefiFile)


def test_many_small_members_that_expand_far_are_refused_before_reading(project, tmp_path: Path):
    """Members each under the per-member ratio floor still add up: the archive's ratio counts."""
    path = tmp_path / "many.qdpx"
    small = b"\0" * 60_000  # under ZipLimits.ratio_floor, deflates ~1000 times
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", small_qde())
        zf.writestr(f"sources/{SOURCE}.txt", SOURCE_TEXT)
        for n in range(1000):
            zf.writestr(f"sources/pad{n}.txt", small)
    message = refused(project, path, refi.UnsafeRefiFile)
    assert "would expand" in message and "in all" in message and "zip bomb" in message


def test_a_200_mb_codebook_is_refused_before_parsing(project, tmp_path: Path):
    path = tmp_path / "huge.qdc"
    with path.open("wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * refi.MB)
    started = time.monotonic()
    message = refused(project, path, refi.UnsafeRefiFile)
    assert time.monotonic() - started < 5
    assert "200.0 MB, over the 100 MB limit" in message


def test_a_200_mb_project_xml_is_refused_before_reading(project, tmp_path: Path):
    path = tmp_path / "huge.qdpx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("project.qde", "w", force_zip64=True) as fh,
    ):
        block = b" " * (4 * 1024 * 1024)
        for _ in range(50):
            fh.write(block)
    started = time.monotonic()
    message = refused(project, path, refi.UnsafeRefiFile)
    assert time.monotonic() - started < 5
    assert "project.qde is 200.0 MB" in message


def test_the_size_limit_is_a_parameter(project, tmp_path: Path):
    path = small_qdpx(tmp_path / "p.qdpx")
    message = refused(project, path, refi.UnsafeRefiFile, max_xml_bytes=500)
    assert "over the 0.000476837 MB limit" in message
    message = refused(project, path, refi.UnsafeRefiFile, max_source_bytes=10)
    assert f"sources/{SOURCE}.txt" in message
    refi.import_qdpx(path, project, max_xml_bytes=10_000, max_source_bytes=100)
    assert len(project.codings()) == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [(13, len(SOURCE_TEXT) + 1), (-1, 4), (20, 10), (len(SOURCE_TEXT) + 5, len(SOURCE_TEXT) + 9)],
)
def test_selections_outside_the_source_are_refused(project, tmp_path: Path, start, end):
    message = refused(project, small_qdpx(tmp_path / "p.qdpx", start=start, end=end))
    length = len(SOURCE_TEXT)
    assert f"characters {start} to {end}, outside the source's {length} characters" in message


def test_unknown_code_reference_is_refused_and_rolled_back(filled, tmp_path: Path):
    """The bad reference is found after documents were written: the transaction undoes them."""
    unknown = "9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A"
    message = refused(filled, small_qdpx(tmp_path / "p.qdpx", code=unknown))
    assert f"refers to code {unknown.lower()}" in message


def test_a_qdpx_without_project_qde_is_refused(project, tmp_path: Path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"sources/{SOURCE}.txt", SOURCE_TEXT)
    assert "no project.qde" in refused(project, path)


def test_corrupt_zips_are_refused(project, tmp_path: Path):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(os.urandom(4096))
    assert "not a readable .qdpx (zip) file" in refused(project, junk)
    good = small_qdpx(tmp_path / "good.qdpx").read_bytes()
    damaged = tmp_path / "damaged.qdpx"
    flipped = bytearray(good)
    for at in range(45, 60):  # inside project.qde's deflated bytes, just after its header
        flipped[at] ^= 0xFF
    damaged.write_bytes(bytes(flipped))
    refused(project, damaged)
    truncated = tmp_path / "truncated.qdpx"
    truncated.write_bytes(good[: len(good) // 2])
    refused(project, truncated)


def test_malformed_xml_and_wrong_roots_are_refused(project, tmp_path: Path):
    broken = make_qdpx(tmp_path / "broken.qdpx", small_qde()[:-20])
    assert "not well formed" in refused(project, broken)
    other = make_qdpx(tmp_path / "other.qdpx", "<html><body/></html>")
    assert "not a REFI-QDA project" in refused(project, other)
    bad_guid = make_qdpx(tmp_path / "guid.qdpx", small_qde().replace(CODE, "not-a-guid", 1))
    assert "'not-a-guid', which is not a GUID" in refused(project, bad_guid)


# command line -------------------------------------------------------------------------------


run = run_cli


def test_cli_exports_and_imports_by_extension(tmp_path: Path):
    store = tmp_path / "a.qualcode"
    with qualcode.open_project(store, user="tester") as p:
        fill(p)
    result = run("export", "out.qdpx", "-p", str(store), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    xsd("Project-mrt2019.xsd").assertValid(etree.fromstring(qde_of(tmp_path / "out.qdpx")))
    result = run("export", "book.qdc", "-p", str(store), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    xsd("Codebook-mrt2019.xsd").assertValid(etree.parse(str(tmp_path / "book.qdc")))

    copy = str(tmp_path / "b.qualcode")
    result = run("import", "out.qdpx", "--area", "leeds", "-p", copy, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 documents" in result.stdout and "4 codings" in result.stdout
    result = run("import", "book.qdc", "-p", str(tmp_path / "c.qualcode"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 codes added" in result.stdout
    with qualcode.open_project(copy) as p:
        assert p.areas() == ["leeds"] and len(p.codings()) == 4


def test_cli_names_accepted_extensions_and_reports_hostile_files(tmp_path: Path):
    store = str(tmp_path / "p.qualcode")
    result = run("import", "notes.docx", "-p", store, cwd=tmp_path)
    assert result.returncode == 1
    assert "notes.docx" in result.stderr and ".qdpx or .qdc" in result.stderr
    result = run("export", "out.pdf", "-p", store, cwd=tmp_path)
    assert result.returncode == 1
    assert ".csv, .xlsx, .qdpx, .qdc" in result.stderr and "out.pdf" in result.stderr
    path = small_qdpx(tmp_path / "slip.qdpx")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("../evil.txt", b"owned")
    result = run("import", str(path), "-p", store, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "zip slip" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_source_with_control_characters_keeps_its_codings_in_place(project, tmp_path: Path):
    """Word's vertical tab and a NUL before the coded words: normalised as ingest does, and
    the selection still lands on the same words."""
    text = "A long enough introduction\x0bline\x00 two. Transport matters.\n"
    start = text.index("Transport")
    path = make_qdpx(
        tmp_path / "ctl.qdpx",
        small_qde(start=start, end=start + len("Transport")),
        {f"sources/{SOURCE}.txt": text.encode()},
    )
    refi.import_qdpx(path, project)
    (coding,) = project.codings()
    (document,) = project.documents()
    assert document.text == "A long enough introduction\nline two. Transport matters.\n"
    assert document.text[coding.start : coding.end] == "Transport"


# one GUID, two objects; references to what the file does not have --------------------------

USER_A = "4A5B6C7D-8E9F-4A0B-9C1D-2E3F4A5B6C7D"
USER_B = "5B6C7D8E-9F0A-4B1C-8D2E-3F4A5B6C7D8E"
OTHER = "6C7D8E9F-0A1B-4C2D-9E3F-4A5B6C7D8E9F"
PROJECT_TAG = '<Project xmlns="urn:QDA-XML:project:1.0" name="hostile">'
CODING_TAG = '<Coding guid="3E4F5061-7283-494A-B526-D7E8F9A0B1C2">'


def with_users(qde: str, users: str, coding_user: str = USER_A) -> str:
    qde = qde.replace(PROJECT_TAG, f"{PROJECT_TAG}\n  <Users>{users}</Users>")
    return qde.replace(CODING_TAG, CODING_TAG.replace(">", f' creatingUser="{coding_user}">'))


def twice_the_source(qde: str) -> str:
    """The TextSource again under another name, with the same GUID."""
    start = qde.index("<TextSource")
    end = qde.index("</TextSource>") + len("</TextSource>")
    second = qde[start:end].replace('name="t1"', 'name="t2"').replace("2D3E4F50", "7D3E4F50")
    return qde[:end] + "\n" + second.replace("3E4F5061-7283", "8E4F5061-7283") + qde[end:]


HOSTILE_IDENTITY = {
    "two users, one guid": (
        with_users(
            small_qde(),
            f'<User guid="{USER_A}" name="amina"/><User guid="{USER_A.lower()}" name="ben"/>',
        ),
        rf"two Users share the GUID {USER_A.lower()} \('amina' and 'ben'\)",
    ),
    "two sources, one guid": (
        twice_the_source(small_qde()),
        rf"two Sources share the GUID {SOURCE.lower()} \('t1' and 't2'\)",
    ),
    "two codes, one guid": (
        small_qde().replace(
            'isCodable="true"/>',
            f'isCodable="true"><Code guid="{{{CODE}}}" name="Buses" isCodable="true"/></Code>',
        ),
        rf"two Codes share the GUID {CODE.lower()} \('Transport' and 'Buses'\)",
    ),
    "two cases, one guid": (
        small_qde().replace(
            "<Sources>",
            f'<Cases><Case guid="{OTHER}" name="R1"/><Case guid="{OTHER}" name="R2"/></Cases>'
            "<Sources>",
        ),
        rf"two Cases share the GUID {OTHER.lower()} \('R1' and 'R2'\)",
    ),
    "a coding by a user not in the file": (
        with_users(small_qde(), f'<User guid="{USER_A}" name="amina"/>', coding_user=USER_B),
        rf"a coding in source 't1' is credited to user {USER_B.lower()}, who is not among",
    ),
    "a case naming a source not in the file": (
        small_qde().replace(
            "<Sources>",
            f'<Cases><Case guid="{USER_B}" name="R1"><SourceRef targetGUID="{OTHER}"/></Case>'
            "</Cases><Sources>",
        ),
        rf"case 'R1' refers to source {OTHER.lower()}, which is not in the file's Sources",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_IDENTITY))
def test_one_guid_for_two_objects_or_a_dangling_reference_is_refused(project, tmp_path, case):
    """Two Users sharing a GUID credited the second's codings to the first; two TextSources
    sharing one duplicated codings: each such file is refused, naming the GUID and both."""
    qde, expected = HOSTILE_IDENTITY[case]
    path = make_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})
    message = refused(project, path)
    assert re.search(expected, message), message


def test_distinct_guids_import_as_before(project, tmp_path):
    """The same file with a GUID for each user imports, each coding credited to its user."""
    qde = with_users(
        small_qde(),
        f'<User guid="{USER_A}" name="amina"/><User guid="{USER_B}" name="ben"/>',
        coding_user=USER_B,
    )
    path = make_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})
    refi.import_qdpx(path, project)
    assert [(c.coder, c.text) for c in project.codings()] == [("ben", "the")]


def test_a_coding_repeated_in_the_file_is_added_once(project, tmp_path):
    """The same Coding twice (one GUID, or two) in a selection is one coding, not two."""
    coding = small_qde()[small_qde().index(CODING_TAG) :]
    coding = coding[: coding.index("</Coding>") + len("</Coding>")]
    again = coding.replace("3E4F5061-7283", "9E4F5061-7283")
    qde = small_qde().replace(coding, coding + coding + again)
    path = make_qdpx(tmp_path / "p.qdpx", qde, {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})
    result = refi.import_qdpx(path, project)
    assert result.codings == 1 and [c.text for c in project.codings()] == ["the"]
    assert sum("repeated coding" in s for s in result.skipped) == 2


@pytest.mark.parametrize("depth, ok", [(100, True), (101, False), (5_000, False)])
def test_codes_nested_past_the_limit_are_refused(project, tmp_path: Path, depth: int, ok: bool):
    """A recursive reader overflowed Python's stack on a tree 50,000 deep (a raw
    RecursionError); a hundred levels is far beyond any codebook and still reads."""
    nested = "".join(
        f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}" isCodable="true">'
        for i in range(depth)
    ) + "</Code>" * depth
    qde = small_qde().replace("</Codes>", nested + "</Codes>")
    path = make_qdpx(tmp_path / "deep.qdpx", qde, {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()})
    if ok:
        refi.import_qdpx(path, project)
        assert len(project.codebook.all()) == depth + 1
    else:
        message = refused(project, path)
        assert "nested more than 100 levels" in message and "deep.qdpx" in message
        assert project.codebook.all() == []
