"""tiercli plan-emails and tiercli markets through click's CliRunner (stdout and stderr checked apart)."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from tiercli.plan.words import PURPOSES


@pytest.fixture
def alibaba_dir(examples_dir):
    return examples_dir / "alibaba"


def test_plan_emails_writes_a_workbook_and_a_summary(run_cli, alibaba_dir, tmp_path):
    out = tmp_path / "plan.xlsx"
    r = run_cli("plan-emails", alibaba_dir, "--quota", "200", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert "Email plan for 2026-11 · quota 200" in r.stdout
    assert "Quota used by tier" in r.stdout and "By purpose" in r.stdout and "Left out" in r.stdout
    assert "No marketing consent" in r.stdout and "big B customers go to one-to-one follow-up" in r.stdout
    assert f"wrote {out}" in r.stdout
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[:5] == ["Plan", "Follow-ups", "Excluded", "Left out", "Summary"]
    plan = list(wb["Plan"].iter_rows(values_only=True))
    assert plan[0][0].startswith("Email plan for 2026-11")
    header = plan[2]
    assert "Recommended products" in header and "Reason" in header
    purposes = {row[header.index("Purpose")] for row in plan[3:]}
    assert "Satisfaction survey" in purposes and "Win-back (new arrivals, ask why)" in purposes
    wb.close()
    full = openpyxl.load_workbook(out)
    assert len(full["Summary"]._charts) == 1


def test_plan_emails_csv_and_json(run_cli, alibaba_dir, tmp_path):
    r = run_cli("plan-emails", alibaba_dir, "--quota", "30", "--month", "2026-12", "-o", tmp_path / "plan.csv")
    assert r.exit_code == 0, r.stderr
    with open(tmp_path / "plan.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30 and {r["purpose"] for r in rows} <= set(PURPOSES)
    assert all(r["send_date"].startswith("2026-12-") for r in rows)
    r = run_cli("plan-emails", alibaba_dir, "--quota", "30", "-o", tmp_path / "plan.json", "-q")
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert data["quota"] == 30 and data["planned"] == 30 and len(data["plan"]) == 30
    assert set(data["excluded_counts"]) >= {"blacklisted", "no_consent", "no_email", "over_quota"}
    assert data["followups"] and data["month"] == "2026-11"


def test_record_twice_does_not_duplicate_rows(run_cli, alibaba_dir, tmp_path):
    log = tmp_path / "contact_log.csv"
    args = ("plan-emails", alibaba_dir, "--quota", "40", "--contact-log", log, "--record", "-o",
            tmp_path / "plan.csv")
    first = run_cli(*args)
    assert first.exit_code == 0, first.stderr
    assert f"recorded 40 new sends in {log}" in first.stdout
    before = log.read_bytes()
    second = run_cli(*args)
    assert second.exit_code == 0, second.stderr
    assert "recorded 0 new sends" in second.stdout and "40 were already there" in second.stdout
    assert log.read_bytes() == before
    with open(log, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40 and len({(r["customer_id"], r["sent_at"], r["purpose"]) for r in rows}) == 40
    # next month's plan reads the log: the cooldown still holds across the month boundary
    r = run_cli("plan-emails", alibaba_dir, "--quota", "40", "--month", "2026-12", "--contact-log", log,
                "-o", tmp_path / "dec.csv")
    assert r.exit_code == 0, r.stderr


def test_suppress_file(run_cli, alibaba_dir, tmp_path):
    sup = tmp_path / "unsubscribed.csv"
    sup.write_text("Email\nEmma.R677@example.com\n", encoding="utf-8")
    r = run_cli("plan-emails", alibaba_dir, "--quota", "200", "--suppress", sup, "-o", tmp_path / "p.json")
    assert r.exit_code == 0, r.stderr
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert data["excluded_counts"].get("suppressed") == 1
    assert "Unsubscribed (suppression file)" in r.stdout


@pytest.mark.parametrize("args, message", [
    (("--quota", "10", "--record"), "--record needs --contact-log"),
    (("--quota", "10", "--month", "Nov"), "is not a month"),
    (("--quota", "-3"), "-3"),
    (("--quota", "10", "--contact-log", "missing.csv"), "no such contact log"),
])
def test_usage_errors_exit_2_on_stderr(run_cli, alibaba_dir, args, message):
    r = run_cli("plan-emails", alibaba_dir, *args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert message in r.stderr


def test_markets_table_json_and_workbook(run_cli, alibaba_dir, tmp_path):
    r = run_cli("markets", alibaba_dir)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert "Lead countries by calendar month" in r.stdout and "United States" in r.stdout
    r = run_cli("markets", alibaba_dir, "--format", "json", "-o", tmp_path / "m.xlsx")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert [m["month"] for m in data["months"]] == list(range(1, 13))
    assert all(1 <= len(m["leads"]) <= 3 for m in data["months"])
    assert [x["rank"] for x in data["months"][0]["leads"]] == [1, 2, 3]
    assert f"wrote {tmp_path / 'm.xlsx'}" in r.stderr
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert wb.sheetnames == ["Lead markets", "Ranked", "Leaders", "All countries"]
    assert wb["Lead markets"].max_row == 2 + 1 + 12


def test_markets_needs_orders(run_cli, examples_dir, tmp_path):
    r = run_cli("markets", examples_dir / "alibaba" / "visitors.csv")
    assert r.exit_code == 2 and "needs orders" in r.stderr and r.stdout == ""
