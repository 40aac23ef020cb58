"""The hostile-input corpus: one file per hostile or careless input, each with what must happen.

Files are generated (never committed): bombs are streamed through zlib, so a member that
inflates to 300 MB costs a few seconds to build and almost no disk. `build_corpus(folder)`
writes the small-but-representative sizes the tests use; `full=True` the sizes of issue 14,
which benchmarks/bench_hostile.py measures.

    python -m tests.hostile.make_corpus OUT [--full]   # write the files, list the entries
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.hostile.builders import (
    CONTROLS,
    EMOJI,
    FORMULAS,
    LAUGHS,
    MB,
    MIXED,
    STRAY,
    UTF16,
    XXE,
    big_transcript,
    csv_formulas,
    csv_huge_cell,
    csv_wide,
    digest,
    docx_bomb,
    docx_entity,
    docx_lying_sizes,
    docx_many_members,
    every_other_zero,
    named,
    nul_after_sniff,
    qdpx_deep_nesting,
    qdpx_entity,
    qdpx_formula_names,
    qdpx_many_small,
    qdpx_nested_zip,
    qdpx_zip_slip,
    surrogate_name,
    text_file,
    vtt,
    xlsx_bomb,
)


@dataclass(frozen=True)
class After:
    """What must hold after an accepted input (None or empty: not checked)."""

    documents: int | None = None  # current documents in the project
    sha256: str | None = None  # of the one document's text: the text kept intact
    contains: tuple[str, ...] = ()  # in some document's text
    absent: tuple[str, ...] = ()  # in no document's text, title or unit speaker
    titles: tuple[str, ...] = ()  # the documents' titles, sorted
    codes: tuple[str, ...] = ()  # the codebook's paths, sorted


@dataclass(frozen=True)
class Entry:
    """One hostile input: how it is built, which door it goes through, what must happen."""

    name: str
    door: str  # "ingest", "refi" (REFI-QDA import) or "merge"
    expect: str  # "refused" or "accepted"
    build: Callable[[Path, bool], Path]  # (folder, full) -> the file
    names: tuple[str, ...] = ()  # refused: what the one-line message names, besides the file
    after: After = After()  # accepted: what must hold afterwards
    fixed_by: str = ""  # the part of issue 14 that makes it pass


# the corpus -----------------------------------------------------------------------------------

SEGMENT = "segmentation (hostile-corpus)"
NAMES = "names and texts (hostile-corpus)"
BOMBS = "limits on what is decompressed (readers)"
ENC = "encodings (readers)"
VTTFIX = "VTT times, tags and speakers (readers)"
DOCXFIX = "docx entities (readers)"

ENTRIES: tuple[Entry, ...] = (
    # decompression bombs and zip tricks
    Entry(
        "docx bomb inflating to 60 MB", "ingest", "refused", docx_bomb, ("limit",), fixed_by=BOMBS
    ),
    Entry(
        "xlsx bomb inflating to 300 MB", "ingest", "refused", xlsx_bomb, ("limit",), fixed_by=BOMBS
    ),
    Entry(
        "qdpx of 300 small members, 300 MB",
        "refi",
        "refused",
        qdpx_many_small,
        ("limit",),
        fixed_by=BOMBS,
    ),
    Entry("qdpx source that is a zip", "refi", "refused", qdpx_nested_zip, fixed_by=BOMBS),
    Entry("docx zip with lying sizes", "ingest", "refused", docx_lying_sizes, fixed_by=BOMBS),
    Entry(
        "docx with many members",
        "ingest",
        "refused",
        docx_many_members,
        ("files", "10,000"),
        fixed_by=BOMBS,
    ),
    Entry("qdpx nested 50,000 deep", "refi", "refused", qdpx_deep_nesting, fixed_by="REFI reader"),
    Entry(
        "qdpx XXE",
        "refi",
        "refused",
        qdpx_entity(XXE, "&xxe;", "xxe.qdpx"),
        ("DTD or entities",),
        fixed_by="already",
    ),
    Entry(
        "qdpx billion laughs",
        "refi",
        "refused",
        qdpx_entity(LAUGHS, "&a9;", "laughs.qdpx"),
        ("DTD or entities",),
        fixed_by="already",
    ),
    Entry("qdpx zip slip", "refi", "refused", qdpx_zip_slip, ("zip slip",), fixed_by="already"),
    Entry(
        "docx with an entity",
        "ingest",
        "refused",
        docx_entity("\n<!DOCTYPE Project [<!ENTITY e 'x'>]>", "&e;", "entity.docx"),
        fixed_by=DOCXFIX,
    ),
    Entry(
        "docx XXE",
        "ingest",
        "refused",
        docx_entity(XXE, "&xxe;", "xxe.docx"),
        fixed_by=DOCXFIX,
    ),
    Entry(
        "docx billion laughs",
        "ingest",
        "refused",
        docx_entity(LAUGHS, "&a9;", "laughs.docx"),
        fixed_by=DOCXFIX,
    ),
    # slow patterns
    Entry(
        "VTT cue of 40,000 '<'",
        "ingest",
        "refused",  # an unclosed tag runs to the end of its cue: no words are left
        text_file("angles.vtt", vtt([("00:00:01.000 --> 00:00:02.000", "<" * 40_000)])),
        ("no caption text",),
        fixed_by=VTTFIX,
    ),
    *(
        Entry(
            f"{label} ({len(text) // 1000} K characters)",
            "ingest",
            "accepted",
            text_file(f"{file}.txt", text),
            after=After(documents=1, sha256=digest(text)),
            fixed_by=SEGMENT,
        )
        for label, file, text in (
            ("'!'", "bangs-8k", "!" * 8_000 + "\n"),
            ("'!'", "bangs-200k", "!" * 200_000 + "\n"),
            ("'.'", "dots", "." * 200_000 + "\n"),
            ("'?!'", "interrobangs", "?!" * 100_000 + "\n"),
            ("one word", "one-word", "w" * 200_000 + "\n"),
            ("emoji", "emoji", EMOJI + "\n"),
            ("newlines", "newlines", "\n" * 200_000 + "x\n"),
            ("mixed scripts", "mixed-scripts", MIXED + "\n"),
        )
    ),
    # encodings
    Entry(
        "UTF-8 with one stray byte",
        "ingest",
        "accepted",
        text_file("stray.txt", STRAY.encode() * 50 + b"\xff\n"),
        after=After(documents=1, contains=("café", "naïve"), absent=("cafÃ©",)),
        fixed_by=ENC,
    ),
    Entry("every other byte zero", "ingest", "refused", every_other_zero, fixed_by=ENC),
    Entry(
        "UTF-16 without a BOM",
        "ingest",
        "accepted",
        text_file("utf16.txt", UTF16.encode("utf-16-le")),
        after=After(documents=1, sha256=digest(UTF16)),
        fixed_by=ENC,
    ),
    Entry(
        "lone surrogate in a file name",
        "ingest",
        "refused",
        surrogate_name,
        ("lone surrogate",),
        fixed_by=NAMES,
    ),
    Entry(
        "NUL past the binary sniff",
        "ingest",
        "accepted",
        nul_after_sniff,
        after=After(documents=1, sha256=digest("Participant: " + "y" * 9000 + " end.\n")),
        fixed_by=NAMES,
    ),
    Entry(
        "control characters in a transcript",
        "ingest",
        "accepted",
        text_file("controls.txt", CONTROLS),
        after=After(documents=1, contains=("one", "bell.")),
        fixed_by="already",
    ),
    Entry(
        "40 MB plain transcript",
        "ingest",
        "accepted",
        big_transcript,
        after=After(documents=1),
        fixed_by="already",
    ),
    # VTT
    Entry(
        "VTT time 99:99:99",
        "ingest",
        "refused",
        text_file("times.vtt", vtt([("99:99:99.999 --> 99:99:99.999", "Ana: hello.")])),
        fixed_by=VTTFIX,
    ),
    Entry(
        "VTT cue ending before it starts",
        "ingest",
        "refused",
        text_file("backwards.vtt", vtt([("00:00:05.000 --> 00:00:01.000", "Ana: hello.")])),
        fixed_by=VTTFIX,
    ),
    Entry(
        "VTT <script> speaker",
        "ingest",
        "refused",
        text_file(
            "script.vtt",
            vtt([("00:00:01.000 --> 00:00:02.000", "<v <script>alert(1)</script>>Hello there.")]),
        ),
        ("line 3", "is not a name"),
        fixed_by=VTTFIX,
    ),
    # names, formulas, questionnaires
    Entry(
        "file name with a control character",
        "ingest",
        "refused",
        named("bad\x01name.txt"),
        ("U+0001",),
        fixed_by=NAMES,
    ),
    Entry(
        "file names that look like paths and formulas",
        "ingest",
        "accepted",
        lambda folder, full: _several(folder),
        after=After(documents=3, titles=("-rf", "%2e%2e%2fetc%2fpasswd", "=cmd|' -C calc'!A0")),
        fixed_by="already",
    ),
    Entry(
        "formula answers",
        "ingest",
        "accepted",
        csv_formulas,
        after=After(documents=4, contains=FORMULAS),
        fixed_by="already",
    ),
    Entry(
        "formula code, user and source names",
        "refi",
        "accepted",
        qdpx_formula_names,
        after=After(documents=1, titles=("+source",), codes=("=cmd|' /C calc'!A0",)),
        fixed_by="already",
    ),
    Entry(
        "CSV of 100,000 columns",
        "ingest",
        "refused",
        csv_wide,
        ("columns", "16,384"),
        fixed_by=BOMBS,
    ),
    Entry(
        "CSV with one 50 MB cell",
        "ingest",
        "refused",
        csv_huge_cell,
        ("limit",),
        fixed_by="already",
    ),
    # merge
    Entry(
        "merge a file that is not a project",
        "merge",
        "refused",
        named("laptop.qualcode", "x" * 5000),
    ),
)


def _several(folder: Path) -> Path:
    """A folder of files whose names look like options, paths and formulas."""
    sub = folder / "names"
    sub.mkdir()
    for name in ("-rf", "%2e%2e%2fetc%2fpasswd", "=cmd|' -C calc'!A0"):
        (sub / f"{name}.txt").write_text("Participant: fine, thanks.\n", encoding="utf-8")
    return sub


def build_corpus(folder: Path, *, full: bool = False) -> list[tuple[Entry, Path]]:
    """Write every entry's file into its own subfolder of `folder`."""
    built = []
    for i, entry in enumerate(ENTRIES):
        sub = folder / f"{i:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        built.append((entry, entry.build(sub, full)))
    return built


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m tests.hostile.make_corpus OUT [--full]")
    for entry, path in build_corpus(Path(sys.argv[1]), full="--full" in sys.argv):
        print(f"{entry.expect:9} {entry.door:7} {path.stat().st_size / MB:8.2f} MB  {entry.name}")
