"""Generate README.md's terminal-output excerpts from the real commands, or check that they are still true.

    .venv/bin/python tools/readme_excerpts.py            # check: exit 1 with a diff when README.md differs
    .venv/bin/python tools/readme_excerpts.py --write    # rewrite the marked blocks, then review `git diff`

The README marks each generated block:

    <!-- excerpt: score-alibaba -->
    ```
    ...
    ```
    <!-- /excerpt -->

and EXCERPTS below says, for each name, which command produces it and what of the real output is kept:
- ``Text(command, keep=(...))``: lines of the terminal output, in their printed order.  ``Line(regex)`` keeps
  the lines that match; ``Table(title, rows=..., header=...)`` keeps a table by its title line (all rows, the
  first N, or the rows with these labels) and puts a "| ... |" row, as wide as the table, where rows were cut;
- ``CondensedJson``: JSON output with long lists and objects cut to their first items ("...": "...");
- ``SheetRows``: rows of a sheet in the workbook the command wrote, as a Markdown table.
A kept label or title the output no longer has is an error naming it (the spec needs a look, not --write).
CLAIMS lists README sentences about where a command writes; the run must have written that file.
Everything between the markers is generated; nothing else in README.md is touched.

How the commands run, so that the output is what a reader gets from the README's own command line:
- each command in its own temporary folder holding a copy of the example inputs at the same relative path
  (``examples/alibaba``), as the working directory: paths print as in the README ("wrote
  examples/alibaba/alibaba.tiers.xlsx"), the command is the README's word for word (no -o or --no-history
  needed), and nothing is written into the real examples/ (outputs, history, lock files stay in the copy);
- ``python -m tiercli.cli`` with this checkout's ``src`` first on PYTHONPATH, in a fixed environment: no
  TIERCLI_* variables, no COLUMNS / FORCE_COLOR, output to a pipe, so it is the plain ASCII layout at
  tiercli's fixed log width;
- the commands run in parallel (a few seconds in all).

Kept in tools/, not tests/: it is a maintainer's tool that rewrites README.md (``--write``); tests/test_readme.py
only runs its check.  It needs nothing beyond tiercli's own dependencies.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIX = ".venv/bin/python tools/readme_excerpts.py --write"
# the example folders a command reads, copied into its temporary working directory
INPUTS = ("examples/alibaba",)
# tiercli's own outputs a developer's earlier run may have left beside the inputs (.gitignore): not inputs
_OUTPUTS = shutil.ignore_patterns("*.tiers.*", ".tiercli", ".tiercli.lock", ".~tiercli-*", "tiercli.log")
START = re.compile(r"^<!-- excerpt: ([\w-]+) -->$")
END = "<!-- /excerpt -->"


class ExcerptError(Exception):
    """A command failed, or the output no longer has what an excerpt keeps: the spec below needs a look."""


# --------------------------------------------------------------------------------------------------------------
# selections


@dataclass(frozen=True)
class Line:
    """Every output line matching ``pattern`` (a regex, matched at the start of the line); at least one must."""

    pattern: str

    def pick(self, lines: list[str]) -> list[tuple[int, int, list[str]]]:
        hits = [(i, i + 1, [line]) for i, line in enumerate(lines) if re.match(self.pattern, line)]
        if not hits:
            raise ExcerptError(f"no output line matches {self.pattern!r}")
        return hits


@dataclass(frozen=True)
class Table:
    """The plain-text (ASCII) table under the line ``title``.

    rows: None (all), an int (the first N) or a list of labels (the rows whose first cell is one of them; each
    must exist).  header: keep the top border, column names and separator (and the bottom border when the last
    row is kept).  A "| ... |" row, as wide as the table, stands where rows were cut.
    """

    title: str
    rows: int | list[str] | None = None
    header: bool = True

    def pick(self, lines: list[str]) -> list[tuple[int, int, list[str]]]:
        starts = [i for i, line in enumerate(lines) if line == self.title]
        if len(starts) != 1:
            raise ExcerptError(f"{len(starts)} lines are the table title {self.title!r} (want exactly 1)")
        start = starts[0]
        end = start + 1
        while end < len(lines) and lines[end][:1] in ("+", "|"):
            end += 1
        block = lines[start + 1:end]
        borders = [i for i, line in enumerate(block) if line.startswith("+")]
        if len(borders) not in (2, 3) or borders[0] != 0 or borders[-1] != len(block) - 1:
            raise ExcerptError(f"table {self.title!r} is not an ASCII table (a terminal layout?)")
        body = block[borders[-2] + 1:-1]
        labels = [row.split("|")[1].strip() for row in body]
        if self.rows is None:
            keep = list(range(len(body)))
        elif isinstance(self.rows, int):
            keep = list(range(min(self.rows, len(body))))
        else:
            missing = [label for label in self.rows if label not in labels]
            if missing:
                raise ExcerptError(f"table {self.title!r} has no row {', '.join(map(repr, missing))} "
                                   f"(its rows: {', '.join(labels)})")
            keep = [i for i, label in enumerate(labels) if label in self.rows]
        width = len(block[0])
        cut = "| ..." + " " * (width - 6) + "|"
        out = [self.title]
        if self.header:
            out += block[:borders[-2] + 1]
        previous = -1
        for i in keep:
            if i != previous + 1:
                out.append(cut)
            out.append(body[i])
            previous = i
        if previous != len(body) - 1:
            out.append(cut)
        elif self.header:
            out.append(block[-1])
        return [(start, end, out)]


# --------------------------------------------------------------------------------------------------------------
# excerpts


@dataclass(frozen=True)
class Text:
    """Lines of a command's terminal output: the kept parts, in the order they are printed."""

    command: tuple[str, ...]
    keep: tuple = ()
    fence: str = ""

    def render(self, run: "Run") -> list[str]:
        lines = run.lines()
        blocks = sorted(block for part in self.keep for block in part.pick(lines))
        out, done = [], 0
        for start, stop, block in blocks:
            if start < done:
                raise ExcerptError(f"two selections keep output line {start + 1}: {lines[start]!r}")
            out += block
            done = stop
        return [f"```{self.fence}", *out, "```"]


@dataclass(frozen=True)
class CondensedJson:
    """A command's JSON output, condensed: ``first`` keeps the first N items of the lists and objects with these
    keys (then "..."), ``elide`` replaces these keys' values by "...", lines are filled to ``width``."""

    command: tuple[str, ...]
    first: dict = field(default_factory=dict)
    elide: tuple[str, ...] = ()
    width: int = 110
    caption: str = ""

    def render(self, run: "Run") -> list[str]:
        try:
            doc = json.loads(run.stdout)
        except json.JSONDecodeError as exc:
            raise ExcerptError(f"not JSON: {exc}") from None
        text = _fill_document(self._condense(doc), self.width)
        json.loads("\n".join(text))  # the excerpt stays valid JSON
        caption = [self.caption, ""] if self.caption else []
        return [*caption, "```json", *text, "```"]

    def _condense(self, value, key=None):
        if key in self.elide:
            return "..."
        n = self.first.get(key)
        if isinstance(value, dict):
            items = list(value.items())
            kept = {k: self._condense(v, k) for k, v in (items[:n] if n is not None else items)}
            if n is not None and len(items) > n:
                kept["..."] = "..."
            return kept
        if isinstance(value, list):
            kept = [self._condense(v) for v in (value[:n] if n is not None else value)]
            if n is not None and len(value) > n:
                kept.append("...")
            return kept
        return value


@dataclass(frozen=True)
class SheetRows:
    """Rows of a sheet in a workbook the command wrote, as a Markdown table.

    rows: one filter per row shown ({column: value}: the first row matching all of them whose ``distinct``
    columns differ from the rows already shown); columns: (heading in the README, column in the sheet,
    format: "date", "code" (in backticks), "products" or ""); products: how many of a ';'-separated product
    list are shown (the words a product shares with the one before it become "…", the rest is "…").
    """

    command: tuple[str, ...]
    workbook: str
    sheet: str
    rows: tuple[dict, ...]
    columns: tuple[tuple[str, str, str], ...]
    distinct: tuple[str, ...] = ()
    products: int = 2

    def render(self, run: "Run") -> list[str]:
        import openpyxl

        path = run.folder / self.workbook
        if not path.is_file():
            raise ExcerptError(f"the command did not write {self.workbook}")
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            cells = [list(r) for r in book[self.sheet].iter_rows(values_only=True)]
        finally:
            book.close()
        first = self.columns[0][1]
        heads = next((r for r in cells if r and r[0] == first), None)
        if heads is None:
            raise ExcerptError(f"sheet {self.sheet!r} has no header row starting with {first!r}")
        data = [dict(zip(heads, r)) for r in cells[cells.index(heads) + 1:]]
        missing = [c for c in [c for _, c, _ in self.columns] + list(self.distinct) if c not in heads]
        if missing:
            raise ExcerptError(f"sheet {self.sheet!r} has no column {', '.join(map(repr, missing))}")
        out = ["| " + " | ".join(h for h, _, _ in self.columns) + " |", "|" + "---|" * len(self.columns)]
        shown = []
        for wanted in self.rows:
            row = next((r for r in data if all(r.get(k) == v for k, v in wanted.items())
                        and all(r[c] != s[c] for c in self.distinct for s in shown)), None)
            if row is None:
                raise ExcerptError(f"sheet {self.sheet!r} has no row with {wanted}"
                                   + (f" and another {' and '.join(self.distinct)}" if shown and self.distinct else ""))
            shown.append(row)
            out.append("| " + " | ".join(self._cell(row[c], how) for _, c, how in self.columns) + " |")
        return out

    def _cell(self, value, how: str) -> str:
        if isinstance(value, (datetime, date)):
            text = value.strftime("%Y-%m-%d")
        else:
            text = "" if value is None else str(value)
        if how == "code" and text:
            text = f"`{text}`"
        elif how == "products":
            text = _shorten_products(text, self.products)
        return text.replace("|", "\\|")


SCORE = ("score", "examples/alibaba", "--segmenters", "rfm,abc,tier")
PLAN = ("plan-emails", "examples/alibaba", "--quota", "200")
PLAN_FEB = ("plan-emails", "examples/alibaba", "--quota", "200", "--month", "2026-02")
PLAN_HOLIDAYS = ("plan-emails", "examples/alibaba", "--quota", "200", "--month", "2025-11")
MARKETS = ("markets", "examples/alibaba")
MARKETS_JSON = ("markets", "examples/alibaba", "--format", "json")
INSPECT = ("inspect", "examples/alibaba/orders.xlsx", "--format", "json")

EXCERPTS = {
    "score-alibaba": Text(SCORE, keep=(
        Line(r"\d+ customers · as of "),
        Table("RFM segments", rows=3),
        Table("ABC value"),
        Table("Management tier", rows=["Key", "Blacklisted"], header=False),
        Line("ABC check: "),
        Line("! cancelled: "),
        Line("wrote "),
    )),
    "inspect-json": CondensedJson(
        INSPECT, first={"mapping": 1, "problems": 1, "files": 1}, elide=("message",),
        caption="Condensed from `tiercli inspect examples/alibaba/orders.xlsx --format json` "
                '(`"..."` marks what is cut):'),
    "plan-alibaba": Text(PLAN, keep=(
        Line("Email plan for "),
        Table("Quota used by tier"),
        Table("By purpose", header=False),
        Line("by week: "),
        Table("Left out"),
        Line(r"\d+ big B customers "),
        Line("buying peaks: "),
    )),
    "plan-february": Text(PLAN_FEB, keep=(
        Line("Email plan for "),
        Table("By purpose", header=False),
        Line("by week: "),
        Line(r"  week \d"),
        Line("buying peaks: "),
        Line("seller closure: "),
        Line("note Chinese New Year"),
    )),
    "plan-holidays": Text(PLAN_HOLIDAYS, keep=(
        Line("by week: "),
        Line(r"  week \d"),
    )),
    "plan-rows": SheetRows(
        PLAN, workbook="examples/alibaba/alibaba.tiers.plan-2026-11.xlsx", sheet="Plan",
        rows=({"Purpose": "Satisfaction survey"}, {"Purpose": "Promotion"}), distinct=("Customer ID", "Country"),
        columns=(("Send date", "Send date", "date"), ("Country", "Country", ""), ("Tier", "Tier", ""),
                 ("Purpose", "Purpose", ""), ("Template", "Template", "code"), ("Coupon", "Coupon", ""),
                 ("Theme", "Campaign theme", ""), ("Recommended products", "Recommended products", "products"),
                 ("Reason", "Reason", ""))),
    "markets-alibaba": Text(MARKETS, keep=(
        Table("Lead countries by calendar month (share of the month's customers / of its GMV)",
              rows=["Jan", "Feb", "Apr"]),
    )),
    "markets-json": CondensedJson(
        MARKETS_JSON, first={"months": 1, "leads": 1, "not_ranked": 1},
        caption="`tiercli markets examples/alibaba --format json`, condensed (`\"...\"` marks what is cut):"),
}

# README statements about where a command writes: (command, text in README.md, file the run must have written)
CLAIMS = (
    (SCORE, "(writes examples/alibaba/alibaba.tiers.xlsx)", "examples/alibaba/alibaba.tiers.xlsx"),
    (PLAN, "`examples/alibaba/alibaba.tiers.plan-2026-11.xlsx`", "examples/alibaba/alibaba.tiers.plan-2026-11.xlsx"),
)


# --------------------------------------------------------------------------------------------------------------
# running the commands


@dataclass
class Run:
    command: tuple[str, ...]
    folder: Path
    code: int
    stdout: str
    stderr: str

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.stdout.splitlines()]


def command_env(root: Path, home: Path) -> dict[str, str]:
    """The environment a reader's plain shell would give: no tiercli settings, no terminal, no width override."""
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "SYSTEMROOT", "WINDIR", "TMPDIR", "TEMP", "TMP")}
    env.update(HOME=str(home), USERPROFILE=str(home), PYTHONPATH=str(root / "src"), PYTHONUTF8="1",
               PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0", TZ="UTC", TERM="dumb")
    return env


def run_command(command: tuple[str, ...], work: Path, root: Path = ROOT) -> Run:
    """``tiercli COMMAND`` in ``work``, a fresh folder holding a copy of the example inputs."""
    for rel in INPUTS:
        shutil.copytree(root / rel, work / rel, ignore=_OUTPUTS)
    done = subprocess.run([sys.executable, "-m", "tiercli.cli", *command], cwd=work, env=command_env(root, work),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=300)
    return Run(command, work, done.returncode, done.stdout, done.stderr)


# --------------------------------------------------------------------------------------------------------------
# README


def _blocks(text: str) -> list[tuple[str, int, int]]:
    """(name, first line inside, line of the end marker) for every marked block."""
    lines = text.split("\n")
    found, open_ = [], None
    for i, line in enumerate(lines):
        m = START.match(line)
        if m:
            if open_:
                raise ExcerptError(f"README.md line {i + 1}: excerpt {m[1]!r} starts inside {open_[0]!r}")
            open_ = (m[1], i + 1)
        elif line == END:
            if not open_:
                raise ExcerptError(f"README.md line {i + 1}: {END} without a start marker")
            found.append((open_[0], open_[1], i))
            open_ = None
    if open_:
        raise ExcerptError(f"README.md: excerpt {open_[0]!r} has no {END}")
    return found


def generate(root: Path = ROOT) -> tuple[str, str]:
    """README.md as it is, and as it should be (every marked block regenerated)."""
    readme = root / "README.md"
    current = readme.read_text(encoding="utf-8")
    blocks = _blocks(current)
    names = [b[0] for b in blocks]
    unknown = sorted(set(names) - set(EXCERPTS))
    unmarked = sorted(set(EXCERPTS) - set(names))
    if unknown or unmarked or len(set(names)) != len(names):
        raise ExcerptError(f"README.md's markers and EXCERPTS disagree: unknown {unknown}, not marked {unmarked}, "
                           f"marked twice {sorted({n for n in names if names.count(n) > 1})}")
    lines = current.split("\n")
    commands = [e.command for e in EXCERPTS.values()]
    with tempfile.TemporaryDirectory(prefix="tiercli-readme-") as tmp:
        works = {c: Path(tmp) / f"run{i}" for i, c in enumerate(dict.fromkeys(commands))}
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(works)) as pool:
            futures = {c: pool.submit(run_command, c, w, root) for c, w in works.items()}
        runs = {c: f.result() for c, f in futures.items()}
        for run in runs.values():
            if run.code != 0:
                raise ExcerptError(f"`tiercli {' '.join(run.command)}` exited with {run.code}:\n{run.stderr}")
        for command, claim, written in CLAIMS:
            if claim not in current:
                raise ExcerptError(f"README.md no longer says {claim!r}: update CLAIMS in tools/readme_excerpts.py")
            if not (runs[command].folder / written).is_file():
                raise ExcerptError(f"README.md says {claim!r}, but `tiercli {' '.join(command)}` did not write "
                                   f"{written}")
        rendered = {}
        for name, excerpt in EXCERPTS.items():
            try:
                rendered[name] = excerpt.render(runs[excerpt.command])
            except ExcerptError as exc:
                raise ExcerptError(f"excerpt {name!r} (`tiercli {' '.join(excerpt.command)}`): {exc}") from None
    for name, first, end in reversed(blocks):  # from the bottom, so earlier line numbers stay put
        command = "tiercli " + " ".join(EXCERPTS[name].command)
        if command not in "\n".join(lines[:first]) and command not in "\n".join(rendered[name]):
            raise ExcerptError(f"README.md does not name `{command}` before excerpt {name!r}")
        lines[first:end] = rendered[name]
    return current, "\n".join(lines)


def _shorten_products(cell: str, keep: int) -> str:
    items = [p.strip() for p in cell.split(";") if p.strip()]
    out, before = [], []
    for item in items[:keep]:
        words = item.split()
        same = 0
        while same < min(len(words), len(before)) - 1 and words[same] == before[same]:
            same += 1
        out.append("… " + " ".join(words[same:]) if same else item)
        before = words
    if len(items) > keep:
        out.append("…")
    return "; ".join(out)


def _fill(prefix: str, parts: list[str], suffix: str, width: int) -> list[str]:
    """prefix + parts joined by ", ", wrapped before ``width`` with continuation lines indented to the prefix."""
    lines, line = [], prefix
    for i, part in enumerate(parts):
        tail = suffix if i == len(parts) - 1 else ","
        if line != prefix and len(line) + 1 + len(part) + len(tail) > width:
            lines.append(line.rstrip())
            line = " " * len(prefix)
        elif line != prefix:
            line += " "
        line += part + tail
    if not parts:
        line += suffix
    return lines + [line]


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fill_document(doc: dict, width: int) -> list[str]:
    """A two-level JSON document laid out as a reader would write it by hand: one key per paragraph, the
    objects inside filled to ``width``."""
    out = []
    keys = list(doc)
    for n, key in enumerate(keys):
        lead = ("{" if n == 0 else " ") + f"{_compact(key)}: "
        end = "}" if n == len(keys) - 1 else ","
        value = doc[key]
        if isinstance(value, list) and value and all(isinstance(v, (dict, str)) for v in value):
            lead += "["
            for i, item in enumerate(value):
                close = "]" + end if i == len(value) - 1 else ","
                if isinstance(item, dict):
                    parts = [f"{_compact(k)}: {_compact(v)}" for k, v in item.items()]
                    out += _fill(lead + "{", parts, "}" + close, width)
                else:
                    out.append(lead + _compact(item) + close)
                lead = " " * len(lead)
        elif isinstance(value, dict):
            out += _fill(lead + "{", [f"{_compact(k)}: {_compact(v)}" for k, v in value.items()], "}" + end, width)
        else:
            out.append(lead + _compact(value) + end)
    return out


def diff(current: str, generated: str) -> str:
    return "".join(difflib.unified_diff(current.splitlines(keepends=True), generated.splitlines(keepends=True),
                                        "README.md", "README.md (generated)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md's marked excerpts")
    args = parser.parse_args(argv)
    try:
        current, generated = generate()
    except ExcerptError as exc:
        print(f"readme_excerpts: {exc}", file=sys.stderr)
        return 2
    if current == generated:
        print("README.md excerpts are up to date.")
        return 0
    if args.write:
        README.write_text(generated, encoding="utf-8", newline="\n")
        print("README.md excerpts rewritten; review them with `git diff README.md`.")
        return 0
    sys.stdout.write(diff(current, generated))
    print(f"\nREADME.md's output excerpts differ from what the commands print now. Regenerate them with:\n  {FIX}",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
