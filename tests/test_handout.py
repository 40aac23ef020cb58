"""The codebook as a training handout (Markdown and Word), in tree order, in plain words."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from qualcode.errors import QualcodeError
from qualcode.interop.codebook_files import import_codebook
from qualcode.interop.handout import export_handout
from tests.conftest import ROOT


@pytest.fixture
def codebook(project):  # type: ignore[no-untyped-def]
    import_codebook(project, ROOT / "data" / "raw" / "codebook.yaml")
    return project


@pytest.mark.sqlite_only
def test_markdown_handout(codebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = export_handout(codebook, tmp_path / "handout.md")
    text = out.read_text(encoding="utf-8")
    codes = codebook.codes_df()
    positions = [text.index(f" {name}\n") for name in codes["name"]]
    assert positions == sorted(positions)  # tree order
    gp = codes[codes["name"] == "Access to GP"].iloc[0]
    assert f"**What it means:** {gp['description']}" in text
    assert f"**Use it when:** {gp['inclusion']}" in text
    assert f"**Don't use it when:** {gp['exclusion']}" in text
    assert f"> {gp['example']}" in text and "**Key:** press `1`" in text
    assert "| 1 | Access to services/Access to GP |" in text
    assert "### Access to services\n" in text and "#### Access to GP\n" in text


@pytest.mark.sqlite_only
def test_docx_handout_opens_in_word(codebook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = export_handout(codebook, tmp_path / "handout.docx", title="Hartlepool codes")
    d = docx.Document(str(out))
    paras = [p.text for p in d.paragraphs]
    assert paras[0] == "Hartlepool codes"
    headings = [
        p.text.removeprefix("■ ") for p in d.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[2:] == list(codebook.codes_df()["name"])
    assert any(p.startswith("Use it when: Ringing at 8am") for p in paras)
    assert any(p.startswith("Don't use it when: ") for p in paras)
    table = d.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["1", "Access to services/Access to GP"]
    swatch = next(p for p in d.paragraphs if p.text == "■ Access to GP").runs[0]
    assert str(swatch.font.color.rgb) == "0072B2"


@pytest.mark.sqlite_only
def test_bad_extension_or_empty_codebook_writes_nothing(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QualcodeError, match=r"codebook .* is empty"):
        export_handout(project, tmp_path / "h.md")
    project.codebook.add("One")
    with pytest.raises(QualcodeError, match=r"\.md or \.docx"):
        export_handout(project, tmp_path / "h.pdf")
    assert list(tmp_path.glob("h*")) == []
