"""The redaction review widget and the `qualcode redact` commands, driven as a reviewer would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import qualcode
from qualcode.cli.privacy import app
from qualcode.privacy import PseudonymKey, findings_df
from qualcode.widgets.redaction import RedactionReview

TEXT = (
    "[SYNTHETIC]\nInterviewer: Who helps?\n"
    "Participant: My daughter Sarah, at TS24 8AB. Ring 07700 900123. Our Gary too.\n"
)


@pytest.mark.sqlite_only
def test_review_widget_buttons(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = project.add_document(TEXT, area="hartlepool", title="w")
    project.codebook.add("Family")
    project.code(doc, TEXT.index("My daughter"), TEXT.index("too.") + 4, "Family", coder="amina")
    key = PseudonymKey.open(project, tmp_path / "w.key.sqlite")
    w = RedactionReview(project, key, by="dawn")
    assert "No findings" in w.list_box.children[0].value
    w.scan_button.click()
    assert "4 to review" in w.count.value
    assert w.apply_button.disabled
    assert set(w.kind_buttons) == {"person", "postcode", "phone"}
    first, second = sorted(w.rows)[:2]
    w.rows[first][0].click()  # Accept
    w.rows[second][1].click()  # Reject
    assert "2 to review, 1 accepted, 1 rejected" in w.count.value
    w.apply()  # pressing Apply early says why, and changes nothing
    assert "still pending" in w.status.value and project.document("w").version == 1
    for button in list(w.kind_buttons.values()):
        button.click()
    assert "0 to review" in w.count.value and not w.apply_button.disabled
    w.apply_button.click()
    assert "Applied: 1 documents" in w.status.value
    new = project.document("w")
    assert new.version == 2 and new.meta["pseudonymised"]
    assert len(project.codings(new)) == 1
    statuses = findings_df(key)["status"].value_counts().to_dict()
    assert statuses == {"applied": 3, "rejected": 1}
    key.close()


@pytest.mark.sqlite_only
def test_redact_commands(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project.add_document(TEXT, area="hartlepool", title="c")
    store = project.location
    key = str(tmp_path / "c.key.sqlite")
    run = CliRunner().invoke
    common = ["-p", store, "--key", key]

    result = run(app, ["scan", *common])
    assert result.exit_code == 0, result.output
    assert "4 findings to review" in result.output
    listed = run(app, ["list", *common])
    assert "[[Sarah]]" in listed.output and "[POSTCODE 1]" in listed.output
    ids = [int(line.split()[0]) for line in listed.output.splitlines()]

    blocked = run(app, ["apply", *common, "--by", "dawn"])
    assert blocked.exit_code == 1 and "4 findings are still pending" in str(blocked.exception)
    assert run(app, ["accept", "--kind", "person", *common]).output.strip() == (
        "accepted 2 findings"
    )
    assert "rejected 1" in run(app, ["reject", str(ids[-1]), *common]).output
    both = run(app, ["accept", "1", "--kind", "phone", *common])
    assert both.exit_code == 1 and "not both" in str(both.exception)
    run(app, ["accept", "--kind", "postcode", *common])
    run(app, ["accept", "--kind", "phone", *common])
    done = run(app, ["apply", *common, "--by", "dawn"])
    assert done.exit_code == 0, done.output
    p = qualcode.open_project(store)
    assert "[PERSON 1]" in p.document("c").text
    p.close()
    assert run(app, ["list", "--status", "applied", *common]).output.count("applied") >= 2

    backup = f"{store}.v2.bak"  # as a schema upgrade leaves it: a copy with the originals
    shutil.copy(store, backup)
    listed = run(app, ["purge", "-p", store, "--by", "dawn"])
    assert listed.exit_code == 0 and "--yes removes it" in listed.output
    assert f"note: {backup} is a backup from a schema upgrade" in listed.output
    assert qualcode.open_project(store).document("c").version == 2
    purged = run(app, ["purge", "-p", store, "--by", "dawn", "--yes"])
    assert purged.exit_code == 0 and "purged 1 earlier versions" in purged.output
    p = qualcode.open_project(store)
    old = p.documents_df(all_versions=True).query("version == 1")
    assert old["words"].tolist() == [0]
    p.close()
    again = run(app, ["purge", "-p", store, "--by", "dawn", "--yes"])
    assert "nothing to purge" in again.output and f"note: {backup}" in again.output
    Path(backup).unlink()
    assert "note:" not in run(app, ["purge", "-p", store, "--by", "dawn"]).output


@pytest.mark.sqlite_only
def test_redact_commands_name_what_is_wrong(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project.add_document(TEXT, area="hartlepool", title="c")
    common = ["-p", project.location, "--key", str(tmp_path / "c.key.sqlite")]
    run = CliRunner().invoke
    for command in (["list"], ["apply", "--by", "dawn"], ["accept", "--kind", "person"]):
        early = run(app, [*command, *common])  # before any scan: no key to read
        assert early.exit_code == 1 and "nothing has been scanned yet" in str(early.exception)
    assert not (tmp_path / "c.key.sqlite").exists()
    nowhere = run(app, ["scan", "--area", "nowhere", *common])
    assert nowhere.exit_code == 1
    assert "no area named 'nowhere'; the areas are: hartlepool" in str(nowhere.exception)
    neither = run(app, ["accept", *common])
    assert neither.exit_code == 1 and "their ids" in str(neither.exception)
    assert "not both" not in str(neither.exception)
