"""qualcode: a Jupyter workbench for qualitative coding in community-led research.

    import qualcode
    p = qualcode.open_project("data/coded/sample.qualcode")

Heavy libraries (pandas, spaCy, BERTopic, torch) load only when first needed, so
`import qualcode` and the `qualcode` command start quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Project", "QualcodeError", "__version__", "open_project"]

if TYPE_CHECKING:
    from qualcode.errors import QualcodeError
    from qualcode.project import Project, open_project


def __getattr__(name: str) -> Any:
    if name in ("Project", "open_project"):
        from qualcode import project

        return getattr(project, name)
    if name == "QualcodeError":
        from qualcode.errors import QualcodeError

        return QualcodeError
    raise AttributeError(f"module 'qualcode' has no attribute {name!r}")
