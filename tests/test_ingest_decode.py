"""Encodings, normalisation and the size and emptiness checks made before anything is read."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qualcode.errors import IngestError
from qualcode.ingest.decode import decode_bytes, normalise, read_text

TEXT = "Interviewer: Café at eight?\nParticipant: Aye, naïve of me — £3 for a brew.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-le"),  # without BOM
        TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252", "cp1252-crlf"],
)
def test_encodings_are_detected_and_normalised(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    assert read_text(path) == TEXT


def test_normalise_is_nfc_with_newlines_and_no_bom() -> None:
    decomposed = "\ufeffCafe\u0301\r\nline\rend"
    assert normalise(decomposed) == "Café\nline\nend"
    assert normalise(normalise(decomposed)) == normalise(decomposed)


def test_binary_and_undecodable_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, tmp_path / "x.txt")
    with pytest.raises(IngestError, match=r"x\.txt: cannot be read as UTF-8 or cp1252"):
        decode_bytes(b"fine words then \x81\x8d\x8f\x90", tmp_path / "x.txt")


def test_empty_blank_and_oversized_files(tmp_path: Path) -> None:
    empty, blank, big = tmp_path / "e.txt", tmp_path / "b.txt", tmp_path / "big.txt"
    empty.write_bytes(b"")
    blank.write_text("\n  \n\t\n")
    big.write_bytes(b"word " * 300_000)  # 1.4 MB
    with pytest.raises(IngestError, match=r"e\.txt: the file is empty"):
        read_text(empty)
    with pytest.raises(IngestError, match="only blank lines"):
        read_text(blank)
    with pytest.raises(IngestError, match=r"is 1\.4 MB, over the 1 MB limit .* --max-mb"):
        read_text(big, max_mb=1)
    assert read_text(big, max_mb=2).startswith("word word")
