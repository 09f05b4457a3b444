"""README.md's terminal-output excerpts stay true: tools/readme_excerpts.py regenerates them from the real
commands (in a temporary copy of examples/alibaba) and this test fails, with the diff, when they drift.

After a change that alters what a command prints, regenerate and review:

    .venv/bin/python tools/readme_excerpts.py --write && git diff README.md
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def tool():
    name = "tiercli_readme_excerpts"
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "readme_excerpts.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_readme_excerpts_are_what_the_commands_print(tool):
    before = _tree(EXAMPLES)
    try:
        current, generated = tool.generate()
    except tool.ExcerptError as exc:
        problem = str(exc)
    else:
        problem = None
    if problem:
        pytest.fail(f"README excerpts cannot be generated: {problem}\n(the command, or what EXCERPTS in "
                    "tools/readme_excerpts.py keeps of its output, needs a look)", pytrace=False)
    assert _tree(EXAMPLES) == before, "generating the README excerpts changed files under examples/"
    if current != generated:
        pytest.fail("README.md's output excerpts differ from what the commands print now.\n"
                    f"Regenerate them with\n    {tool.FIX}\nand review `git diff README.md`.\n\n"
                    + tool.diff(current, generated), pytrace=False)


TABLE = """\
Segments
+-------+-----+
| Label |   N |
+-------+-----+
| A     |   1 |
| B     |   2 |
| C     |   3 |
+-------+-----+
done""".split("\n")


@pytest.mark.parametrize("spec, want", [
    ({}, TABLE[:8]),
    ({"rows": 1}, TABLE[:5] + ["| ...         |"]),
    ({"rows": ["A", "C"], "header": False}, ["Segments", "| A     |   1 |", "| ...         |", "| C     |   3 |"]),
    ({"rows": ["B"]}, TABLE[:4] + ["| ...         |", "| B     |   2 |", "| ...         |"]),
])
def test_a_table_keeps_the_chosen_rows_and_marks_the_cuts(tool, spec, want):
    [(start, stop, lines)] = tool.Table("Segments", **spec).pick(TABLE)
    assert (start, stop, lines) == (0, 8, want)


def test_a_row_the_output_no_longer_has_is_an_error_naming_it(tool):
    with pytest.raises(tool.ExcerptError, match="no row 'D'"):
        tool.Table("Segments", rows=["A", "D"]).pick(TABLE)


def test_products_share_their_leading_words_with_an_ellipsis(tool):
    assert tool._shorten_products("Patch 3in Pink; Patch 4in Pink; Patch 3in White", 2) == "Patch 3in Pink; … 4in Pink; …"


def test_readme_benchmark_tables_are_the_results_files():
    """The Performance section's tables are made from benchmarks/results by benchmarks/report.py, never typed."""
    spec = importlib.util.spec_from_file_location("tiercli_bench_report", ROOT / "benchmarks" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    readme = (ROOT / "README.md").read_text()
    blocks = [m.group(1) for m in map(report.START.match, readme.splitlines()) if m]
    assert blocks, "README.md has no benchmark block"
    assert all((ROOT / b).is_file() for b in blocks)
    assert report.render(readme) == readme, "README.md's benchmark tables drifted: python benchmarks/report.py --write"
