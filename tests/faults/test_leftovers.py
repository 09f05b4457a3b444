"""Killed runs' leftovers (temps beside outputs, in .tiercli/history, the workbook writer's scratch folders in
TMPDIR) are named so that a later run finds and removes them once stale."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from tiercli.io.write import Sheet, write_csv, write_workbook
from tiercli.io.write.atomic import remove_stale_scratch


def _age_tree(root: Path, seconds: float) -> None:
    old = time.time() - seconds
    for p in sorted(root.rglob("*"), reverse=True):
        os.utime(p, (old, old), follow_symlinks=False)


def test_stale_scratch_folders_are_removed_and_fresh_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / "tiercli-xlsx-dead"
    stale.mkdir()
    (stale / "row_data.bin").write_bytes(b"x" * 1000)
    _age_tree(tmp_path, 7200)
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = tmp_path / "tiercli-xlsx-live"
    fresh.mkdir()
    (fresh / "row_data.bin").write_bytes(b"y")
    other = tmp_path / "someone-elses"
    other.mkdir()
    os.utime(other, (old, old))
    write_workbook(tmp_path / "x.xlsx", [Sheet("S", pd.DataFrame({"a": [1]}))])
    assert not stale.exists() and fresh.exists() and other.exists()


def test_a_symlink_named_like_a_scratch_folder_is_not_followed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (tmp_path / "tiercli-xlsx-link").symlink_to(target, target_is_directory=True)
    _age_tree(tmp_path, 7200)
    remove_stale_scratch(where=str(tmp_path))
    assert (target / "keep.txt").read_text() == "keep"


def test_any_write_removes_stale_temps_beside_its_output(tmp_path):
    stale = tmp_path / ".~tiercli-plan.csv-dead.tmp"
    stale.write_bytes(b"half a plan")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    write_csv(tmp_path / "plan.csv", pd.DataFrame({"a": [1, 2]}))
    assert not stale.exists()


def _kill_when(proc: subprocess.Popen, appeared, rng: random.Random, limit: float = 120.0) -> bool:
    """SIGKILL ``proc`` a random moment (0-0.3 s) after ``appeared()`` turns true; False if it ended first."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if appeared():
            time.sleep(rng.uniform(0.0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.wait()
    return False


def test_runs_killed_while_writing_leave_nothing_a_later_run_does_not_remove(tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    scratch_root = tmp_path / "tmpdir"
    scratch_root.mkdir()
    rng = random.Random(16)
    lines = ["Order ID,Order Date,Customer ID,Email,Country,Quantity,Unit Price"]
    lines += [f"{i},2026-0{1 + i % 9}-1{i % 9},C{i % 3000:05d},c{i % 3000}@example.com,Germany,{1 + i % 7},{5 + i % 40}"
              for i in range(30_000)]
    (shop / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERCLI_")}
    env["TMPDIR"] = str(scratch_root)
    cmd = [sys.executable, "-m", "tiercli.cli", "score", str(shop / "orders.csv"), "-o", str(shop / "t.xlsx"), "-q",
           "--segmenters", "rfm,abc"]
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0  # a first snapshot

    def writing_workbook():
        return any(p.name.startswith("tiercli-xlsx-") for p in scratch_root.iterdir())

    def writing_snapshot():
        return any((shop / ".tiercli" / "history").glob(".~tiercli-*"))

    killed = 0
    for appeared in (writing_workbook, writing_workbook, writing_snapshot):  # bounded: three kills
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += _kill_when(proc, appeared, rng)
    assert killed >= 2
    left = [p for p in shop.rglob(".~tiercli-*")] + [p for p in scratch_root.iterdir()]
    assert left, "the kills left nothing: they did not land in a write"
    _age_tree(shop, 7200)
    _age_tree(scratch_root, 7200)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in shop.rglob(".~tiercli-*")] == []
    assert [p.name for p in scratch_root.iterdir() if p.name.startswith("tiercli-xlsx-")] == []
    assert pd.read_excel(shop / "t.xlsx", sheet_name="Customers", engine="openpyxl").shape[0] == 3000
