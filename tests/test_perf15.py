"""A key press sends the codings it changed, not the transcript's whole list (issue 15, part 6).

The Coder's view is driven as the browser drives it, on a comm that records what would cross
to the browser; the browser's own patch function (static/core.js `patchCodings`) is run
under node on what crossed, and must end with the list Python has.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from qualcode.widgets.coder import Coder
from qualcode.widgets.transcript import STATIC


class RecordingComm:
    """Stands in for the kernel's comm: keeps every message instead of sending it."""

    kernel = True
    comm_id = "recording"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def on_msg(self, callback: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.sent.append(json.loads(json.dumps(data)))

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


def press(widget: Coder, **content: Any) -> None:
    """What the browser does: a custom message on the transcript view's comm."""
    widget.view._handle_custom_msg(content, [])


@pytest.fixture
def wired(project, doc) -> tuple[Coder, RecordingComm, list[dict[str, Any]]]:
    """A Coder on `doc` with two others' codings, its view on a recording comm; and the list
    the browser got when the transcript was opened."""
    gp = project.codebook.add("Access to GP", shortcut="1")
    project.codebook.add("Transport", shortcut="2")
    for coder, words in (("ben", "nightmare"), ("chloe", "GP")):
        start = doc.text.index(words)
        project.code(doc, start, start + len(words), gp, coder=coder)
    widget = Coder(project, coder="amina", show_all=True)
    comm = RecordingComm()
    widget.view.comm = comm
    return widget, comm, [dict(d) for d in widget.view.codings]


def _state_keys(comm: RecordingComm) -> set[str]:
    updates = [m for m in comm.sent if m.get("method") in ("update", "echo_update")]
    return {key for m in updates for key in m["state"]}


def _patches(comm: RecordingComm) -> list[dict[str, Any]]:
    return [
        m["content"]
        for m in comm.sent
        if m.get("method") == "custom" and m["content"].get("type") == "codings"
    ]


def test_code_and_uncode_send_a_small_patch_not_the_list(wired, doc) -> None:
    widget, comm, opened = wired
    assert len(opened) == 2
    start = doc.text.index("nightmare")
    code = widget.view.codes[1]["id"]
    press(widget, type="code", start=start, end=start + 9, code_id=code, id=1)
    assert "codings" not in _state_keys(comm)  # the whole list did not cross again
    (patch,) = _patches(comm)
    (added,) = patch["add"]
    assert (added["start"], added["code_id"], added["mine"]) == (start, code, True)
    assert patch["remove"] == []
    assert len(widget.view.codings) == 3  # Python's list has it too
    comm.sent.clear()
    press(widget, type="uncode", coding_id=added["id"], id=2)
    assert "codings" not in _state_keys(comm)
    assert _patches(comm) == [{"type": "codings", "add": [], "remove": [added["id"]]}]
    assert [d["id"] for d in widget.view.codings] == [d["id"] for d in opened]


def test_python_observers_still_hear_a_patched_list(wired, doc) -> None:
    widget, _comm, _opened = wired
    heard: list[int] = []
    widget.view.observe(lambda change: heard.append(len(change["new"])), names="codings")
    start = doc.text.index("nightmare")
    press(widget, type="code", start=start, end=start + 9, code_id=widget.view.codes[0]["id"])
    assert heard == [3]


def test_a_patch_inside_held_sync_goes_with_the_held_state(wired, doc) -> None:
    """A message would overtake state held back by hold_sync: the list is sent whole then."""
    widget, comm, _opened = wired
    start = doc.text.index("nightmare")
    with widget.view.hold_sync():
        widget.code(start, start + 9, widget.view.codes[0]["id"])
        assert comm.sent == []
    assert "codings" in _state_keys(comm) and _patches(comm) == []
    assert len(widget.view.codings) == 3


def test_a_new_transcript_still_sends_the_whole_list(wired, project, doc) -> None:
    widget, comm, _opened = wired
    other = project.add_document("Interviewer: Hello.\nParticipant: The bus.", area="x", title="t2")
    widget.refresh()
    widget.go_to(other)
    assert "codings" in _state_keys(comm) and widget.view.codings == []


def _node(function: str, script: str) -> Any:
    """Run `script` under node after a top-level function copied out of static/core.js."""
    source = (STATIC / "core.js").read_text(encoding="utf-8")
    found = re.search(rf"^function {function}\(.*?^\}}", source, re.S | re.M)
    assert found, f"static/core.js has no function {function} any more"
    out = subprocess.run(
        ["node", "-e", found.group(0) + "\n" + script], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _node_patch(opened: list[dict[str, Any]], patches: list[dict[str, Any]]) -> list[Any]:
    """The browser's patchCodings applied to `opened`, message by message."""
    return _node(
        "patchCodings",
        f"const list = {json.dumps(opened)};\n"
        f"for (const msg of {json.dumps(patches)}) patchCodings(list, msg);\n"
        "console.log(JSON.stringify(list));",
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the browser's code")
def test_offsets_cross_astral_characters_as_python_counts_them() -> None:
    """The browser's UTF-16 offsets <-> Python's code points, emoji and a lone surrogate too."""
    texts = ["ab🚌c", "🚌", "x🚌🚌y z😀\n🚌", "plain", "a\ud800b", "🚌a🚌"]
    got = _node(
        "offsetMaps",
        f"const out = {json.dumps(texts)}.map((t) => {{ const m = offsetMaps(t);\n"
        "  const cps = [...Array(m.length + 1).keys()];\n"
        "  return [m.length, cps.map(m.toU16), [...Array(t.length + 1).keys()].map(m.toCp)]; });\n"
        "console.log(JSON.stringify(out));",
    )
    for text, (length, to_u16, to_cp) in zip(texts, got, strict=True):
        units = [len(text[:cp].encode("utf-16-le", "surrogatepass")) for cp in range(len(text) + 1)]
        u16 = [n // 2 for n in units]
        assert (length, to_u16) == (len(text), u16), text
        # a UTF-16 offset (inside a pair too) belongs to the character it falls in
        assert to_cp == [max(cp for cp, u in enumerate(u16) if u <= x) for x in range(u16[-1] + 1)]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the browser's code")
def test_the_browsers_list_ends_equal_to_pythons(wired, doc) -> None:
    widget, comm, opened = wired
    codes = [c["id"] for c in widget.view.codes]
    for i, words in enumerate(("nightmare", "queue", "GP")):
        start = doc.text.index(words)
        press(widget, type="code", start=start, end=start + len(words), code_id=codes[i % 2])
    mine = [d for d in widget.view.codings if d["mine"]]
    press(widget, type="memo", coding_id=mine[0]["id"], memo="about waiting")  # a replace
    press(widget, type="uncode", coding_id=mine[1]["id"])
    press(widget, type="undo")  # the removal taken back: a new id
    press(widget, type="undo")  # the memo taken back
    assert _node_patch(opened, _patches(comm)) == widget.view.codings
    assert any(d["memo"] == "" for d in widget.view.codings if d["id"] == mine[0]["id"])
