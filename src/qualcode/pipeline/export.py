"""A run's notebooks as HTML reports, and one copy on disk of the large files runs share."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from qualcode.files import atomic_path

SHARED = ".shared"  # one copy of large files every run writes alike
NOTEBOOK_ONLY = "notebook-only"  # a cell's tag: instructions for the researcher, not the report


def export_html(notebook: Path, target: Path, *, show_code: bool) -> None:
    """Write an executed notebook as an HTML report, without its code unless `show_code`,
    and without the cells tagged `notebook-only` (how to run or act on it: instructions for
    the researcher at the notebook, never for the report's reader)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}, enabled=True), enabled=True
    )
    body, _ = exporter.from_notebook_node(
        nbformat.read(notebook, as_version=4),
        resources={"metadata": {"name": notebook.stem.split("_", 1)[-1].replace("_", " ")}},
    )
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")


def share_copies(run_dir: Path, shared: Path, *, min_bytes: int = 1 << 20) -> None:
    """Make large files that every run writes alike (plotly.min.js, 4.8 MB) hard links to one
    copy in the area's `.shared` folder: each run folder stays whole and can be copied or
    mailed on its own, but ten kept runs of twenty areas no longer hold two hundred copies.
    Best effort: where links cannot be made (another file system), the copies stay."""
    for path in run_dir.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.stat().st_size < min_bytes:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        keep = shared / f"{digest}-{path.name}"
        try:
            shared.mkdir(exist_ok=True)
            if not keep.exists():
                os.link(path, keep)
                continue
            tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
            os.link(keep, tmp)
            os.replace(tmp, path)
        except OSError:
            continue
