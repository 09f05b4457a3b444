"""load_dataset: files -> one canonical Dataset, cleaned the way a seller expects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.errors import ColumnError, InputError
from tiercli.schema.dataset import load_dataset

TS = pd.Timestamp


def load(*paths, rates=None, keep_duplicates=None, preset=None, **settings):
    cfg = load_config(None, env={}).with_overrides(settings)
    return load_dataset([str(p) for p in paths], cfg, rates=rates, keep_duplicates=keep_duplicates, preset=preset)


def problems(ds) -> dict[str, int]:
    found = {p.code: p.rows for f in ds.files for p in f.problems}
    found.update({p.code: p.rows for p in ds.problems})
    return found


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ---------------------------------------------------------------- customer keys


@pytest.mark.parametrize("name", ["generic/ids.csv", "workbooks/ids.xlsx"])
def test_ids_stay_text_exactly(data_dir, name):
    ds = load(data_dir / name)
    lines = ds.lines.set_index("order_id")
    assert list(lines.index) == ["5001", "5002", "5003", "5004", "5005"]  # numeric cells too: never 5001.0
    assert lines.loc["5001", "customer"] == "12346"
    assert lines.loc["5002", "customer"] == "00123"  # leading zeros kept


@pytest.mark.parametrize("name", ["generic/ids.csv", "workbooks/ids.xlsx"])
def test_emails_key_customers_without_an_id(data_dir, name):
    ds = load(data_dir / name)
    lines = ds.lines.set_index("order_id")
    # "  Mixed.Case@Example.COM " and "mixed.case@example.com" are one customer
    assert lines.loc["5003", "customer"] == lines.loc["5004", "customer"] == "mixed.case@example.com"
    assert ds.summary()["customers"] == 3


@pytest.mark.parametrize("name", ["generic/ids.csv", "workbooks/ids.xlsx"])
def test_rows_without_a_customer_key_are_counted_and_left_out(data_dir, name):
    ds = load(data_dir / name)
    assert problems(ds)["missing_customer_id"] == 1
    assert "5005" not in set(ds.orders.loc[ds.orders["paid"], "order_id"])
    assert ds.summary()["orders"] == 4


def test_an_email_only_row_joins_the_customer_id_it_pairs_with_elsewhere(tmp_path):
    orders = write(tmp_path / "orders.csv", "Order ID,Order Date,Email,Amount\n1,2026-01-01,Ana@Example.com ,10\n")
    customers = write(tmp_path / "buyers.csv", "Customer ID,Email,Name\n00042,ana@example.com,Ana\n")
    ds = load(orders, customers)
    assert ds.orders["customer"].tolist() == ["00042"]
    assert ds.summary()["customers"] == 1


def test_workbook_id_cells_match_the_same_ids_typed_in_a_csv(data_dir):
    ds = load(data_dir / "workbooks" / "monthly.xlsx")
    assert sorted(ds.lines["customer"].unique()) == ["00123", "12346", "20001"]


# ---------------------------------------------------------------- dates


def test_day_first_and_month_first_files(tmp_path):
    dmy = write(tmp_path / "eu.csv", "Order ID,Order Date,Customer ID,Amount\n1,01/02/2026,C1,1\n2,25/02/2026,C2,1\n")
    mdy = write(tmp_path / "us.csv", "Order ID,Order Date,Customer ID,Amount\n3,01/02/2026,C3,1\n4,02/25/2026,C4,1\n")
    ds = load(dmy, mdy)
    assert ds.lines.set_index("order_id")["date"].to_dict() == {
        "1": TS("2026-02-01"), "2": TS("2026-02-25"), "3": TS("2026-01-02"), "4": TS("2026-02-25")}


def test_an_ambiguous_date_column_names_the_column_and_the_fix(examples_dir):
    with pytest.raises(ColumnError) as err:
        load(examples_dir / "edge" / "ambiguous_dates.csv")
    assert "'Order Date'" in str(err.value) and "--date-order" in str(err.value)
    ds = load(examples_dir / "edge" / "ambiguous_dates.csv", date_order="dmy")
    assert ds.lines["date"].iloc[0] == TS("2026-02-10")  # 10/02/2026 read day-first


def test_excel_serial_dates_in_a_csv(tmp_path):
    path = write(tmp_path / "s.csv", "Order ID,Order Date,Customer ID,Amount\n1,46023,C1,1\n2,46023.5,C1,2\n")
    assert load(path).lines["date"].tolist() == [TS("2026-01-01"), TS("2026-01-01 12:00")]


def test_offsets_are_converted_to_the_configured_zone(data_dir):
    ds = load(data_dir / "platform" / "shopify_orders.csv", timezone="Asia/Shanghai")
    # 2026-03-01 10:00 -05:00 is 23:00 in Shanghai
    assert ds.orders.set_index("order_id").loc["#1001", "date"] == TS("2026-03-01 23:00")
    assert ds.lines["date"].dt.tz is None


def test_unreadable_dates_are_reported(tmp_path):
    path = write(tmp_path / "d.csv", "Order ID,Order Date,Customer ID,Amount\n1,2026-01-01,C1,1\n2,someday,C2,1\n")
    ds = load(path)
    assert problems(ds)["unparsed_date"] == 1
    assert ds.orders["order_id"].tolist() == ["1"]


# ---------------------------------------------------------------- amounts and statuses


@pytest.mark.parametrize("name", ["west_cp1252.csv", "west_utf8.csv", "west_utf16.txt", "west_pipe.txt"])
def test_european_amounts(data_dir, name):
    ds = load(data_dir / "encodings" / name)
    assert ds.lines["line_value"].tolist() == pytest.approx([678.04, 1336.11, 1234.56, -12.5, 9.99])
    assert ds.lines.set_index("order_id").loc["RE-1002", "name"] == "Jürgen Bäcker"


def test_status_words_become_four_codes(tmp_path):
    path = write(tmp_path / "s.csv", "Order ID,Order Date,Customer ID,Amount,Status\n"
                 "1,2026-01-01,C1,1,Completed\n2,2026-01-01,C1,1,SHIPPED\n3,2026-01-01,C1,1,Cancelled\n"
                 "4,2026-01-01,C1,1,Refunded\n5,2026-01-01,C1,1,Awaiting Payment\n6,2026-01-01,C1,1,on hold\n"
                 "7,2026-01-01,C1,1,lost at sea\n8,2026-01-01,C1,1,\n")
    ds = load(path)
    assert ds.lines["status"].tolist() == ["paid", "paid", "cancelled", "refunded", "pending", "pending",
                                           "pending", "pending"]
    p = problems(ds)
    assert (p["unknown_status"], p["missing_status"], p["cancelled"]) == (1, 1, 2)
    unknown = next(x for x in ds.files[0].problems if x.code == "unknown_status")
    assert "lost at sea" in unknown.message and "[status]" in unknown.message


def test_uci_credit_notes_are_cancelled_and_negative(data_dir):
    ds = load(data_dir / "generic" / "uci_sample.csv")
    credit = ds.orders.set_index("order_id").loc[["C536379", "C536383"]]
    assert credit["status"].tolist() == ["cancelled", "cancelled"]
    assert credit["net_value"].tolist() == pytest.approx([-27.5, -4.65])
    assert not credit["paid"].any()
    assert problems(ds)["cancelled"] == 2


def test_an_order_id_starting_with_c_and_a_letter_is_an_order(tmp_path):
    path = write(tmp_path / "c.csv", "Order ID,Order Date,Customer ID,Amount\nCD000123,2026-01-01,C1,5\n")
    assert load(path).orders["status"].tolist() == ["paid"]


def test_sample_orders_are_flagged(data_dir):
    ds = load(data_dir / "generic" / "zh_orders.csv")
    flagged = ds.orders.set_index("order_id")["is_sample"]
    assert flagged[flagged].index.tolist() == ["8803"]  # 订单类型 = 样品订单
    alt = load(data_dir / "generic" / "zh_orders_alt.csv").orders.set_index("order_id")["is_sample"]
    assert alt.to_dict() == {"9901": False, "9902": True, "9903": False}  # a 样单 column of 是/否


# ---------------------------------------------------------------- currencies


@pytest.fixture
def two_currencies(tmp_path) -> Path:
    return write(tmp_path / "fx.csv", "Order ID,Order Date,Customer ID,Amount,Currency\n"
                 "1,2026-01-01,C1,100.00,USD\n2,2026-01-02,C2,100.00,EUR\n3,2026-01-03,C3,1000,JPY\n")


def test_currencies_are_converted_with_a_rates_file(tmp_path, two_currencies):
    rates = write(tmp_path / "rates.csv", "币种,汇率\nEUR,1.10\nJPY,0.0067\n")
    ds = load(two_currencies, rates=rates, currency="USD")
    assert ds.currency == "USD"
    assert ds.orders.set_index("order_id")["value"].to_dict() == pytest.approx({"1": 100.0, "2": 110.0, "3": 6.7})
    assert ds.lines["currency"].tolist() == ["USD", "EUR", "JPY"]  # the original currency kept beside the value
    assert ds.summary()["currencies"] == {"EUR": 1, "JPY": 1, "USD": 1}


def test_a_missing_rate_names_the_currency(tmp_path, two_currencies):
    rates = write(tmp_path / "rates.csv", "currency,rate\nEUR,1.10\n")
    with pytest.raises(InputError) as err:
        load(two_currencies, rates=rates, currency="USD")
    assert "JPY" in str(err.value) and "rates.csv" in str(err.value)


def test_several_currencies_without_rates_say_what_to_do(two_currencies):
    with pytest.raises(InputError) as err:
        load(two_currencies)
    assert "EUR, JPY, USD" in str(err.value) and "--rates" in str(err.value)


# ---------------------------------------------------------------- duplicates


def test_exact_repeated_lines_are_reported_and_counted_once(data_dir):
    ds = load(data_dir / "generic" / "uci_sample.csv")
    assert problems(ds)["duplicate_rows"] == 1
    assert len(ds.lines) == 10
    assert ds.orders.set_index("order_id").loc["536367", "value"] == pytest.approx(54.08)


def test_keep_duplicates_keeps_them(data_dir):
    ds = load(data_dir / "generic" / "uci_sample.csv", keep_duplicates=True)
    assert problems(ds)["duplicate_rows"] == 1
    assert len(ds.lines) == 11
    assert ds.orders.set_index("order_id").loc["536367", "value"] == pytest.approx(2 * 54.08)


def test_the_same_line_in_two_files_counts_once(tmp_path, data_dir):
    src = data_dir / "generic" / "uci_sample.csv"
    shutil.copy(src, tmp_path / "export_2010-12.csv")
    one, both = load(src), load(src, tmp_path / "export_2010-12.csv")
    pd.testing.assert_frame_equal(one.orders, both.orders)
    assert one.summary() | {"order_lines": 0} == both.summary() | {"order_lines": 0}
    assert problems(both)["duplicate_rows"] == 11 + 1


def test_the_same_line_on_two_sheets_counts_once(data_dir):
    ds = load(data_dir / "workbooks" / "overlap.xlsx")
    assert ds.files[0].sheets == ["Jan", "Jan-Feb"]
    assert problems(ds)["duplicate_rows"] == 1
    assert ds.orders.set_index("order_id")["value"].to_dict() == {"6101": 10.0, "6102": 40.0, "6103": 90.0}


def test_keep_duplicates_still_counts_overlapping_exports_once(tmp_path, data_dir):
    src = data_dir / "generic" / "uci_sample.csv"
    shutil.copy(src, tmp_path / "copy.csv")
    one = load(src, keep_duplicates=True)
    both = load(src, tmp_path / "copy.csv", keep_duplicates=True)
    assert both.orders["value"].sum() == pytest.approx(one.orders["value"].sum())


# ---------------------------------------------------------------- read problems reach the report


def test_lines_the_csv_parser_skips_are_reported(tmp_path):
    path = write(tmp_path / "r.csv", "Order ID,Order Date,Customer ID,Amount\n1,2026-01-01,C1,10\n"
                 "2,2026-01-02,C2,1,000.00\n3,2026-01-03,C3,5\n")
    ds = load(path)
    assert problems(ds)["skipped_lines"] == 1
    msg = next(p.message for p in ds.files[0].problems if p.code == "skipped_lines")
    assert "line 3" in msg


def test_inputs_are_not_mutated_and_reads_are_repeatable(data_dir):
    a = load(data_dir / "generic" / "zh_orders.csv")
    b = load(data_dir / "generic" / "zh_orders.csv")
    pd.testing.assert_frame_equal(a.lines, b.lines)
    pd.testing.assert_frame_equal(a.orders, b.orders)
