"""Embedding first: every text the planned areas' theme notebooks will embed, embedded once,
in this process, before any area kernel starts.

Why: a kernel that embeds imports torch and sentence-transformers and loads MiniLM (half a
minute, ~0.5 GB) and encodes its area alone; done here, MiniLM loads once, encodes every
area's missing texts in large batches on all the machine's cores, and the kernels find every
vector in the cache (keyed by model and the text's sha256) and never import torch. Only
texts the cache does not hold are encoded, so a rerun after one area's coding changed
embeds only that area's new passages. A notebook takes part when it declares an `embedder`
parameter (03_themes); embedders whose vectors depend on the corpus (TF-IDF) are fitted in
the kernel as before, in milliseconds.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.pipeline.jobs import AreaJob

if TYPE_CHECKING:
    from qualcode.project import Project

CHUNK = 1024  # texts encoded (and written to the cache) at a time


@dataclass
class Embedded:
    """What the step did: distinct texts the areas need, how many were missing from the cache
    (and so embedded now), by which model, in how many seconds."""

    model: str = ""
    texts: int = 0
    missing: int = 0
    seconds: float = 0.0
    areas: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Texts embedded per second (0 when none were)."""
        return self.missing / self.seconds if self.missing and self.seconds else 0.0


def _defaults(notebook: Path) -> dict[str, Any]:
    """A notebook's parameters and their default values (those papermill can read)."""
    import papermill

    found: dict[str, Any] = {}
    for name, spec in papermill.inspect_notebook(str(notebook)).items():
        try:
            found[name] = ast.literal_eval(spec.get("default", ""))
        except (ValueError, SyntaxError):
            found[name] = None
    return found


def theme_settings(job: AreaJob) -> list[tuple[str, str]]:
    """(embedder, unit) of each of the job's notebooks that embeds (declares `embedder`)."""
    wanted = []
    for notebook in job.notebooks:
        defaults = _defaults(notebook)
        if "embedder" not in defaults:
            continue
        values = {**defaults, **job.parameters}
        wanted.append((str(values["embedder"]), str(values.get("unit") or "turn")))
    return wanted


def embed_first(project: Project, jobs: Sequence[AreaJob], *, progress: bool = True) -> Embedded:
    """Embed, once, every text the `jobs`' theme notebooks will ask for that the project's
    cache lacks (see the module docstring); returns what it did."""
    from qualcode.topics.embed import EmbeddingCache, get_embedder, text_hash
    from qualcode.topics.errors import ModelNotInstalledError
    from qualcode.topics.themes import code_texts, theme_texts

    by_model: dict[str, tuple[Any, dict[str, str], list[str]]] = {}
    for job in jobs:
        for name, unit in theme_settings(job):
            try:
                embedder = get_embedder(name)
            except ModelNotInstalledError:
                continue  # the notebook falls back to TF-IDF and says so
            if hasattr(embedder, "prepare"):
                continue  # corpus-dependent vectors: fitted in the kernel
            _, texts, areas = by_model.setdefault(embedder.name, (embedder, {}, []))
            if not texts:  # the codes' texts are the same for every area: read them once
                _codes, definitions, passages = code_texts(project)
                for text in [*definitions, *(p for ps in passages.values() for p in ps)]:
                    texts.setdefault(text_hash(text), text)
            for text in theme_texts(project, job.area, unit=unit, codes=False):
                texts.setdefault(text_hash(text), text)
            areas.append(job.area)
    done = Embedded()
    if not by_model:
        return done
    cache = EmbeddingCache.for_project(project)
    started = time.perf_counter()
    for model, (embedder, texts, areas) in by_model.items():
        held = cache.held(model, list(texts))
        missing = {h: t for h, t in texts.items() if h not in held}
        done.model, done.areas = model, sorted(set(done.areas) | set(areas))
        done.texts += len(texts)
        done.missing += len(missing)
        _encode(embedder, cache, missing, progress=progress, what=f"{len(set(areas))} areas")
    done.seconds = round(time.perf_counter() - started, 3)
    return done


def _encode(
    embedder: Any, cache: Any, missing: dict[str, str], *, progress: bool, what: str
) -> None:
    """Encode `missing` (hash -> text), shortest first (less padding in each batch), a chunk
    at a time, each chunk written to the cache as it is done (an interrupted run keeps it)."""
    if not missing:
        return
    from tqdm.auto import tqdm

    order = sorted(missing, key=lambda h: len(missing[h]))
    with tqdm(
        total=len(order), desc=f"embedding for {what}", unit="text", disable=not progress
    ) as bar:
        for i in range(0, len(order), CHUNK):
            hashes = order[i : i + CHUNK]
            cache.put(embedder.name, hashes, embedder.encode([missing[h] for h in hashes]))
            bar.update(len(hashes))
