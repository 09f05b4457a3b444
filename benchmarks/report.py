#!/usr/bin/env python3
"""README.md's benchmark tables, made from the results files ``run.py`` wrote, or checked against them.

    python benchmarks/report.py            # check: exit 1 with a diff when README.md differs
    python benchmarks/report.py --write    # rewrite the marked blocks, then review `git diff README.md`
    python benchmarks/report.py benchmarks/results/real.json   # print one file's tables

README.md marks each generated block with the results file it shows:

    <!-- benchmark: benchmarks/results/real.json -->
    | case | ...
    <!-- /benchmark -->

The block holds the run's machine and date, a row per case (median and minimum seconds, peak memory,
runs) and a row per target the run measured (the ratio of medians, met or not).  Figures are never typed
into the README by hand: a new run writes a new results file, ``--write`` puts it in.  Standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START = re.compile(r"^<!-- benchmark: (\S+) -->$")
END = "<!-- /benchmark -->"


def tables(results: dict) -> list[str]:
    """The Markdown lines for one results file: where and when, the cases, the targets it measured."""
    m = results["machine"]
    env = results.get("tiercli_env", {})
    lines = [
        f"Run {results['when'][:10]} at commit {m['commit']} on {m['cores']} cores ({m['cpu']}, "
        f"{m['memory_gb']} GB), Python {env.get('python', '?')}, pandas {env.get('pandas', '?')}; "
        f"medians of {results['options']['repeat']} rounds after {results['options']['warmup']} warm-up.",
        "",
        "| case | median s | min s | peak MB | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in results["cases"].values():
        if case.get("median_s") is None:
            continue
        lines.append(f"| {case['note'] or case['cmd']} | {case['median_s']:.2f} | {case['min_s']:.2f} | "
                     f"{case['peak_rss_mb']:,.0f} | {case['runs']} |")
    measured = [t for t in results.get("targets", {}).values() if t["value"] is not None]
    if measured:
        lines += ["", "| target | goal | this run | |", "|---|---:|---:|---|"]
        for t in measured:
            lines.append(f"| {t['what']} | {t['target']} | {t['value']:.2f} | {'met' if t['met'] else 'not met'} |")
    return lines


def render(readme: str, root: Path = ROOT) -> str:
    out, block = [], None
    for line in readme.splitlines():
        start = START.match(line)
        if start:
            block = start.group(1)
            out.append(line)
            out += tables(json.loads((root / block).read_text()))
        elif line == END and block:
            block = None
            out.append(line)
        elif block is None:
            out.append(line)
    if block:
        raise SystemExit(f"README.md: the benchmark block of {block} has no {END}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", type=Path, help="print this results file's tables and stop")
    ap.add_argument("--write", action="store_true", help="rewrite README.md's benchmark blocks")
    args = ap.parse_args(argv)
    if args.results:
        print("\n".join(tables(json.loads(args.results.read_text()))))
        return 0
    current = README.read_text()
    generated = render(current)
    if generated == current:
        return 0
    if args.write:
        README.write_text(generated)
        print("README.md: benchmark tables rewritten; review `git diff README.md`")
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), generated.splitlines(True),
                                               "README.md", "from the results files"))
    print("\nREADME.md's benchmark tables differ from benchmarks/results: python benchmarks/report.py --write")
    return 1


if __name__ == "__main__":
    sys.exit(main())
