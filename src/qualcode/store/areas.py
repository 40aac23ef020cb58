"""Areas' settings: the `config` JSON column of an area, which holds its reach targets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from qualcode.errors import NotFoundError
from qualcode.store import audit, schema


def find_area(conn: Connection, name: str) -> Row[Any] | None:
    """The area's id and config, or None when the project has no such area."""
    a = schema.areas
    return conn.execute(select(a.c.id, a.c.config).where(a.c.name == name)).first()


def area_row(conn: Connection, name: str) -> Row[Any]:
    """The area's id and config, or a clear error naming the areas there are."""
    row = find_area(conn, name)
    if row is None:
        a = schema.areas
        names = ", ".join(conn.execute(select(a.c.name).order_by(a.c.name)).scalars())
        raise NotFoundError(f"no area {name!r} in this project (areas: {names or 'none yet'})")
    return row


def set_targets(
    conn: Connection, area: str, attribute: str, groups: dict[str, int], *, actor: str
) -> bool:
    """Set an area's targets for one attribute (group -> people) with an "update" audit row,
    in the caller's transaction; False (nothing written) when they are already so."""
    before = dict((area_row(conn, area).config or {}).get("targets", {}))
    return set_setting(conn, area, "targets", {**before, attribute: groups}, actor=actor)


def set_setting(conn: Connection, area: str, key: str, value: Any, *, actor: str) -> bool:
    """Set one of an area's settings (such as how its waves are found) with an "update" audit
    row, in the caller's transaction; False (nothing written) when it is already so."""
    row = area_row(conn, area)
    config = dict(row.config or {})
    before = config.get(key)
    if before == value:
        return False
    config[key] = value
    a = schema.areas
    conn.execute(a.update().where(a.c.id == row.id).values(config=config))
    audit.record(
        conn,
        actor=actor,
        action="update",
        object="area",
        object_id=row.id,
        before={key: before},
        after={key: value},
    )
    return True
