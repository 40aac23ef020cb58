"""The errors of REFI-QDA exchange."""

from __future__ import annotations

from qualcode.errors import QualcodeError


class RefiError(QualcodeError):
    """A REFI-QDA file cannot be read or written as asked."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsafeRefiFile(RefiError):
    """A REFI-QDA file was refused because reading it could harm the machine or the project."""
