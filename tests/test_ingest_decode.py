"""Encodings, normalisation and the size and emptiness checks made before anything is read."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qualcode.errors import IngestError
from qualcode.ingest.decode import DecodeWarning, decode_bytes, normalise, read_text

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


def test_utf8_with_one_stray_byte_is_read_as_utf8_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "stray.txt"
    good = TEXT.encode("utf-8")
    cut = good.index(b"Aye")
    path.write_bytes(good[:cut] + b"\xff" + good[cut:])
    with pytest.warns(DecodeWarning, match=rf"stray\.txt: byte {cut} \(line 2\) is not UTF-8"):
        text = read_text(path)
    assert text == TEXT.replace("Aye", "\ufffdAye")


def test_text_that_is_not_utf8_at_all_is_still_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Plain words, then one café.\n".encode("cp1252"))
    assert read_text(path) == "Plain words, then one café.\n"


@pytest.mark.parametrize(
    "text",
    [
        "انٹرویو لینے والا: آپ کیسے ہیں؟\nشریک: ٹھیک ہوں، شکریہ۔\n",  # Urdu
        "Ankieter: Jak się pani czuje?\nUczestniczka: Dziękuję, dobrze.\n",  # Polish
    ],
    ids=["urdu", "polish"],
)
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_in_any_script(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode(encoding))
    assert read_text(path) == text


def test_utf16_without_bom_that_is_damaged_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes(TEXT.encode("utf-16-le")[:-1])  # one byte short
    with pytest.raises(IngestError, match=r"cut\.txt: is UTF-16 without a byte-order mark"):
        read_text(path)


def test_binary_with_every_other_byte_zero_is_refused(tmp_path: Path) -> None:
    import random

    rng = random.Random(3)
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(b for _ in range(4000) for b in (rng.randrange(1, 256), 0)))
    with pytest.raises(IngestError, match=r"data\.txt: looks like a binary file"):
        read_text(path)


def test_control_characters_are_normalised() -> None:
    raw = "line\vbreak\x00gone\x07bell\u2028sep\x0cpage\ud800lone\x85nel\tkept"
    assert normalise(raw) == "line\nbreakgonebell\nsep\npage\ufffdlone\nnel\tkept"
    assert normalise(normalise(raw)) == normalise(raw)


def test_a_stray_nul_or_word_line_break_in_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "word.txt"
    path.write_bytes(b"Interviewer: Hello?\x0bAnd you?\nParticipant: Fine\x00.\n")
    assert read_text(path) == "Interviewer: Hello?\nAnd you?\nParticipant: Fine.\n"
