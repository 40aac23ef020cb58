"""The embedding cache's SQLite file: vectors keyed by (embedder name, sha256 of text).

It is a file of its own beside the project, never inside the store, so vectors can be thrown
away at any time; where it lives is the topics package's business (`qualcode.topics.cache`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qualcode.store.bulk import in_chunks
from qualcode.store.engine import BUSY_TIMEOUT_MS, use_wal


class VectorCache:
    """Vectors keyed by (embedder name, sha256 of text) in the SQLite file at `path`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with self._connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, sha256 TEXT NOT NULL, "
                "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, sha256))"
            )

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        use_wal(con)
        return con

    def get(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """sha256 -> vector of those of `hashes` the cache holds for `model`."""
        found: dict[str, np.ndarray] = {}
        wanted = list(dict.fromkeys(hashes))
        with self._connect() as con:
            for chunk in in_chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for sha, blob in con.execute(
                    f"SELECT sha256, vector FROM vectors WHERE model = ? AND sha256 IN ({marks})",
                    [model, *chunk],
                ):
                    found[sha] = np.frombuffer(blob, dtype=np.float32)
        return found

    def held(self, model: str, hashes: Sequence[str]) -> set[str]:
        """Those of `hashes` the cache holds vectors of for `model` (the vectors stay on disk:
        how the pipeline counts what is missing before it embeds)."""
        held: set[str] = set()
        with self._connect() as con:
            for chunk in in_chunks(list(dict.fromkeys(hashes))):
                marks = ",".join("?" * len(chunk))
                held.update(
                    sha
                    for (sha,) in con.execute(
                        f"SELECT sha256 FROM vectors WHERE model = ? AND sha256 IN ({marks})",
                        [model, *chunk],
                    )
                )
        return held

    def put(self, model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Keep `model`'s vectors (one row each) under the hashes of their texts."""
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._connect() as con:
            con.executemany(
                "INSERT OR REPLACE INTO vectors (model, sha256, dim, vector) VALUES (?, ?, ?, ?)",
                [(model, h, v.shape[0], v.tobytes()) for h, v in zip(hashes, vectors, strict=True)],
            )

    def count(self, model: str | None = None) -> int:
        """How many vectors the cache holds (of `model`, or of every model)."""
        with self._connect() as con:
            if model is None:
                return con.execute("SELECT count(*) FROM vectors").fetchone()[0]
            return con.execute("SELECT count(*) FROM vectors WHERE model = ?", [model]).fetchone()[
                0
            ]
