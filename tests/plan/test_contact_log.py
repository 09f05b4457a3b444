"""append_contacts: never loses or duplicates a row, also with several writers at once."""

from __future__ import annotations

import csv
import multiprocessing as mp

import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.plan.contact_log import LOG_COLUMNS, append_contacts, read_contact_log


def _row(i: int, day: int = 3, purpose: str = "promotion") -> dict:
    return {"customer_id": f"{i:08d}", "email": f"c{i}@example.com", "sent_at": f"2026-11-{day:02d}",
            "purpose": purpose, "campaign": "plan-2026-11"}


def _read(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_new_log_gets_a_header_and_the_rows(tmp_path):
    log = tmp_path / "contact_log.csv"
    assert append_contacts(log, [_row(1), _row(2)]) == 2
    rows = _read(log)
    assert list(rows[0]) == LOG_COLUMNS
    assert [r["customer_id"] for r in rows] == ["00000001", "00000002"]
    assert log.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel/WPS read it as UTF-8


def test_appending_the_same_rows_twice_adds_nothing(tmp_path):
    log = tmp_path / "contact_log.csv"
    rows = [_row(1), _row(2), _row(1)]  # a repeat inside one call counts once too
    assert append_contacts(log, rows) == 2
    before = log.read_bytes()
    assert append_contacts(log, rows) == 0
    assert log.read_bytes() == before
    # the key is (customer_id, sent_at, purpose): another day or purpose is a new row
    assert append_contacts(log, [_row(1, day=17), _row(1, purpose="new_arrivals")]) == 2
    assert len(_read(log)) == 4


def test_a_hand_edited_log_keeps_its_rows_and_layout(tmp_path):
    log = tmp_path / "contact_log.csv"
    # edited in Excel: another column order, an extra column, slashes in dates, no final line break
    log.write_text("sent_at,customer_id,purpose,email,campaign,note\n"
                   "2026/11/3,00000001,Promotion,c1@example.com,plan-2026-11,called too\n"
                   "2026-10-20,00000009,new_arrivals,c9@example.com,october,", encoding="utf-8")
    assert append_contacts(log, [_row(1), _row(2)]) == 1  # 00000001 on 2026-11-03 is already there
    rows = _read(log)
    assert len(rows) == 3
    assert rows[0]["note"] == "called too" and rows[1]["customer_id"] == "00000009"
    assert rows[2] == {"sent_at": "2026-11-03", "customer_id": "00000002", "purpose": "promotion",
                       "email": "c2@example.com", "campaign": "plan-2026-11", "note": ""}


def test_read_contact_log_gives_canonical_rows(tmp_path):
    log = tmp_path / "contact_log.csv"
    assert read_contact_log(log, load_config()).empty  # not there yet: nothing sent
    append_contacts(log, [_row(1), _row(2, day=10)])
    frame = read_contact_log(log, load_config())
    assert list(frame["customer"]) == ["00000001", "00000002"]
    assert list(frame["date"]) == [pd.Timestamp("2026-11-03"), pd.Timestamp("2026-11-10")]
    assert set(frame["purpose"]) == {"promotion"}


def _writer(args):
    path, start = args
    # every process writes 40 rows; neighbours overlap by half, so most rows are offered twice
    rows = [_row(i, day=1 + i % 28) for i in range(start, start + 40)]
    return append_contacts(path, rows)


def test_eight_processes_appending_at_once_leave_every_row_exactly_once(tmp_path):
    log = tmp_path / "contact_log.csv"
    jobs = [(str(log), k * 20) for k in range(8)]
    with mp.get_context("spawn").Pool(8) as pool:
        added = pool.map(_writer, jobs)
    rows = _read(log)
    ids = [r["customer_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 7 * 20 + 40  # 0 .. 179, each once
    assert sum(added) == len(rows)
    assert set(ids) == {f"{i:08d}" for i in range(180)}
    assert all(r["sent_at"] and r["purpose"] == "promotion" for r in rows)


@pytest.mark.parametrize("kind", ["os", "soft", "none"])
def test_every_lock_kind_appends_once_and_formula_like_ids_stay_inert(tmp_path, kind):
    log = tmp_path / "contacts.csv"
    rows = [{"customer_id": "=HYPERLINK(\"x\")", "email": "+1@example.com", "sent_at": "2026-11-03",
             "purpose": "survey", "campaign": "plan-2026-11"}]
    assert append_contacts(log, rows, lock=kind) == 1
    assert append_contacts(log, rows, lock=kind) == 0, "the inert copy in the log is the same row"
    text = log.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1@example.com" in text
    assert not (tmp_path / "contacts.csv.lock").exists() or kind == "os"
