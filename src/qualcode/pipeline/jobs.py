"""One area's job (what to run) and its result (what happened), as passed between the
process that plans and the process that runs an area (`python -m qualcode.pipeline`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class AreaJob:
    """Everything one area's run needs: `project` is the store's path or URL (with its
    password: kept out of notebooks and manifests), `inputs` the inputs' hash and counts."""

    area: str
    project: str
    notebooks: list[Path]
    parameters: dict[str, Any]
    reports: Path
    inputs: dict[str, Any]
    show_code: bool = False
    keep_runs: int = 10
    lock_max_age_hours: float = 12.0
    run_id: str | None = None
    kernel: str = "python3"
    documents: list[str] = field(default_factory=list)  # notebooks also copied to PDF, Word
    shared: bool = False  # hosts share the run: an area another run holds is skipped
    planned: str = ""  # when it was planned (UTC, ISO): a good run started since is not redone

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> AreaJob:
        data = json.loads(text)
        data["notebooks"] = [Path(n) for n in data["notebooks"]]
        data["reports"] = Path(data["reports"])
        return cls(**data)


@dataclass
class AreaResult:
    """What happened to one area: status ok, failed, skipped or locked."""

    area: str
    status: str
    message: str = ""
    run_dir: str | None = None
    log: str | None = None
    seconds: float = 0.0
    reports: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "locked")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> AreaResult:
        return cls(**json.loads(text))
