"""Run the `qualcode` command inside the test process.

The same entry point, parser and output as the installed command, without a new Python start
(1–2 s of imports) per call; the few tests about the installed script itself still start it.
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from qualcode.cli import main


@dataclass(frozen=True)
class Done:
    """What a finished command left: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path) -> Done:
    """`qualcode ARGS...` run in `cwd`, as a user at a terminal would run it."""
    out, err = io.StringIO(), io.StringIO()
    code: int = 0
    argv = sys.argv
    sys.argv = ["qualcode", *args]
    quiet = (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err))
    try:
        with contextlib.chdir(cwd), quiet[0], quiet[1]:
            try:
                main()
            except SystemExit as exc:
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                    code = 1
                else:
                    code = exc.code or 0
    finally:
        sys.argv = argv
    return Done(code, out.getvalue(), err.getvalue())
