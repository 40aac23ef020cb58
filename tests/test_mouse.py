"""The Coder's mouse and touch routes, checked without a browser (tests/test_browser_mouse.py
drives them in chromium): the front end is one valid module, every element that stands for a
code is a code target, the status line tells a mouse user what to do, touch targets are big."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from qualcode.widgets.transcript import STATIC, TranscriptView, front_end, styles


def test_the_joinedfront_end_parses_as_one_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser tests still load the module")
    module = tmp_path / "transcript.mjs"
    module.write_text(front_end(), encoding="utf-8")
    done = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_mouse_feature_is_installed_with_itsstyles() -> None:
    assert "FEATURES.push(function mouse(ctx)" in TranscriptView._esm
    assert ".qc-code-this" in styles() and ".qc-drop" in styles()


def test_strip_chips_and_palette_rows_are_code_targets() -> None:
    core = (STATIC / "transcript.js").read_text(encoding="utf-8")
    palette = (STATIC / "features" / "palette.js").read_text(encoding="utf-8")
    assert re.search(r'"qc-chip".*\n.*"data-code-target": c\.id', core)
    assert '"data-code-target": c.id' in palette
    # the chips' clicks go through the one handler for every code target, not a second one
    assert "applyCode(c.id, currentRange())" not in core


def test_the_status_line_tells_a_mouse_user_what_to_do() -> None:
    core = (STATIC / "transcript.js").read_text(encoding="utf-8")
    help_text = re.search(r"const HELP =(.*?);\n", core, re.S).group(1)
    for words in ("Select words", "click a code", "drag them onto a code", "right-click"):
        assert words in help_text


def test_touch_targets_are_a_fingers_width() -> None:
    mouse = (STATIC / "features" / "mouse.css").read_text(encoding="utf-8")
    palette = (STATIC / "features" / "palette.css").read_text(encoding="utf-8")
    assert re.search(r"\.qc-code-this \{[^}]*min-height: 44px", mouse)
    assert re.search(r"\.qc-touch li\[data-code-target\] \{[^}]*min-height: 44px", palette)
