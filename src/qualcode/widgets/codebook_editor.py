"""CodebookEditor: a notebook form for building and tidying the codebook in a workshop.

Written for community researchers, not software people: plain labels, one code at a time,
every button saves at once through the `Codebook` API, and mistakes show as a line of text
instead of a traceback. Each button calls a small method (`select`, `save`, `add`,
`merge_into`, `delete`) so the editor can be driven and tested from Python too.

The editor acts as its `coder`: deleting or merging a code other people have coded with needs
a lead, and a lead's delete first lists whose codings would go. A warning lasts until the user
does anything else, or `CONFIRM_SECONDS` pass.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.codebook import whose_codings
from qualcode.errors import QualcodeError
from qualcode.model import Code, is_under, path_depth

if TYPE_CHECKING:
    from qualcode.project import Project

CodeRef = Code | int | str

TOP_LEVEL = 0  # the parent Dropdown's value for "(top level)"; code ids start at 1
INDENT = "\u00a0" * 4  # browsers collapse ordinary spaces in <select> options
TEXT_FORM = {  # codebook field -> plain label
    "description": "What it means",
    "inclusion": "Use it when",
    "exclusion": "Don't use it when",
    "example": "Example",
}
_LABEL = {"description_width": "9em"}
CONFIRM_SECONDS = 30.0  # a pending delete (and its warning) lasts this long


class CodebookEditor(widgets.VBox):
    """Add, change, merge and delete codes; the code tree is on the left, its form on the right."""

    def __init__(
        self,
        project: Project,
        *,
        coder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project = project
        self.codebook = project.codebook
        self.coder = coder or project.user  # who acts: the rights to delete and merge are theirs
        self._clock = clock
        self._codes: dict[int, Code] = {}
        self._counts: dict[int, int] = {}
        self._quiet = False  # True while we set widget values ourselves
        # (code id, codings per coder, codes under it) and when the warning was shown
        self._pending_delete: tuple[int, tuple[tuple[str, int], ...], int] | None = None
        self._pending_since = 0.0

        self.tree = widgets.Select(
            options=[], rows=18, layout=widgets.Layout(width="34%", min_width="16em")
        )
        self.name = widgets.Text(description="Theme name", style=_LABEL)
        self.parent = widgets.Dropdown(description="Belongs under", style=_LABEL)
        self.color = widgets.ColorPicker(description="Colour", style=_LABEL)
        self.shortcut = widgets.Text(
            description="Key",
            placeholder="one letter or digit, to code with a key press",
            style=_LABEL,
        )
        self.texts = {
            field: widgets.Textarea(
                description=label,
                style=_LABEL,
                layout=widgets.Layout(width="98%", height="4.5em"),
            )
            for field, label in TEXT_FORM.items()
        }
        self.add_button = widgets.Button(description="Add new code", icon="plus")
        self.save_button = widgets.Button(
            description="Save changes", icon="check", button_style="primary"
        )
        self.merge_target = widgets.Dropdown(description="Merge into", style=_LABEL)
        self.merge_button = widgets.Button(description="Merge into…", icon="compress")
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", button_style="danger"
        )
        self.status = widgets.HTML()

        self.tree.observe(self._on_tree, names="value")
        for box in (self.name, self.parent, self.color, self.shortcut, self.merge_target):
            box.observe(self._on_edit, names="value")
        for box in self.texts.values():
            box.observe(self._on_edit, names="value")
        self.add_button.on_click(lambda _: self.add())
        self.save_button.on_click(lambda _: self.save())
        self.merge_button.on_click(lambda _: self.merge_into())
        self.delete_button.on_click(lambda _: self.delete())

        form = widgets.VBox(
            [
                self.name,
                self.parent,
                widgets.HBox([self.color, self.shortcut]),
                *self.texts.values(),
                widgets.HBox([self.save_button, self.add_button, self.delete_button]),
                widgets.HBox([self.merge_target, self.merge_button]),
            ],
            layout=widgets.Layout(width="66%"),
        )
        super().__init__(
            [
                widgets.HTML(
                    "<b>Codebook</b> — pick a code on the left to see or change it. "
                    "Changes are saved as soon as you press a button. "
                    f"Acting as <b>{html.escape(self.coder)}</b>."
                ),
                widgets.HBox([self.tree, form]),
                self.status,
            ]
        )
        self.refresh()

    # what the buttons do ----------------------------------------------------------------------

    @property
    def selected(self) -> Code | None:
        """The code shown in the form, or None when the codebook is empty."""
        return self._codes.get(self.tree.value) if self.tree.value is not None else None

    def select(self, ref: CodeRef) -> Code | None:
        """Show a code (by object, id, name or path) in the form."""
        try:
            code = self.codebook.get(ref)
        except QualcodeError as exc:
            self._error(exc)
            return None
        self._pending_delete = None
        self.refresh(select=code.id)  # from the store: someone may have added it since
        self._say("")
        return code

    def add(self, name: str | None = None) -> Code | None:
        """Add a code made from the form (its name, or `name`; where it belongs; key, colour
        and texts) and select it. A key or colour still the selected code's is not copied (a
        key is one code's; the next palette colour keeps highlights apart); a bad or taken
        name changes nothing."""
        self._pending_delete = None
        here = self.selected
        name = self.name.value if name is None else name
        parent = self.parent.value or None
        same = here is not None and (name.strip().casefold(), parent) == (
            here.name.casefold(),
            here.parent_id,
        )
        if same or not name.strip():
            shows = f"the form still shows {here.path!r}. " if same and here else ""
            self._say(
                f"Nothing was changed: {shows}Type the new code's name in “Theme name” (and "
                "what it means), then press Add new code.",
                warn=True,
            )
            return None
        try:
            code = self.codebook.add(name, parent=parent, **self._new_code_fields(here))
        except QualcodeError as exc:
            self._error(exc)
            return None
        self.refresh(select=code.id)
        self._say(f"Added {code.path!r}.")
        return code

    def save(self) -> Code | None:
        """Store what the form says about the selected code; an invalid form changes nothing."""
        self._pending_delete = None
        code = self.selected
        if code is None:
            self._say("Add a code first.")
            return None
        changes = self._changes(code)
        if not changes:
            self._say("Nothing has changed.")
            return code
        try:
            saved = self.codebook.update(code, **changes)
        except QualcodeError as exc:
            self._error(exc)
            return None
        self.refresh(select=saved.id)
        self._say(f"Saved {saved.path!r}.")
        return saved

    def merge_into(self, target: CodeRef | None = None) -> Code | None:
        """Fold the selected code into `target` (default: the "Merge into" choice)."""
        code = self.selected
        target = self.merge_target.value if target is None else target
        if code is None or target is None:
            self._say("Choose a code, and the code to merge it into.")
            return None
        self._pending_delete = None
        try:
            moving = self.codebook.usage(code)
            merged = self.codebook.merge(code, target, by=self.coder)
        except QualcodeError as exc:
            self._error(exc)
            return None
        self.refresh(select=merged.id)
        self._say(f"Merged {code.path!r} into {merged.path!r}; its {_codings(moving)} moved over.")
        return merged

    def delete(self) -> int | None:
        """Delete the selected code; one that is used, or has codes under it, needs two presses
        (the first lists whose codings would go), and one others coded with needs a lead.

        Returns the number of codings removed, or None when only the warning was shown.
        """
        code = self.selected
        if code is None:
            self._say("Add a code first.")
            return None
        fresh = self.codebook.all()  # others may have changed the codebook meanwhile
        code = next((c for c in fresh if c.id == code.id), None)
        if code is None:
            self.refresh()
            self._say("That code was already deleted.")
            return None
        below = [c for c in fresh if c.id != code.id and is_under(c.path, code.path)]
        try:
            by_coder = self.codebook.check_delete(code, by=self.coder)
        except QualcodeError as exc:
            self._pending_delete = None
            self._error(exc)
            return None
        used = sum(by_coder.values())
        pending = (code.id, tuple(by_coder.items()), len(below))
        if (used or below) and (self._pending_delete != pending or self._warning_expired()):
            self._pending_delete, self._pending_since = pending, self._clock()
            whose = f" Codings by {whose_codings(by_coder)} go." if used else ""
            self._say(
                f"{_what_goes(used, len(below))}{whose} Press Delete again to confirm.",
                warn=True,
            )
            self._clear_later()
            return None
        self._pending_delete = None
        try:
            removed = self.codebook.delete(code, confirm=bool(used or below), by=self.coder)
        except QualcodeError as exc:
            self._error(exc)
            return None
        siblings = [c for c in self._codes.values() if c.parent_id == code.parent_id]
        self.refresh(select=code.parent_id or next((c.id for c in siblings if c != code), None))
        self._say(f"Deleted {code.path!r} and {_codings(removed)}.")
        return removed

    def refresh(self, select: int | None = None) -> None:
        """Reload the tree from the store (others may be editing too) and refill the form."""
        keep = select if select is not None else self.tree.value
        codes = self.codebook.all()
        self._codes = {c.id: c for c in codes}
        self._counts = self.codebook.usage_counts()
        with self._quietly():
            self.tree.options = [(self._label(c), c.id) for c in codes]
            self.tree.value = keep if keep in self._codes else (codes[0].id if codes else None)
        self._fill()

    # internals --------------------------------------------------------------------------------

    def _on_tree(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._pending_delete = None
        self._fill()
        self._say("")

    def _on_edit(self, change: dict[str, Any]) -> None:
        """The user typed or chose something: a pending delete and its warning are over."""
        if self._quiet:
            return
        self._pending_delete = None
        self._say("")

    def _clear_later(self) -> None:
        """Take the warning off the screen when its time is up (in a running kernel)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # driven from plain Python: the clock check on the next press suffices
        loop.call_later(CONFIRM_SECONDS + 0.5, self.expire_warning)

    def expire_warning(self) -> None:
        """Take a delete warning older than `CONFIRM_SECONDS` off the screen, and its pending
        delete with it (a kernel timer calls this)."""
        if self._pending_delete is not None and self._warning_expired():
            self._pending_delete = None
            self._say("")

    def _warning_expired(self) -> bool:
        return self._clock() - self._pending_since > CONFIRM_SECONDS

    def _fill(self) -> None:
        """Put the selected code's fields into the form, and the choices that fit it."""
        code = self.selected
        for button in (self.save_button, self.merge_button, self.delete_button):
            button.disabled = code is None
        others = [
            c for c in self._codes.values() if code is None or not is_under(c.path, code.path)
        ]
        with self._quietly():
            self.parent.options = [("(top level)", TOP_LEVEL)] + [(c.path, c.id) for c in others]
            self.merge_target.options = [(c.path, c.id) for c in others]
            self.merge_target.value = None
            self.name.value = code.name if code else ""
            self.parent.value = (code.parent_id or TOP_LEVEL) if code else TOP_LEVEL
            self.color.value = code.color if code else "#000000"
            self.shortcut.value = (code.shortcut or "") if code else ""
            for field, box in self.texts.items():
                box.value = getattr(code, field) if code else ""

    def _new_code_fields(self, here: Code | None) -> dict[str, Any]:
        """The form's key, colour and texts for a new code, less what is only `here`'s."""
        key = self.shortcut.value.strip().lower() or None
        color = self.color.value
        shown = here.color if here is not None else "#000000"  # what `_fill` put there
        return {
            "shortcut": None if here is not None and key == here.shortcut else key,
            "color": None if color.upper() == shown.upper() else color,
            **{field: box.value for field, box in self.texts.items()},
        }

    def _changes(self, code: Code) -> dict[str, Any]:
        """Only the fields the form changed, so saving writes one meaningful audit row."""
        wanted: dict[str, Any] = {
            "name": self.name.value,
            "parent": self.parent.value or None,
            "color": self.color.value,
            "shortcut": self.shortcut.value.strip() or None,
            **{field: box.value for field, box in self.texts.items()},
        }
        current: dict[str, Any] = {
            "name": code.name,
            "parent": code.parent_id,
            "color": code.color.upper(),
            "shortcut": code.shortcut,
            **{field: getattr(code, field) for field in self.texts},
        }
        as_stored = {"color": str.upper, "shortcut": str.lower}
        return {
            key: value
            for key, value in wanted.items()
            if (as_stored[key](value) if key in as_stored and value else value) != current[key]
        }

    def _label(self, code: Code) -> str:
        depth = path_depth(code.path)
        key = f" [{code.shortcut}]" if code.shortcut else ""
        return f"{INDENT * depth}{code.name}{key} ({_codings(self._counts.get(code.id, 0))})"

    def _say(self, message: str, *, warn: bool = False) -> None:
        text = html.escape(message, quote=False)
        self.status.value = f'<span style="color:#B00020">⚠ {text}</span>' if warn else text

    def _error(self, exc: QualcodeError) -> None:
        self._say(f"Nothing was changed: {exc}", warn=True)

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Widget values we set ourselves must not count as the user picking a code."""
        previous, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = previous


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _codings(n: int) -> str:
    return _plural(n, "coding")


def _what_goes(codings: int, codes: int) -> str:
    if not codes:
        return f"This code is used in {_codings(codings)}; they will be removed too."
    under = _plural(codes, "code")
    if not codings:
        return f"This code has {under} under it; they will be removed too."
    return (
        f"This code and the {under} under it are used in {_codings(codings)}; "
        "they will be removed too."
    )
