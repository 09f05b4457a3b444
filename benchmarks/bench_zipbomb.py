"""Peak memory of tiercli refusing a ~3 MB zip-bomb workbook, against references measured in the same run.

    python benchmarks/bench_zipbomb.py            # writes benchmarks/results/zipbomb.json
    python benchmarks/bench_zipbomb.py --no-unguarded   # skip the (slow, memory-hungry) unguarded parse

The bomb is a valid .xlsx of about 3 MB whose one sheet inflates to about 0.85 GB of tightly packed rows
(ten million cells): built by tests/data/make_hostile.py (zip_bomb with padding=0), never hand-edited.
Every figure is the peak resident set size (ru_maxrss) of a fresh child process, which reports it itself
at exit, so nothing measured leaks into the next measurement:

  reference   python -c "import tiercli"            (the interpreter and tiercli's package)
  reader      import tiercli.io.read                (pandas, pyarrow: what reading needs anyway)
  refuse      read_file(bomb) -> InputError          (the library)
  refuse_cli  tiercli score bomb.xlsx -> exit 2      (the command line, in-process)
  unguarded   calamine's own parse of the bomb and to_python, as tiercli's reader did before the
              check (capped at 8 GB of address space; an abort counts as "over the cap")

The headline ratio is refuse / reference (and refuse / reader).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "zipbomb.json"
CAP = 8 << 30

REPORT = "import json, resource, sys, time\n" \
         "def report(**extra):\n" \
         "    print(json.dumps({'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))\n"

CHILDREN = {
    "reference": REPORT + "import tiercli\nreport()\n",
    "reader": REPORT + "import tiercli.io.read\nreport()\n",
    "refuse": REPORT + (
        "from tiercli.io.read import read_file\nfrom tiercli.errors import InputError\n"
        "t = time.perf_counter()\n"
        "try:\n    read_file(sys.argv[1]); outcome = 'read (NOT refused)'\n"
        "except InputError as exc:\n    outcome = str(exc)\n"
        "report(seconds=time.perf_counter() - t, outcome=outcome)\n"),
    "refuse_cli": REPORT + (
        "import io, contextlib\nfrom tiercli.cli import cli\n"
        "t = time.perf_counter(); err = io.StringIO()\n"
        "with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        code = cli.main(['score', sys.argv[1], '-o', sys.argv[1] + '.tiers.xlsx'],\n"
        "                        standalone_mode=False) or 0\n"
        "    except SystemExit as exc:\n        code = exc.code\n"
        "    except Exception as exc:\n        code = getattr(exc, 'exit_code', 1)\n"
        "report(seconds=time.perf_counter() - t, exit_code=code, stderr=err.getvalue().strip()[:300])\n"),
    "unguarded": REPORT + (
        "import resource\nresource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))\n"
        "import python_calamine as pc\nt = time.perf_counter()\n"
        "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
        "rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)\n"
        "report(seconds=time.perf_counter() - t, rows=len(rows))\n"),
}


def run(name: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERCLI_")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILDREN[name], *args], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"rss_mb": None, "wall_s": wall, "died": done.returncode,
                "stderr": done.stderr.strip().splitlines()[-1][:200] if done.stderr.strip() else ""}
    return {**json.loads(lines[-1]), "wall_s": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-unguarded", action="store_true", help="skip calamine's unguarded parse")
    ap.add_argument("--gigabytes", type=float, default=0.85, help="what the bomb's sheet inflates to")
    args = ap.parse_args()

    spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "tests" / "data" / "make_hostile.py")
    make_hostile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_hostile)
    with tempfile.TemporaryDirectory(prefix="tiercli-bomb-") as tmp:
        bomb = make_hostile.zip_bomb(Path(tmp) / "bomb.xlsx", gigabytes=args.gigabytes, padding=0)
        import zipfile

        with zipfile.ZipFile(bomb) as zf:
            declared = sum(i.file_size for i in zf.infolist())
        figures = {
            "reference": run("reference"),
            "reader": run("reader"),
            "refuse": run("refuse", str(bomb)),
            "refuse_cli": run("refuse_cli", str(bomb)),
        }
        if not args.no_unguarded:
            figures["unguarded"] = run("unguarded", str(bomb), str(CAP))
        size = bomb.stat().st_size

    ref, reader, refuse = (figures[k]["rss_mb"] for k in ("reference", "reader", "refuse"))
    result = {
        "benchmark": "zipbomb",
        "bomb_file_mb": round(size / 2**20, 2),
        "bomb_declared_mb": round(declared / 2**20, 1),
        "figures": figures,
        "refuse_over_reference": round(refuse / ref, 2),
        "refuse_over_reader": round(refuse / reader, 2),
        "refuse_cli_over_reference": round(figures["refuse_cli"]["rss_mb"] / ref, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    unguarded = figures.get("unguarded")
    if unguarded:
        result["unguarded_over_refuse"] = (round(unguarded["rss_mb"] / refuse, 1) if unguarded["rss_mb"]
                                           else f"over the {CAP >> 30} GB cap")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"zip bomb: {result['bomb_file_mb']} MB file, {result['bomb_declared_mb']:,} MB declared")
    for name, fig in figures.items():
        rss = f"{fig['rss_mb']:8.1f} MB" if fig.get("rss_mb") else f"  died ({fig.get('died')})"
        extra = fig.get("outcome") or fig.get("stderr") or (f"rows={fig['rows']:,}" if "rows" in fig else "")
        print(f"  {name:11s} peak RSS {rss}  {fig['wall_s']:6.2f} s  {str(extra)[:110]}")
    print(f"refusing takes {result['refuse_over_reference']}x the peak RSS of a bare 'import tiercli' "
          f"({result['refuse_over_reader']}x the reader's imports)")
    if unguarded:
        print(f"unguarded parse / refusal: {result['unguarded_over_refuse']}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
