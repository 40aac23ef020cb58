"""Builders of the hostile-input corpus's files: zips streamed through zlib (a member that
inflates to 300 MB never sits in memory), minimal .docx/.xlsx/.qdpx, and odd text files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

MB = 1024 * 1024
CHUNK = 4 * MB
COMPRESSLEVEL = 1  # fast; a repeated line still deflates about 1000 to 1


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# building blocks ------------------------------------------------------------------------------


def write_zip(path: Path, members: dict[str, bytes | Callable[[], Iterable[bytes]]]) -> Path:
    """A deflated zip; a callable member is streamed chunk by chunk (a bomb never sits in
    memory whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        for name, data in members.items():
            if isinstance(data, bytes):
                zf.writestr(name, data)
                continue
            with zf.open(name, "w", force_zip64=True) as out:
                for chunk in data():
                    out.write(chunk)
    return path


def repeated(
    unit: bytes, total: int, head: bytes = b"", tail: bytes = b""
) -> Callable[[], Iterable[bytes]]:
    """`head`, then `unit` repeated to about `total` bytes, then `tail`, in chunks."""

    def chunks() -> Iterable[bytes]:
        yield head
        block = unit * max(1, CHUNK // len(unit))
        for _ in range(max(1, total // len(block))):
            yield block
        yield tail

    return chunks


def template(kind: str) -> dict[str, bytes]:
    """The members of an empty .docx or .xlsx as python-docx / openpyxl write them."""
    buffer = io.BytesIO()
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_paragraph("placeholder")
        document.save(buffer)
    else:
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["id", "answer"])
        book.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ' + W + b"><w:body>"
)
DOCX_TAIL = b"</w:body></w:document>"


def docx(path: Path, body: bytes | Callable[[], Iterable[bytes]], **extra: bytes) -> Path:
    """A .docx whose word/document.xml is `body` (bytes, or streamed chunks), plus members."""
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = dict(template("docx"))
    members["word/document.xml"] = body
    members.update(extra)
    return write_zip(path, members)


def para(text: str) -> bytes:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'.encode()


def text_file(name: str, text: str | bytes) -> Callable[[Path, bool], Path]:
    def build(folder: Path, full: bool) -> Path:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return build


# decompression bombs and zip tricks -----------------------------------------------------------


def docx_bomb(folder: Path, full: bool) -> Path:
    """0.25 MB inflating to 60 MB of text (the issue's figure at both sizes: it is cheap)."""
    row = para("The bus never comes and nobody answers the phone at the surgery.")
    return docx(folder / "bomb.docx", repeated(row, 60 * MB, DOCX_HEAD, DOCX_TAIL))


def xlsx_bomb(folder: Path, full: bool) -> Path:
    """1.2 MB inflating to 300 MB of sheet XML (120 MB in the tests)."""
    size = (300 if full else 120) * MB
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>answer</t></is></c></row>'
    )
    row = b'<row><c t="inlineStr"><is><t>' + b"It was fine really. " * 20 + b"</t></is></c></row>"
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = dict(template("xlsx"))
    members["xl/worksheets/sheet1.xml"] = repeated(row, size, head, b"</sheetData></worksheet>")
    return write_zip(folder / "bomb.xlsx", members)


def qde(sources: str = "", codes: str = "", users: str = "", head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="hostile">'
        f"{users}<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>"
    )


def guid(i: int, kind: int = 0) -> str:
    return f"{kind:08X}-0000-4000-8000-{i:012X}"


def source_el(i: int, name: str | None = None) -> str:
    return (
        f'<TextSource guid="{guid(i)}" name="{name or f"s{i}"}" '
        f'plainTextPath="internal://{guid(i)}.txt"/>'
    )


def qdpx_many_small(folder: Path, full: bool) -> Path:
    """300 members of 1 MB (0.4 MB in the tests) each, all under the 1 MiB ratio check."""
    each = MB - 1024 if full else 400 * 1024
    line = b"Participant: the bus never comes, so I walk to the surgery.\n"
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = {
        "project.qde": qde("".join(source_el(i) for i in range(300))).encode()
    }
    blob = (line * (each // len(line) + 1))[:each]
    for i in range(300):
        members[f"sources/{guid(i)}.txt"] = blob
    return write_zip(folder / "many-small.qdpx", members)


def qdpx_nested_zip(folder: Path, full: bool) -> Path:
    """A source that is itself a zip (of a 60 MB member): never unpacked, never text."""
    inner = folder / "inner.zip"
    write_zip(inner, {"inner.txt": repeated(b"a" * 64, 60 * MB)})
    data = inner.read_bytes()
    inner.unlink()
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = {
        "project.qde": qde(source_el(1)).encode(),
        f"sources/{guid(1)}.txt": data,
    }
    return write_zip(folder / "nested.qdpx", members)


def docx_lying_sizes(folder: Path, full: bool) -> Path:
    """word/document.xml says it holds 200 bytes; its data inflates to 20 MB."""
    body = DOCX_HEAD + para("x" * 60) * (20 * MB // 100) + DOCX_TAIL
    path = docx(folder / "lying.docx", body)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    local = int.from_bytes(data[central + 42 : central + 46], "little")
    data[central + 24 : central + 28] = (200).to_bytes(4, "little")  # uncompressed size
    data[local + 22 : local + 26] = (200).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def docx_many_members(folder: Path, full: bool) -> Path:
    """5,000 empty members beside a one-line document (100,000 in the full run)."""
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = dict(template("docx"))
    members["word/document.xml"] = DOCX_HEAD + para("Only this line.") + DOCX_TAIL
    for i in range(100_000 if full else 5_000):
        members[f"word/media/m{i}.bin"] = b""
    return write_zip(folder / "many-members.docx", members)


def qdpx_deep_nesting(folder: Path, full: bool) -> Path:
    """Codes nested 50,000 deep (a recursive reader would overflow the stack)."""
    depth = 50_000
    codes = "".join(
        f'<Code guid="{guid(i, 2)}" name="c{i}" isCodable="true">' for i in range(depth)
    )
    codes += "</Code>" * depth
    return write_zip(folder / "deep.qdpx", {"project.qde": qde(codes=codes).encode()})


XXE = '\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    "\n<!DOCTYPE Project [<!ENTITY a0 'ha'>"
    + "".join(f"<!ENTITY a{i} '{('&a' + str(i - 1) + ';') * 10}'>" for i in range(1, 10))
    + "]>"
)


def qdpx_entity(doctype: str, use: str, name: str) -> Callable[[Path, bool], Path]:
    def build(folder: Path, full: bool) -> Path:
        codes = f'<Code guid="{guid(1, 2)}" name="T{use}" isCodable="true"/>'
        return write_zip(folder / name, {"project.qde": qde(codes=codes, head=doctype).encode()})

    return build


def docx_entity(doctype: str, use: str, name: str) -> Callable[[Path, bool], Path]:
    def build(folder: Path, full: bool) -> Path:
        head = DOCX_HEAD.replace(b"\n", doctype.replace("Project", "w:document").encode() + b"\n")
        body = head + para(f"Before {use} after the entity.") + para("Second line.") + DOCX_TAIL
        return docx(folder / name, body)

    return build


def qdpx_zip_slip(folder: Path, full: bool) -> Path:
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = {
        "project.qde": qde(source_el(1)).encode(),
        f"sources/{guid(1)}.txt": b"Participant: hello.\n",
        "../evil.txt": b"owned",
    }
    return write_zip(folder / "slip.qdpx", members)


# names, formulas and questionnaires -----------------------------------------------------------

FORMULAS = ('=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)")


def csv_formulas(folder: Path, full: bool) -> Path:
    rows = ["id,answer"] + [
        f'r{i},"{f.replace(chr(34), chr(34) * 2)}"' for i, f in enumerate(FORMULAS)
    ]
    path = folder / "formulas.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def qdpx_formula_names(folder: Path, full: bool) -> Path:
    codes = f'<Code guid="{guid(1, 2)}" name="=cmd|&apos; /C calc&apos;!A0" isCodable="true"/>'
    users = f'<Users><User guid="{guid(1, 3)}" name="@evil"/></Users>'
    members: dict[str, bytes | Callable[[], Iterable[bytes]]] = {
        "project.qde": qde(source_el(1, "+source"), codes, users).encode(),
        f"sources/{guid(1)}.txt": b"Participant: =1+1 is what I said.\n",
    }
    return write_zip(folder / "formula-names.qdpx", members)


def csv_wide(folder: Path, full: bool) -> Path:
    """A questionnaire of 100,000 columns (20,000 in the tests) and 20 rows."""
    columns = 100_000 if full else 20_000
    path = folder / "wide.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,answer," + ",".join(f"q{i}" for i in range(columns)) + "\n")
        for r in range(20):
            out.write(f"r{r},It was fine really," + ",".join("1" for _ in range(columns)) + "\n")
    return path


def csv_huge_cell(folder: Path, full: bool) -> Path:
    """One answer of 50 MB (and a little): over the one-file limit."""
    path = folder / "huge-cell.csv"
    with path.open("wb") as out:
        out.write(b"id,answer\nr1,")
        block = b"word " * (MB // 5)
        for _ in range(51):
            out.write(block)
        out.write(b"\n")
    return path


def named(name: str, text: str = "Participant: fine, thanks.\n") -> Callable[[Path, bool], Path]:
    return text_file(name, text)


# slow patterns, encodings, control characters -------------------------------------------------


def vtt(cues: list[tuple[str, str]]) -> str:
    return "WEBVTT\n\n" + "".join(f"{t}\n{words}\n\n" for t, words in cues)


def big_transcript(folder: Path, full: bool) -> Path:
    """A plain transcript of 40 MB (2 MB in the tests): under the limit, kept whole."""
    path = folder / "big.txt"
    line = "Participant: the bus never comes and the surgery never answers the phone.\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range((40 if full else 2) * MB // len(line)):
            out.write(line)
    return path


STRAY = "Participant: the café was shut. It was all very naïve.\n"
UTF16 = "Участник: автобус никогда не приходит.\nУчастник: я иду пешком.\n"
SURROGATE_NAME = "caf\udce9"  # the name b"caf\xe9" (Latin-1) as Python reads it
EMOJI = "".join(chr(0x1F600 + i % 80) for i in range(200_000))
MIXED = "Hi! 中文。Ελληνικά; عربي؟ हिन्दी। " * 6_000
CONTROLS = "Participant: one\x0bline (Word's line break)\x0cand\x01a\x7fbell.\n"


def every_other_zero(folder: Path, full: bool) -> Path:
    data = bytes((i * 37 + 101) % 200 + 40 for i in range(20_000))
    path = folder / "binary.txt"
    path.write_bytes(b"".join(bytes([b, 0]) for b in data))
    return path


def surrogate_name(folder: Path, full: bool) -> Path:
    path = folder / f"{SURROGATE_NAME}.txt"
    path.write_text("Participant: fine.\n", encoding="utf-8")
    return path


def nul_after_sniff(folder: Path, full: bool) -> Path:
    path = folder / "nul.txt"
    path.write_bytes(b"Participant: " + b"y" * 9000 + b"\x00 end.\n")
    return path
