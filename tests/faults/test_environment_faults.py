"""A full disk, a read-only file system, no permission, a file or a symlink where the history folder should be:
a documented exit code and one line, and a report that was written is not reported as a failure."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from tiercli import history
from tiercli.errors import EXIT_ENVIRONMENT

from .conftest import fill_disk, remount_read_only


def _score(run_cli, folder: Path, out: Path | None = None, *args):
    return run_cli("score", folder / "orders.csv", "-o", out or folder / "t.csv", "--segmenters", "rfm,abc", *args)


def _one_line(result) -> str:
    assert "Traceback" not in result.stderr and "report the traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_file_where_the_history_folder_should_be_is_a_warning_and_the_report_is_written(run_cli, tmp_path, make_shop):
    shop = make_shop(tmp_path / "shop")
    (shop / ".tiercli").mkdir()
    (shop / ".tiercli" / "history").write_text("not a folder")
    result = _score(run_cli, shop)
    assert result.exit_code == 0, result.stderr
    line = _one_line(result)
    assert "warning" in line and "kept no history snapshot" in line and "is a file" in line
    assert len(pd.read_csv(shop / "t.csv")) == 3


def test_a_symlinked_history_folder_is_not_followed(run_cli, tmp_path, make_shop):
    shop = make_shop(tmp_path / "shop")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (shop / ".tiercli").mkdir()
    (shop / ".tiercli" / "history").symlink_to(elsewhere, target_is_directory=True)
    result = _score(run_cli, shop)
    assert result.exit_code == 0, result.stderr
    assert "symbolic link" in _one_line(result)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_a_snapshot_that_cannot_be_written_is_a_warning_with_exit_0(run_cli, tmp_path, monkeypatch, code, make_shop):
    shop = make_shop(tmp_path / "shop")

    def to_parquet(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    result = _score(run_cli, shop)
    assert result.exit_code == 0, result.stderr
    line = _one_line(result)
    assert "kept no history snapshot" in line and str(shop / "t.csv") in line
    assert len(pd.read_csv(shop / "t.csv")) == 3
    assert list((shop / ".tiercli" / "history").iterdir()) == []  # no temp left


def test_a_full_disk_at_the_output_is_exit_5_in_one_line(run_cli, tmp_path, monkeypatch, make_shop):
    shop = make_shop(tmp_path / "shop")
    import tiercli.io.write.atomic as write

    real = write._fsync_file

    def fsync(tmp):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write, "_fsync_file", fsync)
    result = _score(run_cli, shop)
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "disk is full" in _one_line(result)
    assert not (shop / "t.csv").exists()
    assert not [p for p in shop.iterdir() if p.name.startswith(".~tiercli-")]
    monkeypatch.setattr(write, "_fsync_file", real)


def test_a_read_only_output_folder_is_exit_5_in_one_line(run_cli, tmp_path, monkeypatch, make_shop):
    shop = make_shop(tmp_path / "shop")
    import tiercli.io.write.atomic as write

    real = os.open

    def open_(path, flags, *args, **kwargs):
        if Path(path).name.startswith(".~tiercli-") and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(write.os, "open", open_)
    result = _score(run_cli, shop, None, "--no-history")
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "read-only" in _one_line(result)


def test_an_unexpected_environment_oserror_is_exit_5_not_a_bug(run_cli, tmp_path, monkeypatch, make_shop):
    shop = make_shop(tmp_path / "shop")
    import tiercli.scoring as scoring

    def boom(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), "/somewhere/cache")

    monkeypatch.setattr(scoring, "score", boom)
    result = _score(run_cli, shop)
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "read-only" in _one_line(result)


def test_a_real_read_only_file_system(run_cli, tmp_path, small_disk, make_shop):
    shop = make_shop(small_disk / "shop")
    first = _score(run_cli, shop)
    assert first.exit_code == 0, first.stderr
    before = (shop / "t.csv").read_bytes()
    remount_read_only(small_disk)
    result = _score(run_cli, shop)
    assert result.exit_code == EXIT_ENVIRONMENT
    line = _one_line(result)
    assert "read-only" in line or "lock" in line
    assert (shop / "t.csv").read_bytes() == before


def test_a_real_full_disk_at_the_snapshot_keeps_the_report(run_cli, small_disk, make_shop):
    shop = make_shop(small_disk / "shop")
    out = small_disk / "t.json"
    fill_disk(small_disk, leave=12_000)
    result = _score(run_cli, shop, out)
    if result.exit_code == EXIT_ENVIRONMENT:  # the report itself did not fit: one line, no temp left
        assert "disk is full" in _one_line(result)
        assert not out.exists()
    else:
        assert result.exit_code == 0, result.stderr
        assert out.exists()
    assert not [p for p in small_disk.rglob(".~tiercli-*")]


def test_stale_history_temps_of_a_killed_run_are_removed(tmp_path, make_shop):
    shop = make_shop(tmp_path / "shop")
    where = history.history_dir(shop, create=True)
    stale = where / ".~tiercli-labels-2026-01-01.parquet-dead.tmp"
    stale.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    table = pd.DataFrame({"customer_id": ["C1"], "rfm": ["vip"]})
    history.save_snapshot(shop, pd.Timestamp("2026-03-01"), table)
    assert not stale.exists()
