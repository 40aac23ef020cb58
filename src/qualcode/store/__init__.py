"""The project store: schema, connection settings, schema versions and the audit log."""

from qualcode.store import audit, schema
from qualcode.store.engine import connect, resolve_url, writer
from qualcode.store.migrations import SCHEMA_VERSION, migrate
from qualcode.store.stamps import new_guid, now

__all__ = [
    "SCHEMA_VERSION",
    "audit",
    "connect",
    "migrate",
    "new_guid",
    "now",
    "resolve_url",
    "schema",
    "writer",
]
