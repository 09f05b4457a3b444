"""Where a command's output goes: its default name beside the inputs, and its folder, checked before any work."""

from __future__ import annotations

from pathlib import Path

from ...errors import OutputError
from ...i18n import _


def tiers_name(paths: list[Path], tail: str) -> Path:
    """NAME.tiers.TAIL beside the first input (".tiers." keeps tiercli's outputs out of the next folder scan)."""
    first = paths[0]
    if first.is_dir():
        return first / f"{first.resolve().name}.tiers.{tail}"
    name = first.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return first.with_name(f"{name}.tiers.{tail}")


def output_folder(target: Path) -> Path:
    """The folder ``target`` is written in, checked before any work: it must exist."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(_("cannot write {path}: folder {folder} does not exist.").format(path=target, folder=folder),
                          hint=_("Create it or choose another -o."))
    return folder
