"""io is a low room: its modules import only errors and i18n from the rest of tiercli, and no module of io
imports another's underscore-private names (issue 17)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tiercli"
IO = SRC / "io"
ALLOWED_OUTSIDE = {"tiercli.errors", "tiercli.i18n"}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(imported module, names) for every import in ``path``, relative ones resolved."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None:  # from . import x: x is a module
                for alias in node.names:
                    yield f"{target}.{alias.name}", []
            else:
                yield target, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


IO_FILES = sorted(IO.rglob("*.py"))


@pytest.mark.parametrize("path", IO_FILES, ids=lambda p: str(p.relative_to(IO)))
def test_io_imports_nothing_from_a_room_above_it(path):
    upward = sorted({target for target, _names in _imports(path)
                     if target.startswith("tiercli") and not target.startswith("tiercli.io")
                     and target not in ALLOWED_OUTSIDE})
    assert not upward, f"{path.relative_to(SRC)} imports {upward}"


@pytest.mark.parametrize("path", IO_FILES, ids=lambda p: str(p.relative_to(IO)))
def test_io_modules_use_each_others_public_names(path):
    private = sorted(f"{target}.{name}" for target, names in _imports(path) if target.startswith("tiercli")
                     for name in names if name.startswith("_") and name != "_")
    assert not private, f"{path.relative_to(SRC)} imports private names {private}"


def test_the_check_sees_the_imports_it_is_about():
    """The resolver understands the spellings io uses (relative at two depths, absolute)."""
    found = dict(_imports(IO / "read" / "workbook.py"))
    assert "tiercli.io.guard" in found and "tiercli.errors" in found and "tiercli.io.read.cells" in found
    assert "_" in found["tiercli.i18n"]
