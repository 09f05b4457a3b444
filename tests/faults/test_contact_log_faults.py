"""The contact log under a full disk, a failing fsync and cut rows: all or nothing, and no cut row counted."""

from __future__ import annotations

import errno
import os

import pytest

from tiercli.config import load_config
from tiercli.errors import EXIT_ENVIRONMENT, EnvironmentFault
from tiercli.plan import contact_log as cl
from tiercli.plan.contact_log import append_contacts, cut_rows, read_contact_log

from .conftest import FailingWrites, fill_disk


def _rows(n: int, start: int = 0, day: int = 3) -> list[dict]:
    return [{"customer_id": f"C{i:05d}", "email": f"c{i}@example.com", "sent_at": f"2026-11-{day:02d}",
             "purpose": "winback", "campaign": "plan-2026-11"} for i in range(start, start + n)]


@pytest.mark.parametrize("after", [0, 1, 57, 4000])
def test_a_disk_filling_up_mid_append_leaves_the_log_byte_identical(tmp_path, monkeypatch, after):
    log = tmp_path / "contact_log.csv"
    append_contacts(log, _rows(10))
    before = log.read_bytes()
    FailingWrites(monkeypatch, after=after)
    with pytest.raises(EnvironmentFault) as caught:
        append_contacts(log, _rows(139, start=10))
    monkeypatch.undo()
    assert caught.value.exit_code == EXIT_ENVIRONMENT
    assert "disk is full" in str(caught.value) and "as it was" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert log.read_bytes() == before
    # the rerun, with space again, writes every row once
    assert append_contacts(log, _rows(139, start=10)) == 139
    assert len(read_contact_log(log, load_config())) == 149


def test_a_failing_fsync_rolls_the_append_back(tmp_path, monkeypatch):
    log = tmp_path / "contact_log.csv"
    append_contacts(log, _rows(3))
    before = log.read_bytes()

    def fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(EnvironmentFault):
        append_contacts(log, _rows(5, start=3))
    monkeypatch.undo()
    assert log.read_bytes() == before


def test_a_new_log_that_cannot_be_written_is_not_left_behind(tmp_path, monkeypatch):
    log = tmp_path / "contact_log.csv"
    FailingWrites(monkeypatch, after=20)
    with pytest.raises(EnvironmentFault):
        append_contacts(log, _rows(5))
    monkeypatch.undo()
    assert not log.exists()


def test_too_little_free_space_is_refused_before_writing(tmp_path, monkeypatch):
    log = tmp_path / "contact_log.csv"
    append_contacts(log, _rows(2))
    before = log.read_bytes()
    monkeypatch.setattr(cl, "_free_bytes", lambda fd: 100)
    with pytest.raises(EnvironmentFault, match="disk is full"):
        append_contacts(log, _rows(50, start=2))
    assert log.read_bytes() == before


def test_a_real_full_disk_leaves_the_log_whole(small_disk):
    log = small_disk / "contact_log.csv"
    append_contacts(log, _rows(20))
    before = log.read_bytes()
    fill_disk(small_disk, leave=2048)
    with pytest.raises(EnvironmentFault, match="disk is full"):
        append_contacts(log, _rows(139, start=20))
    assert log.read_bytes() == before
    (small_disk / "ballast").unlink()
    assert append_contacts(log, _rows(139, start=20)) == 139


def test_an_interrupt_mid_append_rolls_back_too(tmp_path, monkeypatch):
    log = tmp_path / "contact_log.csv"
    append_contacts(log, _rows(2))
    before = log.read_bytes()
    real = os.write

    def write(fd, data):
        real(fd, memoryview(data)[:30])
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(KeyboardInterrupt):
        append_contacts(log, _rows(5, start=2))
    monkeypatch.undo()
    assert log.read_bytes() == before


def test_a_cut_row_is_reported_with_its_line_and_not_counted(tmp_path):
    log = tmp_path / "contact_log.csv"
    append_contacts(log, _rows(3))
    with open(log, "ab") as fh:  # what the old append left on a full disk: the last row cut mid-field
        fh.write(b"C00003,c3@example.com,2026-11-0")
    assert cut_rows(log) == [5]
    frame = read_contact_log(log, load_config())
    assert frame.attrs["cut_lines"] == [5]
    assert sorted(frame["customer"]) == ["C00000", "C00001", "C00002"]
    # the rerun records the real send of the customer whose row was cut
    assert append_contacts(log, _rows(4)) == 1
    frame = read_contact_log(log, load_config())
    assert sorted(frame["customer"]) == ["C00000", "C00001", "C00002", "C00003"]
    assert frame.attrs["cut_lines"] == [5]


def test_plan_emails_warns_about_a_cut_row_in_one_line(run_cli, tmp_path):
    orders = tmp_path / "orders.csv"
    lines = ["Order ID,Order Date,Customer ID,Email,Country,Quantity,Unit Price"]
    lines += [f"{1000 + i},2026-0{1 + i % 9}-0{1 + i % 9},C{i:05d},c{i}@example.com,Germany,{1 + i % 4},{10 + i}"
              for i in range(40)]
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = tmp_path / "contact_log.csv"
    log.write_text("customer_id,email,sent_at,purpose,campaign\r\nC00001,c1@example.com,2026-1", encoding="utf-8")
    result = run_cli("plan-emails", orders, "--quota", "10", "--contact-log", log, "--record",
                     "-o", tmp_path / "plan.csv", "-q")
    assert result.exit_code == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "cut off" in line]
    assert len(warning) == 1 and "line 2" in warning[0]
