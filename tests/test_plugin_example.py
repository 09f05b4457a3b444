"""examples/plugin, installed with pip as a user would install a plugin, and run by ``tiercli score``.

The package is copied to a temporary folder, pip-installed there with ``--target`` (no dependencies, no
index, no build isolation: offline, a few seconds), and put on PYTHONPATH of a separate ``tiercli`` process,
which finds it through its entry point.  Nothing of tiercli's own files is changed for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "examples" / "plugin"
SHOPIFY = ROOT / "examples" / "shopify"


def run(*args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The environment of a process that has the plugin installed (its --target folder on PYTHONPATH)."""
    base = tmp_path_factory.mktemp("plugin")
    source = shutil.copytree(PLUGIN, base / "source", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = base / "site"
    pip = run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation",
              "--disable-pip-version-check", "--target", target, source, cwd=base, env=dict(os.environ))
    assert pip.returncode == 0, ("pip could not build the example plugin offline (the test extra installs "
                                 "'wheel' for setuptools to build it)", pip.stdout, pip.stderr)
    assert (target / "tiercli_whales").is_dir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERCLI_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), *filter(None, [env.get("PYTHONPATH")])])
    env["COLUMNS"] = "100"
    return env


def test_the_installed_plugin_is_listed_with_its_setting(installed, tmp_path):
    tiercli = [sys.executable, "-c", "from tiercli.cli import main; main()"]
    listed = run(*tiercli, "segmenters", "--format", "json", cwd=tmp_path, env=installed)
    assert listed.returncode == 0, listed.stderr
    assert '"name": "whales"' in listed.stdout and "plugin tiercli_whales:Whales" in listed.stdout
    shown = run(*tiercli, "config", cwd=tmp_path, env=installed)
    assert "whales.top_share = 0.05  [default]  whale: net value in this top share of buyers" in shown.stdout


def test_tiercli_score_runs_the_plugin_column_sheet_and_terminal_table(installed, tmp_path):
    (tmp_path / "tiercli.toml").write_text("[whales]\ntop_share = 0.1\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    score = run(sys.executable, "-c", "from tiercli.cli import main; main()", "score", SHOPIFY, "-o", out,
                "--segmenters", "rfm,whales", "--no-history", cwd=tmp_path, env=installed)
    assert score.returncode == 0, score.stderr
    lines = [ln.rstrip() for ln in score.stdout.splitlines()]
    # the label table every segmenter gets, then the plugin's own table
    assert "Whales" in lines and "Whales by country" in lines
    assert lines.index("Whales") < lines.index("Whales by country")
    whale_row = next(ln for ln in lines if ln.startswith("| Whale "))
    assert " 15 " in whale_row  # top 10% of 146 buyers (tiercli.toml's setting), not the default 5%
    book = openpyxl.load_workbook(out, read_only=True)
    assert "Whales by country" in book.sheetnames and "Whales" in book.sheetnames
    headers = [c.value for c in next(book["Customers"].iter_rows(max_row=1))]
    assert "Whale" in headers and "Whale reason" in headers
    rows = list(book["Whales by country"].iter_rows(values_only=True))
    assert ("Country", "Customers", "Revenue", "Share of revenue") in rows
    total = sum(r[1] for r in rows[rows.index(("Country", "Customers", "Revenue", "Share of revenue")) + 1:] if r[1])
    assert total == 15


def test_the_plugin_passes_tiercli_testing_checks(installed, tmp_path):
    code = ("from tiercli.testing import check_segmenter\nfrom tiercli_whales import Whales\n"
            "print(check_segmenter(Whales))")
    checked = run(sys.executable, "-c", code, cwd=tmp_path, env=installed)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "[]"
