"""Codebooks as YAML (a nested tree) or CSV (one row per code, with its path).

Import is all or nothing: the file is read and checked first, then every code is added or
updated in one transaction. Importing the same file twice changes nothing.

YAML::

    codes:
      - name: Access to services
        description: ...
        children:
          - name: Access to GP
            inclusion: ...
            shortcut: "1"

CSV columns: path (``Parent/Child``, as `qualcode.model.join_path` writes it: a "/" inside a
name is ``\\/``, so ``Access/Transport to\\/ from services``), description, inclusion,
exclusion, example, color, shortcut.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodebookError, NotFoundError
from qualcode.files import atomic_path
from qualcode.model import join_path, split_path
from qualcode.sheets import csv_text, csv_value
from qualcode.store import codes as code_store
from qualcode.store.codes import TEXT_FIELDS

if TYPE_CHECKING:
    from qualcode.project import Project

FIELDS = (*TEXT_FIELDS, "color", "shortcut")
CSV_COLUMNS = ("path", *FIELDS)


@dataclass(frozen=True)
class CodeSpec:
    """One code as a file describes it."""

    path: tuple[str, ...]
    fields: dict[str, str]


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.added} codes added, {self.updated} updated, {self.unchanged} unchanged"


def read_codebook(path: str | Path) -> list[CodeSpec]:
    """Read and check a codebook file; parents come before their children."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise CodebookError(
        f"{path}: a codebook file is .yaml, .yml or .csv, not {suffix or 'no'} extension"
    )


def import_codebook(project: Project, path: str | Path) -> ImportResult:
    """Add the file's codes to the project's codebook, updating those that exist (by path)."""
    specs = read_codebook(path)
    added = updated = unchanged = 0
    try:
        with project.writing() as conn:
            for spec in specs:
                path_text = join_path(spec.path)
                try:
                    existing = code_store.resolve(conn, path_text)
                except NotFoundError:
                    existing = None
                if existing is not None and existing.path == path_text:
                    changes = {
                        k: v
                        for k, v in spec.fields.items()
                        if (getattr(existing, k) or "") != (v or "")
                    }
                    if changes.get("color") and changes["color"].upper() == existing.color:
                        changes.pop("color")
                    if changes:
                        code_store.change_code(conn, existing, changes, actor=project.user)
                        updated += 1
                    else:
                        unchanged += 1
                    continue
                parent = join_path(spec.path[:-1]) or None
                code_store.add_code(
                    conn, spec.path[-1], actor=project.user, parent=parent, **spec.fields
                )
                added += 1
    except CodebookError as exc:
        raise CodebookError(f"{path}: {exc}; nothing was imported") from exc
    return ImportResult(added, updated, unchanged)


def export_codebook(project: Project, path: str | Path) -> Path:
    """Write the codebook as YAML or CSV (by extension), atomically."""
    import yaml

    path = Path(path)
    codes = project.codebook.all()
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix in (".yaml", ".yml"):
            tmp.write_text(
                "# qualcode codebook\n"
                + yaml.safe_dump(
                    {"codes": _nested(codes, None)}, sort_keys=False, allow_unicode=True, width=100
                ),
                encoding="utf-8",
            )
        elif suffix == ".csv":
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
                writer.writeheader()
                for code in codes:
                    row = {"path": code.path, **{k: getattr(code, k) or "" for k in FIELDS}}
                    writer.writerow({k: csv_text(str(v)) for k, v in row.items()})
        else:
            raise CodebookError(f"{path}: write a codebook as .yaml or .csv")
    return path


def _nested(codes: list[Any], parent_id: int | None) -> list[dict[str, Any]]:
    """The codes under `parent_id` as YAML-ready dicts, each with its children."""
    out = []
    for code in codes:
        if code.parent_id != parent_id:
            continue
        node: dict[str, Any] = {"name": code.name}
        node.update({k: getattr(code, k) for k in FIELDS if getattr(code, k)})
        children = _nested(codes, code.id)
        if children:
            node["children"] = children
        out.append(node)
    return out


def _read_yaml(path: Path) -> list[CodeSpec]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CodebookError(
            f"{path}: not readable YAML ({exc}); fix the file and try again"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookError(f"{path}: a codebook YAML file has a top-level 'codes:' list")
    specs: list[CodeSpec] = []

    def walk(items: list[Any], prefix: tuple[str, ...]) -> None:
        for item in items:
            if not isinstance(item, dict) or not str(item.get("name") or "").strip():
                where = join_path(prefix) or "the top level"
                raise CodebookError(f"{path}: an entry under {where} has no name")
            unknown = set(item) - {"name", "children", *FIELDS}
            if unknown:
                raise CodebookError(
                    f"{path}: code {item['name']!r} has unknown fields "
                    f"{', '.join(sorted(map(str, unknown)))}; "
                    f"allowed: name, children, {', '.join(FIELDS)}"
                )
            code_path = (*prefix, str(item["name"]).strip())
            specs.append(CodeSpec(code_path, _fields(item)))
            children = item.get("children") or []
            if not isinstance(children, list):
                raise CodebookError(f"{path}: 'children' of {item['name']!r} must be a list")
            walk(children, code_path)

    walk(data["codes"], ())
    return _check_specs(path, specs)


def _read_csv(path: Path) -> list[CodeSpec]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = [  # a cell qualcode wrote as '=... (see qualcode.sheets) reads as =...
                {k: csv_value(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in csv.DictReader(fh)
            ]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CodebookError(f"{path}: not a readable UTF-8 CSV ({exc})") from exc
    if not rows or "path" not in rows[0]:
        raise CodebookError(
            f"{path}: a codebook CSV has a 'path' column (columns: {', '.join(CSV_COLUMNS)})"
        )
    specs = []
    for number, row in enumerate(rows, start=2):
        parts = tuple(part.strip() for part in split_path(row.get("path") or ""))
        if not all(parts):
            raise CodebookError(f"{path}: row {number} has an empty path")
        specs.append(CodeSpec(parts, _fields(row)))
    return _check_specs(path, specs)


def _fields(item: dict[str, Any]) -> dict[str, str]:
    return {k: str(item[k]).strip() for k in FIELDS if item.get(k) not in (None, "")}


def _check_specs(path: Path, specs: list[CodeSpec]) -> list[CodeSpec]:
    """Parents first, no duplicate paths."""
    seen: set[tuple[str, ...]] = set()
    ordered: list[CodeSpec] = []
    for spec in sorted(specs, key=lambda s: len(s.path)):
        if spec.path in seen:
            raise CodebookError(f"{path}: code {join_path(spec.path)!r} appears twice")
        seen.add(spec.path)
        ordered.append(spec)
    for spec in ordered:
        if len(spec.path) > 1 and spec.path[:-1] not in seen:
            raise CodebookError(
                f"{path}: parent {join_path(spec.path[:-1])!r} of "
                f"{spec.path[-1]!r} is not in the file; add a row for it (in a path, a '/' "
                "inside a name is written '\\/')"
            )
    return ordered
