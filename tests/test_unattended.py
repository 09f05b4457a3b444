"""Unattended runs on a shared folder: the output lock, busy targets, folder scans, history, the run log."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from tiercli import history
from tiercli.errors import EXIT_FALLBACK, EXIT_LOCKED, LockedError
from tiercli.io import lock as lockmod
from tiercli.io.lock import LOCK_NAME, output_lock


def score(run_cli, folder: Path, *args):
    return run_cli("score", folder / "orders.csv", "-o", folder / "tiers.csv", "--segmenters", "rfm,abc,tier",
                   *args)


# ---------------------------------------------------------------- the lock


def test_a_second_run_exits_with_the_lock_code_while_the_first_holds_the_folder(run_cli, shop):
    with output_lock(shop, kind="os"):
        result = score(run_cli, shop)
    assert result.exit_code == EXIT_LOCKED
    assert "another tiercli run holds" in result.stderr and "--wait" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (shop / "tiers.csv").exists()


def test_wait_queues_behind_the_running_job(run_cli, shop):
    held = threading.Event()

    def hold():
        with output_lock(shop, kind="os"):
            held.set()
            time.sleep(0.6)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    started = time.monotonic()
    result = score(run_cli, shop, "--wait", "10")
    t.join()
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started >= 0.3
    assert (shop / "tiers.csv").exists()


def test_two_processes_at_once_one_runs_the_other_waits_or_gets_the_lock_code(shop):
    cmd = [sys.executable, "-m", "tiercli.cli", "score", str(shop / "orders.csv"), "-o", str(shop / "t.xlsx"),
           "--segmenters", "rfm,abc", "-q"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERCLI_")}
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    codes = sorted(p.wait(60) for p in procs)
    errors = [p.stderr.read() for p in procs]
    assert codes in ([0, 0], [0, EXIT_LOCKED]), errors
    if codes == [0, EXIT_LOCKED]:
        assert any("another tiercli run holds" in e for e in errors)
    assert pd.read_excel(shop / "t.xlsx", sheet_name="Customers", engine="openpyxl").shape[0] == 3


def test_soft_lock_left_by_a_dead_process_on_this_host_is_taken_over(shop):
    from filelock import SoftFileLock

    # a crashed run: a marker naming a process that no longer exists on this host
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    marker = shop / LOCK_NAME
    probe = SoftFileLock(str(shop / "probe.lock"))
    probe.acquire()
    record = (shop / "probe.lock").read_text()
    probe.release()
    marker.write_text(record.replace(str(os.getpid()), str(dead.pid)))
    with output_lock(shop, kind="soft", wait=2):
        pass


def test_soft_lock_held_by_a_live_run_refuses_and_says_what_to_do(shop):
    with output_lock(shop, kind="soft"):
        with pytest.raises(LockedError, match="delete"):
            with output_lock(shop, kind="soft", wait=0):
                pass


def test_lock_kind_is_soft_on_network_filesystems_and_os_on_local_disks(monkeypatch, tmp_path):
    monkeypatch.setattr(lockmod.sys, "platform", "linux")
    monkeypatch.setattr(lockmod, "filesystem_type", lambda folder: "nfs4")
    assert lockmod.lock_kind(tmp_path, "auto") == "soft"
    monkeypatch.setattr(lockmod, "filesystem_type", lambda folder: "cifs")
    assert lockmod.lock_kind(tmp_path, "auto") == "soft"
    monkeypatch.setattr(lockmod, "filesystem_type", lambda folder: "ext4")
    assert lockmod.lock_kind(tmp_path, "auto") == "os"
    assert lockmod.lock_kind(tmp_path, "none") == "none"


def test_filesystem_type_reads_the_longest_mount_point(monkeypatch, tmp_path):
    mounts = f"/dev/vda / ext4 rw 0 0\nserver:/share {tmp_path} nfs4 rw 0 0\n"
    real = Path.read_text
    monkeypatch.setattr(Path, "read_text",
                        lambda self, *a, **k: mounts if str(self) == "/proc/self/mounts" else real(self, *a, **k))
    assert lockmod.filesystem_type(tmp_path / "sub") == "nfs4"
    assert lockmod.filesystem_type(Path("/elsewhere")) == "ext4"


def test_bad_lock_setting_is_a_config_error(run_cli, shop):
    (shop / "tiercli.toml").write_text('lock = "maybe"\n')
    result = score(run_cli, shop)
    assert result.exit_code == 2 and "lock" in result.stderr


# ---------------------------------------------------------------- busy output, folder scans


def test_output_open_in_excel_gives_a_dated_fallback_and_its_own_exit_code(run_cli, shop, monkeypatch):
    (shop / "tiers.csv").write_text("old file kept\n")
    import tiercli.io.write.atomic as write

    real = os.replace

    def busy(src, dst, *a, **k):
        if Path(dst).name == "tiers.csv":
            raise PermissionError(13, "The process cannot access the file because it is being used")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(write.os, "replace", busy)
    monkeypatch.setattr(write.time, "sleep", lambda s: None)
    result = score(run_cli, shop)
    assert result.exit_code == EXIT_FALLBACK
    assert (shop / "tiers.csv").read_text() == "old file kept\n"
    fallback = [p for p in shop.iterdir() if p.name.startswith("tiers.") and p.name != "tiers.csv"]
    assert len(fallback) == 1 and fallback[0].suffix == ".csv"
    assert "busy" in result.stderr and fallback[0].name in result.stderr
    assert pd.read_csv(fallback[0], dtype=str)["customer_id"].tolist() == ["C001", "C002", "C003"]


def test_lock_files_and_leftover_temps_in_the_input_folder_are_ignored_and_old_temps_cleaned(run_cli, shop):
    (shop / "~$orders.xlsx").write_bytes(b"\x00locked by Excel")
    (shop / ".~lock.orders.csv#").write_text("LibreOffice lock")
    stale = shop / ".~tiercli-abc123.tmp"
    stale.write_bytes(b"half a workbook")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = shop / ".~tiercli-def456.tmp"
    fresh.write_bytes(b"another run writing right now")
    result = run_cli("score", shop, "-o", shop / "tiers.csv", "--segmenters", "rfm")
    assert result.exit_code == 0, result.stderr
    assert not stale.exists(), "a temp file older than an hour is a killed run's leftover"
    assert fresh.exists(), "a recent temp file may belong to a run on another machine"
    assert len(pd.read_csv(shop / "tiers.csv")) == 3


def test_missing_output_folder_is_a_one_line_error(run_cli, shop):
    result = run_cli("score", shop / "orders.csv", "-o", shop / "nope" / "t.csv")
    assert result.exit_code == 2 and "does not exist" in result.stderr


# ---------------------------------------------------------------- history and migrations


def test_each_run_keeps_one_snapshot_per_as_of_date_and_reports_moves(run_cli, shop):
    first = score(run_cli, shop, "--as-of", "2026-02-28")
    assert first.exit_code == 0, first.stderr
    again = score(run_cli, shop, "--as-of", "2026-02-28")
    assert again.exit_code == 0
    snaps = sorted(p.name for p in (shop / ".tiercli" / "history").iterdir())
    assert snaps == ["labels-2026-02-28.parquet"], "a re-run replaces that date's snapshot"
    later = score(run_cli, shop)
    assert later.exit_code == 0
    assert "Moves (since 2026-02-28)" in later.stdout
    # C002 and C003 first bought in March: new customers in every segmenter
    old = history.load_labels(shop / ".tiercli" / "history" / "labels-2026-02-28.parquet")
    new = history.load_labels(shop / ".tiercli" / "history" / "labels-2026-03-20.parquet")
    summary, detail = history.migrations(old, new)
    ins = detail[(detail["segmenter"] == "abc") & (detail["direction"] == "in")]["customer_id"].tolist()
    assert sorted(ins) == ["C002", "C003"]


def test_migration_counts_on_hand_built_snapshots():
    old = pd.DataFrame({"tier": ["key", "small", "ordinary", "key"], "abc": ["A", "C", "B", "B"],
                        "lifecycle": ["mature", "new", "growing", "mature"]},
                       index=pd.Index(["a", "b", "c", "gone"], name="customer_id"))
    new = pd.DataFrame({"tier": ["small", "key", "ordinary", "potential"], "abc": ["C", "B", "B", "other"],
                        "lifecycle": ["declining", "growing", "growing", None]},
                       index=pd.Index(["a", "b", "c", "arrived"], name="customer_id"))
    summary, detail = history.migrations(old, new)
    by = {(r.segmenter, r._2, r.to): (r.direction, r.customers) for r in summary.itertuples()}
    assert by[("tier", "key", "small")] == ("down", 1)
    assert by[("tier", "small", "key")] == ("up", 1)
    assert by[("tier", "key", "")] == ("out", 1)
    assert by[("tier", "", "potential")] == ("in", 1)
    assert by[("abc", "A", "C")] == ("down", 1)
    assert by[("abc", "C", "B")] == ("up", 1)
    assert by[("lifecycle", "mature", "declining")] == ("moved", 1), "lifecycle labels have no order"
    assert ("tier", "ordinary", "ordinary") not in by, "unchanged customers are not moves"
    assert set(detail["customer_id"]) == {"a", "b", "gone", "arrived"}


def test_diff_compares_a_snapshot_with_a_scored_workbook_in_chinese(run_cli, shop):
    assert score(run_cli, shop, "--as-of", "2026-02-28").exit_code == 0
    book = shop / "zh.xlsx"
    result = run_cli("score", shop / "orders.csv", "-o", book, "--lang", "zh", "--segmenters", "rfm,abc,tier")
    assert result.exit_code == 0, result.stderr
    diff = run_cli("diff", shop / ".tiercli" / "history" / "labels-2026-02-28.parquet", book, "--format", "json")
    assert diff.exit_code == 0, diff.stderr
    import json

    moves = json.loads(diff.stdout)
    tiers = {(m["from"], m["to"]) for m in moves["summary"] if m["segmenter"] == "tier"}
    assert ("", "key") in tiers or ("", "ordinary") in tiers or ("", "small") in tiers
    assert all(m["to"] in {"", "key", "ordinary", "small", "potential", "blacklisted"}
               for m in moves["summary"] if m["segmenter"] == "tier"), "workbook words map back to codes"


def test_diff_of_a_missing_file_is_a_one_line_error(run_cli, tmp_path):
    result = run_cli("diff", tmp_path / "a.parquet", tmp_path / "b.csv")
    assert result.exit_code == 2 and "no such file" in result.stderr


# ---------------------------------------------------------------- run log and config discovery


def test_log_appends_one_line_per_run_with_the_exit_code(run_cli, shop):
    log = shop / "runs.log"
    ok = run_cli("--log", log, "score", shop / "orders.csv", "-o", shop / "t.csv", "--segmenters", "rfm")
    bad = run_cli("--log", log, "score", shop / "missing.csv", "-o", shop / "t.csv")
    assert ok.exit_code == 0 and bad.exit_code == 2
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    assert "command=score" in lines[0] and "exit=0" in lines[0] and "customers=3" in lines[0]
    assert "exit=2" in lines[1] and "missing.csv" in lines[1]


def test_config_in_the_input_folder_is_found_and_the_environment_and_flags_win(run_cli, shop, monkeypatch):
    (shop / "tiercli.toml").write_text('lang = "zh"\n')
    zh = score(run_cli, shop)
    assert "客户" in zh.stdout
    other = shop.parent / "other.toml"
    other.write_text('lang = "en"\n')
    monkeypatch.setenv("TIERCLI_CONFIG", str(other))
    en = score(run_cli, shop)
    assert "客户" not in en.stdout and "customers" in en.stdout
    flag = score(run_cli, shop, "--lang", "zh")
    assert "客户" in flag.stdout
