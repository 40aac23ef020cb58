"""Bytes to normalised text: encoding detection, size limits and one normalisation.

Transcripts arrive from Word, phones and caption tools in UTF-8 (with or without a BOM),
UTF-16 or Windows cp1252. Text is normalised once, here (NFC, `\\n` line ends, no BOM, no
control characters), so every offset stored afterwards refers to exactly the text that is kept.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
from pathlib import Path

from qualcode.errors import IngestError
from qualcode.files import MB
from qualcode.ingest.limits import DEFAULT_MAX_MB, HINT, Limits

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What `normalise` does to each control character: line and page breaks (Word's vertical tab
# is its manual line break) become "\n"; the rest, NUL included, go; tab and newline stay.
_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
CONTROL_MAP: dict[int, str | None] = {
    **{c: None for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if c not in (0x09, 0x0A)},
    **{ord(c): "\n" for c in _BREAKS},
    0xFEFF: None,  # a byte-order mark is not a character of the text
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


class DecodeWarning(UserWarning):
    """A file was read, but not exactly as written (a stray byte replaced by U+FFFD)."""


def normalise(text: str) -> str:
    """NFC, `\\n` line ends, no byte-order mark, no control characters other than tab and
    newline, lone surrogates as U+FFFD: the one form qualcode stores."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(CONTROL_MAP)
    return unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))


def decode_bytes(data: bytes, path: Path | str) -> str:
    """Decode file bytes: a BOM's encoding, UTF-16 without BOM, UTF-8 (with a stray byte
    replaced and a warning), then cp1252 for text that is not UTF-8 at all."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _text_not_binary(data.decode(encoding), path)
            except UnicodeDecodeError as exc:
                raise IngestError(path, _undecodable(exc, encoding)) from exc
    order = _utf16_order(data)
    if order:
        try:
            return _text_not_binary(data.decode(order), path)
        except UnicodeDecodeError:
            raise IngestError(path, _NO_BOM) from None
    if _looks_binary(data):
        raise IngestError(path, _BINARY)
    if b"\x00" in data:  # a stray NUL in UTF-8 text is dropped; never guess cp1252 here
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise IngestError(path, _NUL) from None
    text = data.decode("utf-8", errors="surrogateescape")
    stray = [m.start() for m in _ESCAPED.finditer(text)]
    if not stray:
        return text
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - len(stray)
    if multibyte >= len(stray):  # mostly UTF-8: a stray byte, not another encoding
        _warn_stray(text, stray, path)
        return _ESCAPED.sub("\ufffd", text)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        position = len(text[: stray[0]].encode("utf-8", "surrogateescape"))
        bad = UnicodeDecodeError("utf-8", data, position, position + 1, "invalid")
        raise IngestError(path, _undecodable(bad, "UTF-8 or cp1252")) from exc


def read_text(path: Path, *, max_mb: float = DEFAULT_MAX_MB) -> str:
    """Read a text file whole after checking its size; refuse empty, binary or huge files."""
    check_size(path, max_mb=max_mb)
    limit = int(max_mb * MB)
    with path.open("rb") as fh:
        data = fh.read(limit + 1)  # a file that grew since it was measured is cut off here
    if len(data) > limit:
        check_size(path, max_mb=max_mb, size=len(data))
    text = normalise(decode_bytes(data, path))
    Limits(max_mb).check_text(path, len(text))
    if not text.strip():
        raise IngestError(path, "has only blank lines: there is nothing to ingest")
    return text


def check_size(path: Path, *, max_mb: float = DEFAULT_MAX_MB, size: int | None = None) -> int:
    """Refuse a missing, empty or oversized file before reading any of it."""
    try:
        size = path.stat().st_size if size is None else size
    except FileNotFoundError as exc:
        raise IngestError(path, "does not exist; check the path") from exc
    if size == 0:
        raise IngestError(path, "the file is empty: there is nothing to ingest")
    if size > max_mb * MB:
        raise IngestError(
            path,
            f"is {size / MB:.1f} MB, over the {max_mb:g} MB limit for one file; "
            f"split it, or {HINT}",
        )
    return size


_BINARY = "looks like a binary file, not text; save it as .txt or .docx, or leave it out"
_NO_BOM = "is UTF-16 without a byte-order mark and cannot be read as such; save it as UTF-8"
_NUL = (
    "has NUL bytes: it is a binary file, or UTF-16 text without a byte-order mark; "
    "if it is text, save it as UTF-8"
)


def _utf16_order(data: bytes) -> str | None:
    """UTF-16's byte order from its NULs, or None when the bytes do not have UTF-16's shape.

    Text in UTF-16 has a NUL in one byte of every ASCII character (spaces, digits, line
    ends, and all of English: a tenth of the characters even in Urdu) and seldom in the other.
    """
    sample = data[: 8192 - 8192 % 2]
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < max(0.1 * pairs, 2) or min(even, odd) > 0.25 * max(even, odd):
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _textlike(text: str) -> float:
    """The share of characters that are letters, digits, marks, punctuation or spaces."""
    if not text:
        return 0.0
    good = sum(1 for c in text if c in "\t\n\r" or unicodedata.category(c)[0] in "LMNPZS")
    return good / len(text)


def _text_not_binary(text: str, path: Path | str) -> str:
    sample = text[:8192]
    if _textlike(sample) < 0.9:
        raise IngestError(path, _BINARY)
    return text


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    return control > 0.05 * len(sample)


def _warn_stray(text: str, stray: list[int], path: Path | str) -> None:
    first = stray[0]
    line = text.count("\n", 0, first) + 1
    offset = len(text[:first].encode("utf-8", "surrogateescape"))
    more = f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""
    warnings.warn(
        f"{path}: byte {offset} (line {line}) is not UTF-8{more}; it was read as UTF-8 with "
        "that byte replaced by U+FFFD: check the file if a character is missing there",
        DecodeWarning,
        stacklevel=3,
    )


def _undecodable(exc: UnicodeDecodeError, tried: str) -> str:
    return (
        f"cannot be read as {tried} text (bad byte at position {exc.start}); "
        "open it and save it again as UTF-8"
    )
