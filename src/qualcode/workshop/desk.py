"""A person's desk in the workshop: their own Coder and Retrieval, the same Python widgets a
notebook shows, running in the workshop server with no kernel, and spoken to over one
websocket. The person's name is the seat's (`seating.who`), given to the Coder here: nothing
the browser sends can change who codes.

ipywidgets talk to a browser through comms; `comm.create_comm` is the documented place to plug
in another transport. Widgets made on a desk's own thread get a `DeskComm`, which hands
what the widget says (open, update, custom message, close) to the desk's `emit`; what the
browser says comes back through `receive`, which lets through only what a person can do on
the screen (choose, type, tick, click, and the transcript view's own messages) and drops
everything else. Each desk has one thread, so one person's actions run in order, and one
person's slow search never holds up another's key press.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import comm
from comm.base_comm import BaseComm

import qualcode
from qualcode.errors import QualcodeError
from qualcode.workshop.seating import Person

# What the browser may change, per kind of widget: what a person does with it, nothing else
# (not a Dropdown's options, a Button's description, nor whether it is disabled).
UPDATES: dict[str, set[str]] = {
    "DropdownModel": {"index"},
    "TextModel": {"value"},
    "TextareaModel": {"value"},
    "CheckboxModel": {"value"},
    "ToggleButtonModel": {"value"},
    "AccordionModel": {"selected_index"},
    "AnyModel": {
        "selected_span",
        "show_all",
        "hidden_coders",
        "show_suggestions",
        "font_size",
        "status",
    },
}
CUSTOM = {"ButtonModel", "TextModel", "AnyModel"}  # clicks, Enter, the transcript's messages
NOT_SENT = {"_esm", "_css", "_anywidget_id"}  # the page loads the front end as files

log = logging.getLogger(__name__)
_here = threading.local()  # .desk: the desk whose thread this is
_plain_create = comm.create_comm
# Screens built at once. Building one is pure Python work; when a whole room opens the link
# together, 30 builds at once only fight over the GIL, and the event loop (everyone's key
# presses and pages) waits behind them for up to seconds. As many as cores, the rest queue.
BUILDS = threading.BoundedSemaphore(os.cpu_count() or 2)


class DeskComm(BaseComm):
    """A widget's line to the desk it was made on."""

    def __init__(self, desk: Desk, **kwargs: Any) -> None:
        self.desk = desk
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        self.desk.outgoing(msg_type, self.comm_id, data or {})


def _create_comm(*args: Any, **kwargs: Any) -> BaseComm:
    desk = getattr(_here, "desk", None)
    if desk is None:  # not a desk's thread: as ipywidgets would do without us
        return _plain_create(*args, **kwargs)
    made = DeskComm(desk, *args, **kwargs)
    desk.comms[made.comm_id] = made
    return made


comm.create_comm = _create_comm


class Desk:
    """One person's coding screen, while their page is open."""

    def __init__(self, store: str, person: Person, emit: Callable[[dict[str, Any]], None]) -> None:
        self.person = person
        self.emit = emit
        self.comms: dict[str, DeskComm] = {}
        self.root: Any = None
        self.retrieval: Any = None
        self._closed = False
        self._thread = ThreadPoolExecutor(1, f"desk-{person.name}", self._enter)
        self._store = store

    def _enter(self) -> None:
        _here.desk = self

    def open(self) -> Future[None]:
        """Build the screen on the desk's thread; the browser hears each widget as it is made,
        then which one is the screen."""
        return self._run(self._build)

    def _run(self, fn: Callable[..., Any], *args: Any) -> Future[None]:
        """Run on the desk's thread; a failure is logged and told to the page, not lost."""
        done = self._thread.submit(fn, *args)
        done.add_done_callback(self._report)
        return done

    def _report(self, done: Future[None]) -> None:
        error = done.exception() if not done.cancelled() else None
        if error is None:
            return
        log.error("%s's screen: %s", self.person.name, error, exc_info=error)
        self.emit({"kind": "said", "text": f"Something went wrong: {error}. Reload the page."})

    def _build(self) -> None:
        with BUILDS:
            self._build_screen()

    def _build_screen(self) -> None:
        from qualcode.widgets.coder import Coder
        from qualcode.widgets.retrieval import Retrieval

        self.project = qualcode.open_project(self._store, user=self.person.name, create=False)
        coder = Coder(self.project, coder=self.person.name)
        # codebook changes reach this screen on its own thread, not the changer's
        coder._watching.stop()
        self._watching = self.project.codebook.watch(self._codebook_changed)
        self.coder = coder
        codes = self.project.codebook.all()
        first = codes[0].name if codes else "Peer support"  # a codebook can be empty
        self.retrieval = Retrieval(self.project, first, open_with=coder).widget()
        self.emit({"kind": "screen", "coder": coder.model_id, "retrieval": self.retrieval.model_id})

    def _codebook_changed(self) -> None:
        if not self._closed:
            self._thread.submit(self.coder.codebook_changed)

    def reload(self, text: str) -> None:
        """Load everything again from the store (as Refresh does) and say `text`."""
        if not self._closed:
            self._run(self._reload, text)

    def _reload(self, text: str) -> None:
        with BUILDS:  # a round opened reloads the whole room at once: as builds do
            self.coder.refresh()
        self.coder.view.status = text

    def outgoing(self, msg_type: str, comm_id: str, data: dict[str, Any]) -> None:
        """What a widget says, as the page's widget manager wants it."""
        if msg_type == "comm_open":
            state = {k: v for k, v in data.get("state", {}).items() if k not in NOT_SENT}
            self.emit({"kind": "open", "id": comm_id, "state": state})
        elif msg_type == "comm_msg":
            if data.get("method") == "update":
                state = {k: v for k, v in data.get("state", {}).items() if k not in NOT_SENT}
                data = {"method": "update", "state": state}
            self.emit({"kind": "msg", "id": comm_id, "data": data})
        elif msg_type == "comm_close":
            self.comms.pop(comm_id, None)
            self.emit({"kind": "close", "id": comm_id})

    def receive(self, message: Any) -> Future[None] | None:
        """Something the person did on the page; None when it is not allowed (and dropped)."""
        if self._closed or not isinstance(message, dict) or message.get("kind") != "msg":
            return None
        line = self.comms.get(str(message.get("id")))
        data = message.get("data")
        if line is None or not isinstance(data, dict):
            return None
        widget = line._msg_callback.__self__ if line._msg_callback is not None else None
        if widget is None or not _allowed(widget, data):
            return None
        return self._run(self._hand_over, line, data)

    def _hand_over(self, line: DeskComm, data: dict[str, Any]) -> None:
        try:
            line.handle_msg({"content": {"data": data}, "buffers": []})
        except QualcodeError as exc:  # the widgets say most themselves; this is the rest
            self.emit({"kind": "said", "text": f"Could not do that: {exc}"})

    def close(self) -> None:
        """The page went away: close every widget and the project; the thread ends."""
        if self._closed:
            return
        self._closed = True
        self._thread.submit(self._shut)
        self._thread.shutdown(wait=False)

    def _shut(self) -> None:
        watching = getattr(self, "_watching", None)
        if watching is not None:
            watching.stop()
        for line in list(self.comms.values()):
            widget = line._msg_callback.__self__ if line._msg_callback is not None else None
            if widget is not None:
                widget.close()
        self.comms.clear()
        if getattr(self, "project", None) is not None:
            self.project.close()


def _allowed(widget: Any, data: dict[str, Any]) -> bool:
    """Whether a person may do this to this widget from the page."""
    kind = getattr(widget, "_model_name", "")
    if getattr(widget, "disabled", False):
        return False
    method = data.get("method")
    if method == "update":
        state = data.get("state")
        return isinstance(state, dict) and bool(state) and set(state) <= UPDATES.get(kind, set())
    if method == "custom":
        content = data.get("content")
        if kind == "ButtonModel":
            return content == {"event": "click"}
        if kind == "TextModel":
            return content == {"event": "submit"}
        return kind in CUSTOM and isinstance(content, dict)
    return False
