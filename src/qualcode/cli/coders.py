"""`qualcode coder`: who codes, who leads, and tidying coders' names.

qualcode coder list
qualcode coder lead dawn --by dawn          (the first lead: anyone; later only a lead)
qualcode coder rename "amina k" "Amina Khan" --by dawn
qualcode coder merge amina2 Amina --by dawn
qualcode coder restore-code Transport --by dawn

`--by` is the person acting (default: $QUALCODE_USER, else the login name).
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.options import ProjectOption, open_from_cli

app = typer.Typer(
    help="Coders and leads: list them, name a lead, rename or merge coders, restore a code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting [default: $QUALCODE_USER or your login]"),
]


@app.command("list")
def list_(project: ProjectOption = None) -> None:
    """Every coder with role, whether a lead, codings and memos."""
    frame = open_from_cli(project).coders_df()
    typer.echo(frame.to_string(index=False) if not frame.empty else "no coders yet")


@app.command("lead")
def lead(
    name: Annotated[str, typer.Argument(help="The person to make a lead")],
    by: ByOption = None,
    project: ProjectOption = None,
) -> None:
    """Make someone a lead: anyone names the first lead, later only a lead."""
    p = open_from_cli(project)
    leads = p.add_lead(name, by=by or p.user)
    typer.echo(f"leads: {', '.join(leads)}")


@app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help="The coder's name now")],
    new: Annotated[str, typer.Argument(help="The name they should have")],
    by: ByOption = None,
    project: ProjectOption = None,
) -> None:
    """Rename a coder (a lead's change); their codings, memos and rounds follow."""
    p = open_from_cli(project)
    name = p.rename_coder(old, new, by=by or p.user)
    typer.echo(f"coder {old!r} is now {name!r}")


@app.command("merge")
def merge(
    source: Annotated[str, typer.Argument(help="The coder who goes")],
    into: Annotated[str, typer.Argument(help="The coder who stays")],
    by: ByOption = None,
    project: ProjectOption = None,
) -> None:
    """Merge two names of one person (a lead's change): codings, memos and rounds move."""
    p = open_from_cli(project)
    moved = p.merge_coders(source, into=into, by=by or p.user)
    typer.echo(
        f"merged {source!r} into {moved['into']!r}: {moved['codings_moved']} codings moved, "
        f"{moved['duplicate_codings_removed']} identical ones kept once, "
        f"{moved['memos_moved']} memos moved"
    )


@app.command("restore-code")
def restore_code(
    code: Annotated[str, typer.Argument(help="The deleted code's name, path or guid")],
    by: ByOption = None,
    project: ProjectOption = None,
) -> None:
    """Bring back a deleted code with its codings, from the audit log."""
    p = open_from_cli(project)
    restored = p.restore_code(code, by=by or p.user)
    typer.echo(f"restored {restored.path!r} with {p.codebook.usage(restored)} codings")
