"""No module imports from a room above it: the flow read (io) -> map/clean (schema) -> features -> segment
-> score -> write/report shows in what each module may import.  Imports inside functions count too (a late
import is still a dependency); ``if TYPE_CHECKING:`` imports (type hints only) do not.  The package root
(tiercli/__init__.py) puts the rooms together and may import any of them; ``from . import __version__`` is
the one thing every room may take from it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tiercli"

# lowest first; a module may import from its own room and the rooms below it
ROOMS = [
    ("i18n",),
    ("errors",),
    ("config", "labels", "countries", "lifetime", "signals", "draw"),
    ("io",),
    ("schema",),
    ("features",),
    ("segmenters",),
    ("scoring",),
    ("history", "backtest", "plan"),
    ("report",),
    ("testing",),
    ("cli",),
]
LEVEL = {room: i for i, rooms in enumerate(ROOMS) for room in rooms}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(src: Path = SRC) -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every relative import under ``src`` (src/tiercli)."""
    found = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).with_suffix("").parts
        module = ".".join(("tiercli", *rel)).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hints = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in
                 ast.unparse(node.test) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.level or id(node) in hints:
                continue
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            names = [node.module] if node.module else [a.name for a in node.names]
            found += [(module, ".".join([*base, n]), node.lineno) for n in names]
    return found


def test_every_module_has_a_room():
    rooms = {_room(m) for m, _t, _l in imports()} | {_room(t) for _m, t, _l in imports()}
    assert rooms - {"", "__version__"} <= set(LEVEL), rooms - set(LEVEL)


def test_no_module_imports_from_a_room_above_it():
    upward = [f"{m}:{line} imports {t}" for m, t, line in imports()
              if _room(m) and _room(t) in LEVEL and LEVEL[_room(t)] > LEVEL[_room(m)]]
    assert not upward, "\n".join(upward)


def test_only_the_version_is_taken_from_the_package_root():
    taken = {t for m, t, _l in imports() if _room(m) and _room(t) not in LEVEL}
    assert taken <= {"tiercli.__version__"}, taken


def test_the_walk_sees_late_imports(tmp_path):
    """features importing the registry inside a function is found (and would be upward)."""
    fake = tmp_path / "tiercli"
    (fake / "segmenters").mkdir(parents=True)
    (fake / "features.py").write_text("def f():\n    from .segmenters.base import registry\n", encoding="utf-8")
    (fake / "segmenters" / "base.py").write_text("from ..features import f\n", encoding="utf-8")
    found = imports(fake)
    assert ("tiercli.features", "tiercli.segmenters.base", 2) in found
    assert ("tiercli.segmenters.base", "tiercli.features", 1) in found
    assert LEVEL[_room("tiercli.segmenters.base")] > LEVEL[_room("tiercli.features")]


def test_no_module_takes_another_modules_private_names():
    """A name that starts with ``_`` is its module's own; a room that needs it is asking for a public one."""
    taken = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                taken += [f"{path.relative_to(SRC)}:{node.lineno} takes {a.name}" for a in node.names
                          if a.name.startswith("_") and a.name not in ("_", "__version__")]
    assert not taken, "\n".join(taken)
