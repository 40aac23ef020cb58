"""The codebook as a training handout for community researchers: Markdown or Word.

Codes in tree order, each with what it means, when to use it and when not to, an example and
its key on the coding screen, in plain words. Written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.files import atomic_path
from qualcode.sheets import xml_text

if TYPE_CHECKING:
    from qualcode.project import Project

SUFFIXES = (".md", ".docx")
INTRO = (
    "This is the list of codes we use. A code is a label for what someone is talking about. "
    "When a passage fits a code, select the words and press the code's key (or find the code "
    "with /). One passage can have more than one code. If you are not sure, leave it and ask "
    "at the next session: there are no wrong questions."
)
FIELDS = (
    ("description", "What it means"),
    ("inclusion", "Use it when"),
    ("exclusion", "Don't use it when"),
)


def _codes(project: Project) -> list[dict[str, Any]]:
    frame = project.codes_df()
    if frame.empty:
        raise QualcodeError(
            f"the codebook of {project.location} is empty; add codes before making a handout"
        )
    rows = []
    for row in frame.itertuples():
        rows.append(
            {
                "name": row.name,
                "path": row.path,
                "depth": int(row.depth),
                "description": _text(row.description),
                "inclusion": _text(row.inclusion),
                "exclusion": _text(row.exclusion),
                "example": _text(row.example),
                "shortcut": _text(row.shortcut),
                "color": _text(row.color),
                "parent": _text(row.parent),
            }
        )
    return rows


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def export_handout(project: Project, path: str | Path, *, title: str | None = None) -> Path:
    """Write the codebook handout to `path` (.md or .docx, by extension), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise QualcodeError(
            f"{path}: write the handout as {' or '.join(SUFFIXES)}, not {suffix or 'no'} extension"
        )
    codes = _codes(project)
    title = title or "Our codebook: a guide for coders"
    with atomic_path(path) as tmp:
        if suffix == ".md":
            tmp.write_text(_markdown(codes, title), encoding="utf-8")
        else:
            _docx(codes, title).save(str(tmp))
    return path


def _keys(codes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((c["shortcut"], c["path"]) for c in codes if c["shortcut"])


def _markdown(codes: list[dict[str, Any]], title: str) -> str:
    out = [f"# {title}", "", INTRO, ""]
    keys = _keys(codes)
    if keys:
        out += ["## Keys on the coding screen", "", "| key | code |", "| --- | --- |"]
        out += [f"| {k} | {p} |" for k, p in keys]
        out.append("")
    out += ["## The codes", ""]
    for c in codes:
        level = "#" * min(3 + c["depth"], 6)
        out += [f"{level} {c['name']}", ""]
        if c["parent"]:
            out += [f"*Part of: {c['parent']}*", ""]
        for field, label in FIELDS:
            if c[field]:
                out += [f"**{label}:** {c[field]}", ""]
        if c["example"]:
            out += ["**Example:**", "", "> " + c["example"].replace("\n", "\n> "), ""]
        if c["shortcut"]:
            out += [f"**Key:** press `{c['shortcut']}`", ""]
    return "\n".join(out).rstrip() + "\n"


def _docx(codes: list[dict[str, Any]], title: str) -> Any:
    from docx import Document
    from docx.shared import RGBColor

    # a control character pasted into a description would stop python-docx half way
    codes = [{k: xml_text(v) if isinstance(v, str) else v for k, v in c.items()} for c in codes]
    title = xml_text(title)
    doc = Document()
    doc.add_heading(title, level=0)
    doc.add_paragraph(INTRO)
    keys = _keys(codes)
    if keys:
        doc.add_heading("Keys on the coding screen", level=1)
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Key", "Code"
        for key, path in keys:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = key, path
    doc.add_heading("The codes", level=1)
    for c in codes:
        heading = doc.add_heading(level=min(2 + c["depth"], 9))
        swatch = heading.add_run("■ ")
        if c["color"].startswith("#") and len(c["color"]) == 7:
            swatch.font.color.rgb = RGBColor.from_string(c["color"][1:].upper())
        heading.add_run(c["name"])
        if c["parent"]:
            doc.add_paragraph().add_run(f"Part of: {c['parent']}").italic = True
        for field, label in FIELDS:
            if c[field]:
                para = doc.add_paragraph()
                para.add_run(f"{label}: ").bold = True
                para.add_run(c[field])
        if c["example"]:
            para = doc.add_paragraph()
            para.add_run("Example: ").bold = True
            para.add_run(c["example"]).italic = True
        if c["shortcut"]:
            para = doc.add_paragraph()
            para.add_run("Key: ").bold = True
            para.add_run(f"press {c['shortcut']}")
    return doc
