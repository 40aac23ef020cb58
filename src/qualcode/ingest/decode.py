"""Bytes to normalised text: encoding detection, size limits and one normalisation.

Transcripts arrive from Word, phones and caption tools in UTF-8 (with or without a BOM),
UTF-16 or Windows cp1252. Text is normalised once, here (NFC, `\\n` line ends, no BOM), so
every offset stored afterwards refers to exactly the text that is kept.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from qualcode.errors import IngestError
from qualcode.model import clean_text

DEFAULT_MAX_MB = 50.0
MB = 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise(text: str) -> str:
    """NFC, `\\n` line ends, no byte-order mark, no NUL, U+FFFD for a lone surrogate: the one
    form qualcode stores."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = clean_text(text)
    return unicodedata.normalize("NFC", text)


def decode_bytes(data: bytes, path: Path | str) -> str:
    """Decode file bytes, trying BOMs, UTF-16 without BOM, UTF-8, then cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(path, _undecodable(exc, encoding)) from exc
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise IngestError(
            path,
            "looks like a binary file, not text; save it as .txt or .docx, or leave it out",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(path, _undecodable(utf8_error, "UTF-8 or cp1252")) from utf8_error


def read_text(path: Path, *, max_mb: float = DEFAULT_MAX_MB) -> str:
    """Read a text file whole after checking its size; refuse empty, binary or huge files."""
    check_size(path, max_mb=max_mb)
    text = normalise(decode_bytes(path.read_bytes(), path))
    if not text.strip():
        raise IngestError(path, "has only blank lines: there is nothing to ingest")
    return text


def check_size(path: Path, *, max_mb: float = DEFAULT_MAX_MB) -> int:
    """Refuse a missing, empty or oversized file before reading any of it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise IngestError(path, "does not exist; check the path") from exc
    if size == 0:
        raise IngestError(path, "the file is empty: there is nothing to ingest")
    if size > max_mb * MB:
        raise IngestError(
            path,
            f"is {size / MB:.1f} MB, over the {max_mb:g} MB limit for one file; "
            "split it, or raise the limit with --max-mb",
        )
    return size


def _utf16_without_bom(data: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte; say which byte order."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    return b"\x00" in sample or control > 0.05 * len(sample)


def _undecodable(exc: UnicodeDecodeError, tried: str) -> str:
    return (
        f"cannot be read as {tried} text (bad byte at position {exc.start}); "
        "open it and save it again as UTF-8"
    )
