"""Ids and times as the store writes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def now() -> str:
    """The current time: ISO-8601 UTC with microseconds, readable in any database."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_guid() -> str:
    """A fresh GUID, as REFI-QDA and merging projects need."""
    return str(uuid.uuid4())
