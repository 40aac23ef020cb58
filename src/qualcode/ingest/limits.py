"""How much one file may hold: the limits that keep a hostile or careless file cheap to refuse.

One knob, `max_mb` (`--max-mb`, default 50), scales every limit, so there is one thing to
raise when a file you trust is refused:

- the file on disk: `max_mb` MB;
- what a `.docx` or `.xlsx` (a zip) may expand to, in all and per member: `max_mb` MB, with
  no member or archive expanding over 100 times (`files.ZipLimits`); text deflates 3-10
  times and Office XML 10-30 times, zip bombs 200-1000 times;
- the text kept from one file: `max_mb` million characters, so a plain-text file within the
  size limit is never refused for its text, while a 90,000-word interview (about 0.5 million
  characters) is a hundredth of it;
- one questionnaire cell: `max_mb` x 20,000 characters (a million by default: a whole long
  interview pasted into one answer still fits);
- cells looked at in one sheet or table, empty ones included: `max_mb` x 200,000 (ten million
  by default), so a sheet that claims a million empty rows is refused, not walked;
- columns in one table: 16,384, as many as a spreadsheet holds (fixed: a table wider than
  Excel's is not a questionnaire someone filled in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import IngestError
from qualcode.files import MB, BoundedZip, ZipLimits

DEFAULT_MAX_MB = 50.0
MAX_COLUMNS = 16_384  # Excel's last column, XFD
HINT = "raise the limit with --max-mb (max_mb= in Python) if you trust the file"


@dataclass(frozen=True)
class Limits:
    """Every limit on one file, derived from `max_mb`."""

    max_mb: float = DEFAULT_MAX_MB

    @property
    def file_bytes(self) -> int:
        return int(self.max_mb * MB)

    @property
    def text_chars(self) -> int:
        return int(self.max_mb * 1_000_000)

    @property
    def cell_chars(self) -> int:
        return int(self.max_mb * 20_000)

    @property
    def table_cells(self) -> int:
        return int(self.max_mb * 200_000)

    def zip(self) -> ZipLimits:
        """What a .docx or .xlsx may expand to."""
        return ZipLimits(total_bytes=self.file_bytes, member_bytes=self.file_bytes)

    def open_zip(self, path: Path, kind: str, advice: str) -> BoundedZip:
        """`path` opened within these limits; refusals and damage are `IngestError`s, and
        damage comes with `advice` (how to save the file again)."""

        def damaged(where: Path, reason: str) -> IngestError:
            return IngestError(where, f"{reason}; {advice}")

        return BoundedZip(
            path, self.zip(), refused=IngestError, damaged=damaged, hint=HINT, kind=kind
        )

    def check_text(self, path: Path | str, chars: int) -> None:
        """Refuse once more than `text_chars` characters of text have been read."""
        if chars > self.text_chars:
            raise IngestError(
                path,
                f"holds over {self.text_chars:,} characters of text, the limit for one file "
                f"at --max-mb {self.max_mb:g}; split it, or {HINT}",
            )

    def check_rows(self, path: Path, rows: Iterable[Iterable[object]]) -> Iterator[list[str]]:
        """Rows of a table as text, refused past the cell, table and text limits."""
        cells = chars = 0
        for n, row in enumerate(rows, start=1):
            values = ["" if v is None else str(v) for v in row]
            if len(values) > MAX_COLUMNS:
                raise IngestError(
                    path,
                    f"row {n} has {len(values):,} columns, more than a spreadsheet holds "
                    f"({MAX_COLUMNS:,}, the limit); keep the questions and attributes you need "
                    "in a smaller table",
                )
            cells += max(len(values), 1)
            if cells > self.table_cells:
                raise IngestError(
                    path,
                    f"has over {self.table_cells:,} cells (empty ones included) by row {n:,}, the "
                    f"limit for one table at --max-mb {self.max_mb:g}; {HINT}",
                )
            for column, value in enumerate(values, start=1):
                if len(value) > self.cell_chars:
                    raise IngestError(
                        path,
                        f"row {n}, column {column} holds {len(value):,} characters, over the "
                        f"limit of {self.cell_chars:,} for one cell; {HINT}",
                    )
                chars += len(value)
            self.check_text(path, chars)
            yield values
