"""The Coder's code tree, Python side: the numbers beside each code, and a key set from a row.

The tree itself is drawn in the browser (static/features/tree.js) from the codes the Coder
already sends. Here are its numbers, "yours · everyone's" codings of each code across the
project, read in one query when the Coder opens or refreshes, or codes are merged or deleted,
then kept true by adding or taking one for each coding this coder makes or removes: a key
press costs no recount, however many codings the project holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.model import Coding
    from qualcode.project import Project
    from qualcode.widgets.transcript import TranscriptView


class CodeCounts:
    """(mine, everyone's) codings per code, synced to the view as `code_counts`."""

    def __init__(self, project: Project, coder: str, view: TranscriptView) -> None:
        self.project = project
        self.coder = coder
        self.view = view
        self._counts: dict[int, list[int]] = {}
        self._codes: set[int] | None = None  # the code ids last counted for

    def follow(self, code_ids: set[int]) -> None:
        """After the codebook changed: count again only if codes came or went (a merge, a
        delete, a restore); a rename, a new key, a colour or a move changes no number, and a
        recount costs ~0.15 s at 100,000 codings."""
        if code_ids != self._codes:
            self._codes = code_ids
            self.reload()

    def reload(self) -> None:
        """Count again from the store (opening, Refresh, a code merged or deleted)."""
        counts = self.project.codebook.counts(self.coder)
        self._counts = {code_id: [mine, every] for code_id, (mine, every) in counts.items()}
        self._send()

    def added(self, coding: Coding | None) -> None:
        """One more coding of this coder's (made, redone, or a suggestion accepted)."""
        self._step(coding, 1)

    def removed(self, coding: Coding | None) -> None:
        """One coding of this coder's fewer (removed or undone)."""
        self._step(coding, -1)

    def get(self, code_id: int) -> tuple[int, int]:
        """(mine, everyone's) for one code, as the tree shows it."""
        mine, every = self._counts.get(code_id, (0, 0))
        return mine, every

    def _step(self, coding: Coding | None, delta: int) -> None:
        if coding is None:
            return
        mine, every = self.get(coding.code_id)
        self._counts[coding.code_id] = [max(0, mine + delta), max(0, every + delta)]
        self._send()

    def _send(self) -> None:
        # JSON keys are strings: the browser looks a code up by String(id)
        self.view.code_counts = {str(k): list(v) for k, v in self._counts.items()}


def set_key(project: Project, coder: str, code_id: int, key: str) -> str:
    """Give a code a key from the Coder's tree (or take it off, with an empty key), as `coder`;
    the codebook refuses a bad or taken key with a message naming the code. Returns what to
    tell the user."""
    code = project.codebook.get(code_id)
    key = key.strip().lower()
    if key == (code.shortcut or ""):
        return f"{code.path} already has {'the key ' + key if key else 'no key'}."
    project.codebook.update(code.id, shortcut=key or None, by=coder)
    if not key:
        return f"{code.path} has no key now; click it in the code tree, or find it with /."
    return f"Key {key} now applies {code.path}."


def key_message(content: dict[str, object]) -> tuple[int, str]:
    """The code id and key of a "set_key" message from the browser, or a clear error."""
    try:
        code_id = int(str(content["code_id"]))
    except (KeyError, ValueError) as exc:
        raise QualcodeError("the code tree sent no code to set a key on; try again") from exc
    key = content.get("key")
    return code_id, key if isinstance(key, str) else ""
