"""What the layers above need of a project to reach the store: who acts, and the two doors.

`Project` has these; ingest and the codebook take any object that does, so they need not
import the facade above them.
"""

from __future__ import annotations

from typing import Any, Protocol


class StoreAccess(Protocol):
    """A project as the store's callers see it."""

    user: str

    def reading(self) -> Any:
        """A read-only connection."""

    def writing(self, staged: Any = None) -> Any:
        """One write transaction (on the `staged` connection from `reading()`, if given)."""
