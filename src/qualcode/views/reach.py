"""Reach targets as stored in each area's config."""

from __future__ import annotations

from sqlalchemy import Connection

from qualcode.store import areas as area_store


def targets(conn: Connection, area: str) -> dict[str, dict[str, int]]:
    """The area's targets: attribute -> group -> number of people (an error for no area)."""
    return dict((area_store.area_row(conn, area).config or {}).get("targets", {}))
