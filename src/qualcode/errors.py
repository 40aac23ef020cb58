"""Errors a user can cause.

Every message names the file, document, code or store involved and says what to do; the CLI
prints the message as one line and exits 1.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class for errors caused by input or use, not by a bug in qualcode."""


class IngestError(QualcodeError):
    """A file could not be read as a transcript or questionnaire."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StoreError(QualcodeError):
    """The project store cannot be opened or used as asked."""


class SchemaVersionError(StoreError):
    """The store was written by a newer qualcode, or its schema is unknown."""


class NotFoundError(QualcodeError, LookupError):
    """A document, code, coder or coding named by the user does not exist."""


class CodebookError(QualcodeError):
    """A codebook change or codebook file is invalid."""


class CodingError(QualcodeError):
    """A coding is invalid (offsets outside the text, empty span, wrong owner)."""


class RoundOpenError(QualcodeError):
    """Agreement or consensus asked for while a blind round on those documents is open."""


class CoderNameWarning(UserWarning):
    """A new coder's name is close to an existing coder's ("Amina K" beside "Amina")."""
