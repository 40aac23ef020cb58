"""What an area's reports are made from, and one hash over it: an area whose hash has not
changed since its last good run is skipped.

Hashed by content, not by ids or timestamps, so a store rebuilt from the same files and
codings hashes the same. Changing what goes into a hash makes every area run once more.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.pipeline.errors import PipelineError
from qualcode.pipeline.manifest import package_version
from qualcode.store.codes import code_tree
from qualcode.views.pipeline import AreaInputRows, area_input_rows

if TYPE_CHECKING:
    from qualcode.project import Project


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def area_inputs(project: Project, area: str) -> dict[str, Any]:
    """The area's current documents and codings (counts) and a hash per part of its inputs:
    documents, cases, codings, codebook, config and recommendations."""
    with project.reading() as conn:
        rows = area_input_rows(conn, area)
    if rows is None:
        raise PipelineError(f"no area {area!r} in {project.location}")
    return {
        "documents": sum(1 for row in rows.documents if row.is_current),
        "codings": len(rows.codings),
        "parts": _parts(rows),
    }


def _parts(rows: AreaInputRows) -> dict[str, str]:
    """One hash per part; codings and recommendations name documents by their text's hash
    and codes by their path."""
    paths = {code.id: code.path for code in code_tree(rows.codes)}
    sha = {row.id: row.sha256 for row in rows.documents}
    coding_keys = {
        row.id: (sha[row.document_id], row.start, row.end, paths.get(row.code_id), row.coder)
        for row in rows.codings
    }
    return {
        "documents": _digest(
            [
                (row.title, row.version, row.is_current, row.sha256, row.case)
                for row in rows.documents
            ]
        ),
        "cases": _digest([(row.name, row.attributes) for row in rows.cases]),
        "codings": _digest(sorted((*coding_keys[row.id], row.memo or "") for row in rows.codings)),
        "codebook": _digest(
            [(paths.get(row.id), row.description, row.color) for row in rows.codes]
        ),
        "config": _digest(rows.config or {}),
        "recommendations": _digest(
            [
                (
                    row.text,
                    [paths.get(i) for i in row.codes or []],
                    [coding_keys.get(i) for i in row.codings or []],
                    row.response,
                    row.status,
                )
                for row in rows.recommendations
            ]
        ),
    }


def file_sha256(path: Path) -> str:
    """The hash of a file's bytes (a notebook)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_hash(
    store: dict[str, Any], notebooks: Sequence[Path], parameters: dict[str, Any]
) -> str:
    """One hash over the store's content for the area (`area_inputs`), the notebooks and the
    parameters."""
    whole = {
        "store": store["parts"],
        "notebooks": {n.name: file_sha256(n) for n in notebooks},
        "parameters": parameters,
        "qualcode": package_version("qualcode"),
    }
    text = json.dumps(whole, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
