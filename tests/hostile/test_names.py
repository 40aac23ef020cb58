"""Names refuse control characters and lone surrogates, naming the object; long texts keep
everything but NULs (removed) and lone surrogates (U+FFFD), at every door into the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import qualcode
from qualcode.errors import CodebookError, QualcodeError
from qualcode.interop import refi
from qualcode.model import check_name, clean_name, clean_text
from qualcode.store import schema
from tests.conftest import TRANSCRIPT
from tests.test_refi import SOURCE, SOURCE_TEXT, make_qdpx, refused, small_qde, snapshot

pytestmark = pytest.mark.sqlite_only  # the checks run before any SQL

BAD_NAMES = ["Trans\x00port", "two\nlines", "tab\there", "word\x0bbreak", "lone \ud800", "a\u2028b"]


def test_one_check_refuses_control_characters_and_lone_surrogates_in_names() -> None:
    for bad in BAD_NAMES:
        with pytest.raises(QualcodeError) as caught:
            clean_name(bad, "coder")
        message = str(caught.value)
        assert message.startswith(f"coder {bad!r} contains") and "\n" not in message
        message.encode("utf-8")  # printable: the surrogate is escaped in the message
    assert clean_name("  Amina Khan ", "coder") == "Amina Khan"
    assert check_name("Zoë 🚌 مرحبا", "code") == "Zoë 🚌 مرحبا"


def test_long_texts_lose_only_nuls_and_lone_surrogates() -> None:
    text = "line one\n\ttabbed\x0bword\x00break \ud800 \U0001f68c end"
    assert clean_text(text) == "line one\n\ttabbed\x0bwordbreak \ufffd \U0001f68c end"
    assert clean_text("plain") == "plain"


def test_p_code_refuses_a_bad_coder_and_cleans_the_memo(project: qualcode.Project, doc) -> None:
    project.codebook.add("Access")
    before = snapshot(project)
    for bad in BAD_NAMES:
        with pytest.raises(QualcodeError, match="coder"):
            project.code(doc, 0, 5, "Access", coder=bad)
    assert snapshot(project) == before
    coding = project.code(doc, 0, 5, "Access", coder="amina", memo="why \ud800\x00 here")
    assert project.codings(doc)[0].memo == "why \ufffd here" == clean_text(coding.memo or "")
    project.set_memo(coding, "again \udfff", coder="amina")
    assert project.codings(doc)[0].memo == "again \ufffd"


def test_codebook_refuses_bad_code_names_and_cleans_descriptions(project: qualcode.Project) -> None:
    for bad in BAD_NAMES:
        with pytest.raises(CodebookError, match="code"):
            project.codebook.add(bad)
    assert len(project.codebook) == 0
    code = project.codebook.add("Access", description="desc \ud800\x00.", example="e\x00g")
    assert (code.description, code.example) == ("desc \ufffd.", "eg")
    with pytest.raises(CodebookError, match="code 'two\\\\nlines' contains"):
        project.codebook.rename(code, "two\nlines")
    assert project.codebook.update(code, inclusion="in \udc80").inclusion == "in \ufffd"
    assert project.codebook.get("Access").name == "Access"


def test_memos_clean_their_text_and_refuse_a_bad_title(project: qualcode.Project, doc) -> None:
    memo = project.add_memo("\x01Noticed \ud800 this\x00.\nMore.", coder="amina", document=doc)
    with project.reading() as conn:
        row = conn.execute(select(schema.memos).where(schema.memos.c.id == memo)).one()
    assert row.text == "\x01Noticed \ufffd this.\nMore."
    assert row.title == "Noticed \ufffd this."
    before = snapshot(project)
    with pytest.raises(QualcodeError, match="memo title 'a\\\\tb' contains"):
        project.add_memo("text", coder="amina", title="a\tb")
    with pytest.raises(QualcodeError, match="coder"):
        project.add_memo("text", coder="ami\x00na")
    assert snapshot(project) == before


def test_rounds_and_areas_refuse_bad_names(project: qualcode.Project, doc) -> None:
    with pytest.raises(QualcodeError, match="round name"):
        project.open_round("r\n1", coders=["amina", "bo"], lead="lee", documents=[doc])
    with pytest.raises(QualcodeError, match="lead"):
        project.open_round("r1", coders=["amina", "bo"], lead="l\x00ee", documents=[doc])
    with pytest.raises(QualcodeError, match="area"):
        project.add_document(TRANSCRIPT, area="hart\x00lepool", title="x")


def test_add_document_stores_a_clean_text(project: qualcode.Project) -> None:
    text = "Interviewer: Hi \ud800.\nParticipant: Fine\x00 thanks.\n"
    document = project.add_document(text, area="hartlepool", title="odd")
    assert document.text == "Interviewer: Hi \ufffd.\nParticipant: Fine thanks.\n"
    assert project.document("odd").text == document.text
    with pytest.raises(QualcodeError, match="document title"):
        project.add_document("Some text.", area="hartlepool", title="tab\tbed")


def test_ingest_refuses_a_file_with_a_control_character_in_its_name(
    project: qualcode.Project, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good, bad = folder / "good.txt", folder / "bad\x01name.txt"
    good.write_bytes(b"Participant: fine " + b"x" * 9000 + b"\x00 more.\n")  # NUL after 8 KB
    bad.write_text("Participant: fine.\n")
    report = project.ingest(folder, area="hartlepool", progress=False)
    assert [d.title for d in report.added] == ["good"]
    assert "\x00" not in report.added[0].text and report.added[0].text.endswith(" more.\n")
    [(path, reason)] = report.refused
    assert path == str(bad) and "document title" in reason and "U+0001" in reason


def test_refi_import_refuses_bad_names_and_cleans_texts(
    project: qualcode.Project, tmp_path: Path
) -> None:
    bad_source = small_qde().replace('name="t1"', 'name="t&#9;1"')
    message = refused(project, make_qdpx(tmp_path / "source.qdpx", bad_source, _member()))
    assert "'t\\t1' contains the control character U+0009" in message
    user = '<Users><User guid="4E4F5061-7283-494A-B526-D7E8F9A0B1C2" name="am&#9;ina"/></Users>'
    bad_user = small_qde().replace("<CodeBook>", user + "<CodeBook>")
    message = refused(project, make_qdpx(tmp_path / "user.qdpx", bad_user, _member()))
    assert "coder 'am\\tina' contains" in message
    long_text = SOURCE_TEXT + "y" * 9000 + "\x00 end.\n"  # a NUL past the binary sniff
    out = make_qdpx(
        tmp_path / "ok.qdpx", small_qde(), {f"sources/{SOURCE}.txt": long_text.encode()}
    )
    refi.import_qdpx(out, project)
    [document] = project.documents()
    assert "\x00" not in document.text and document.text.endswith("y end.\n")
    assert [c.code for c in project.codings(document)] == ["Transport"]


def _member() -> dict[str, bytes]:
    return {f"sources/{SOURCE}.txt": SOURCE_TEXT.encode()}
