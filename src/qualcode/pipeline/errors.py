"""The pipeline's own error, a QualcodeError so the command line prints it as one line."""

from __future__ import annotations

from qualcode.errors import QualcodeError


class PipelineError(QualcodeError):
    """A pipeline cannot run as asked (unknown area, missing store or config)."""
