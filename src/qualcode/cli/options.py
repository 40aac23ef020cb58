"""What every `qualcode` command shares: the --project option and how a project is opened.

Kept apart from `qualcode.cli`'s app so each command module (`qualcode.cli.privacy`, ...) can
use it without importing the main command.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from qualcode.project import Project

DEFAULT_PROJECT = "data/coded/sample.qualcode"

ProjectOption = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        help=f"Project file or database URL [default: $QUALCODE_DB or {DEFAULT_PROJECT}]",
        show_default=False,
    ),
]


def project_location(project: str | None) -> str:
    """The store a command works on: --project, else $QUALCODE_DB, else the sample project."""
    return project or os.environ.get("QUALCODE_DB") or DEFAULT_PROJECT


def open_from_cli(project: str | None, *, create: bool = False) -> Project:
    """The project a command works on; only `qualcode init` (create=True) makes a new one, so
    a mistyped --project is an error, not an empty project that takes the work."""
    from qualcode.project import open_project

    return open_project(project_location(project), create=create)
