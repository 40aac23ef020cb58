"""Reading and writing files safely: no half-written file after a crash or an error, no zip
that expands past its limits, no XML with a DTD or entities.

Every zip qualcode opens (.docx, .xlsx, .qdpx) goes through `BoundedZip`, so the limits on
what an archive may expand to are checked in one place: from the zip directory before
anything is read, and again while reading, because the directory can lie.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET
from xml.sax.handler import ContentHandler

MB = 1024 * 1024
ErrorFactory = Callable[[Path, str], Exception]

SHARED_MODE = 0o666  # what open() asks for: the umask then decides who may read an export


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int = SHARED_MODE) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds.

    The file is created with `mode` less the umask, as open() would create it (0644 under
    the usual umask 0022), so an export can be shared like any saved file; pass 0o600 for a
    secret (mkstemp's 0600 made every export private whatever the umask said). Like open(),
    writing over a file keeps its permissions (never looser than `mode`): an export someone
    made private stays private when it is written again."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{target.suffix}"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        except FileExistsError:
            continue
        os.close(fd)
        break
    try:
        yield tmp
        with contextlib.suppress(FileNotFoundError):  # as open() keeps them, once written
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) & mode)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@dataclass(frozen=True)
class ZipLimits:
    """What one archive may expand to.

    Text deflates 3-10 times and XML 10-30 times; zip bombs 200-1000 times. A member or an
    archive under `ratio_floor` bytes may compress any amount: it cannot hurt.
    """

    total_bytes: int  # everything in the archive, as its directory declares it
    member_bytes: int  # any one member read
    members: int = 10_000
    ratio: float = 100.0
    ratio_floor: int = 64 * 1024


class BoundedZip:
    """A zip opened for reading members into memory within `ZipLimits`, never onto disk.

    `refused` builds the error for a file over a limit, `damaged` the one for a file that is
    not a zip or is broken; both take (path, reason). `hint` says how to raise the limit on a
    member's size, and on the total and the member count too unless `hint_total` is False.
    The ratio is not raised: no genuine file compresses like a bomb.
    """

    def __init__(
        self,
        path: Path,
        limits: ZipLimits,
        *,
        refused: ErrorFactory,
        damaged: ErrorFactory,
        hint: str,
        kind: str = "zip",
        hint_total: bool = True,
    ) -> None:
        self.path, self.limits, self.hint = Path(path), limits, hint
        self.total_hint = f" ({hint})" if hint_total else ""
        self.refused, self.damaged = refused, damaged
        self.total = 0  # bytes read so far
        try:
            self.zf = zipfile.ZipFile(self.path)
            self.infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise damaged(self.path, f"is not a readable {kind} file ({exc})") from None
        try:
            self._check_directory()
        except Exception:
            self.zf.close()
            raise

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zf.close()

    def info(self, name: str) -> zipfile.ZipInfo | None:
        """The member called `name` (exactly as stored), or None."""
        return next((i for i in self.infos if i.filename == name), None)

    def check_member(self, info: zipfile.ZipInfo, limit: int | None = None) -> None:
        """Refuse a member whose declared size or compression ratio is over the limits."""
        limit = self.limits.member_bytes if limit is None else limit
        if info.file_size > limit:
            raise self.refused(
                self.path,
                f"{info.filename} is {info.file_size / MB:.1f} MB, over the {limit / MB:g} MB "
                f"limit; it was refused before reading ({self.hint})",
            )
        if self._too_compressed(info.file_size, info.compress_size):
            ratio = info.file_size / max(info.compress_size, 1)
            raise self.refused(
                self.path,
                f"{info.filename} would expand {ratio:.0f} times (to {info.file_size / MB:.1f} "
                f"MB); that looks like a zip bomb (limit {self.limits.ratio:g} times), "
                "refused unread",
            )

    def read(self, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
        """A member's bytes, refused before reading if its directory entry is over the limits,
        and while reading if it turns out larger than the entry said."""
        self.check_member(info, limit)
        with self.open(info) as fh:
            return fh.read()

    @contextlib.contextmanager
    def open(self, info: zipfile.ZipInfo) -> Iterator[BoundedStream]:
        """A stream of a member that stops at its declared size and at the archive's total."""
        try:
            fh = self.zf.open(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise self.damaged(self.path, f"{info.filename} is damaged ({exc})") from None
        except RuntimeError as exc:  # encrypted members
            raise self.damaged(self.path, f"{info.filename} cannot be read ({exc})") from None
        with fh:
            yield BoundedStream(self, info, fh)

    def count(self, info: zipfile.ZipInfo, read: int, size: int) -> None:
        """Add `size` bytes just read (`read` of this member so far); refuse past a limit."""
        self.total += size
        if read > info.file_size:
            raise self.refused(
                self.path, f"{info.filename} is larger than the zip's directory says; refused"
            )
        if self.total > self.limits.total_bytes:
            raise self._over_total(self.total)

    def _check_directory(self) -> None:
        limits = self.limits
        if len(self.infos) > limits.members:
            raise self.refused(
                self.path,
                f"holds {len(self.infos)} files, over the limit of {limits.members}"
                + self.total_hint,
            )
        for info in self.infos:  # a member read later is checked again, with its own limit
            if self._too_compressed(info.file_size, info.compress_size):
                self.check_member(info)
        declared = sum(i.file_size for i in self.infos)
        if declared > limits.total_bytes:
            raise self._over_total(declared)
        archive_size = self.path.stat().st_size
        if self._too_compressed(declared, archive_size):
            ratio = declared / max(archive_size, 1)
            raise self.refused(
                self.path,
                f"would expand {ratio:.0f} times in all (to {declared / MB:.1f} MB); that looks "
                f"like a zip bomb (limit {limits.ratio:g} times), refused unread",
            )

    def _too_compressed(self, size: int, compressed: int) -> bool:
        return size > self.limits.ratio_floor and size > self.limits.ratio * max(compressed, 1)

    def _over_total(self, size: int) -> Exception:
        return self.refused(
            self.path,
            f"expands to {size / MB:.1f} MB, over the {self.limits.total_bytes / MB:g} MB limit "
            f"for one archive; it was refused before reading all of it{self.total_hint}",
        )


class BoundedStream:
    """A member's stream that counts what it gives out against the archive's limits."""

    def __init__(self, archive: BoundedZip, info: zipfile.ZipInfo, fh: IO[bytes]) -> None:
        self.archive, self.info, self.fh, self.seen = archive, info, fh, 0

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:  # read in pieces so the limits apply before memory is used
            return b"".join(iter(lambda: self.read(MB), b""))
        if n == 0:
            return b""
        try:
            data = self.fh.read(min(n, self.info.file_size + 1 - self.seen) or 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise self.archive.damaged(
                self.archive.path, f"{self.info.filename} is damaged ({exc})"
            ) from None
        self.seen += len(data)
        self.archive.count(self.info, self.seen, len(data))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Readers close what they read; the member itself is closed by `BoundedZip.open`."""


def parse_xml(data: bytes | IO[bytes]) -> ET.Element:
    """Parse XML with no DTD, no entities and no network (defusedxml); raises
    `UnsafeXml` for a DTD or entity declaration and `ET.ParseError` for broken XML."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring, parse

    try:
        if isinstance(data, bytes):
            return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return parse(data, forbid_dtd=True, forbid_entities=True, forbid_external=True).getroot()
    except DefusedXmlException as exc:
        raise UnsafeXml(type(exc).__name__) from None


def sax_parse(stream: IO[bytes], handler: ContentHandler) -> None:
    """Stream XML through a SAX `handler` (namespaces on) with the same hardening as
    `parse_xml`, building no tree, so memory stays flat however large or deep the XML is."""
    from xml.sax import SAXParseException
    from xml.sax.handler import feature_namespaces

    from defusedxml import DefusedXmlException
    from defusedxml.expatreader import create_parser

    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except DefusedXmlException as exc:
        raise UnsafeXml(type(exc).__name__) from None
    except SAXParseException as exc:
        raise ET.ParseError(str(exc)) from None


class UnsafeXml(Exception):
    """XML that declares a DTD or entities: never needed by the files we read, used by
    attacks (external entities, entity bombs). Callers turn it into their own error."""
