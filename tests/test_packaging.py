"""Packaging promises: the layout, a fast import and CLI, environment.yml mirrors pyproject."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import ROOT

HEAVY = ("pandas", "sqlalchemy", "spacy", "torch", "bertopic", "plotly", "sentence_transformers")


def test_layout_of_the_design_card() -> None:
    for folder in (
        "notebooks",
        "src/qualcode",
        "src/qualcode/coding",
        "src/qualcode/topics",
        "data/raw",
        "data/coded",
        "pipelines",
        "tests",
    ):
        assert (ROOT / folder).is_dir(), folder
    for name in ("environment.yml", "README.md", "pyproject.toml", "Makefile", ".ci/run"):
        assert (ROOT / name).is_file(), name


def test_import_qualcode_loads_no_heavy_library() -> None:
    code = (
        "import sys, json, qualcode; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_cli_help_loads_no_heavy_library() -> None:
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from qualcode.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0 and 'ingest' in result.output, result.output\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert set(pip) - {"-e ."} == wanted
    assert "torch==2.13.0" in wanted


def test_constraints_pin_every_dependency() -> None:
    pins = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name = requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0]
        assert name.lower().replace("_", "-") in pins, name


PANELS = {
    "qualcode.widgets.coder": "Coder",
    "qualcode.widgets.codebook_editor": "CodebookEditor",
    "qualcode.widgets.retrieval": "RetrievalView",
    "qualcode.widgets.consensus_review": "ConsensusReview",
    "qualcode.widgets.round_manager": "RoundManager",
    "qualcode.widgets.transcript": "TranscriptView",
    "qualcode.widgets.merge_panel": "MergePanel",
    "qualcode.widgets.export_panel": "ExportPanel",
    "qualcode.widgets.redaction": "RedactionReview",
}


def test_no_panel_shadows_a_widget_method() -> None:
    """ipywidgets calls its own open(), close(), focus() ... on every widget: a panel's method
    of the same name (RoundManager.open did) leaves the widget without a comm, never shown."""
    import importlib

    import ipywidgets as widgets

    found = {}
    for module, name in PANELS.items():
        panel = getattr(importlib.import_module(module), name)
        base = panel.__mro__[1]
        own = {n for n in vars(panel) if not n.startswith("_") and hasattr(base, n)}
        found[name] = sorted(own)
        assert issubclass(panel, widgets.DOMWidget)
    assert found == {name: [] for name in PANELS.values()}
