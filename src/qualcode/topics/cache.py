"""Where caches and saved models live: beside the store, never inside it.

A SQLite store `sample.qualcode` keeps them in the folder `sample.qualcode.cache/` next to it,
so copying both moves everything. A PostgreSQL store keeps them in a per-user cache folder
(`$XDG_CACHE_HOME/qualcode/<project guid>/`, default `~/.cache/...`) keyed by the project guid
in `qualcode_meta`, so two projects on one server never share vectors. `QUALCODE_CACHE_DIR`
overrides both (then `<dir>/<project guid>/`). The store's schema is not changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.project import Project


def cache_dir(project: Project) -> Path:
    """The folder for this project's embedding cache and saved theme models (created)."""
    override = os.environ.get("QUALCODE_CACHE_DIR")
    url = project.engine.url
    if override:
        folder = Path(override) / project.guid
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(f"{url.database}.cache")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "qualcode" / project.guid
    folder.mkdir(parents=True, exist_ok=True)
    return folder
