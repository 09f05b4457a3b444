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


def test_inspect_shows_several_currencies_and_what_to_pass(two_currencies):
    cfg = load_config(None, env={})
    ds = load_dataset([str(two_currencies)], cfg, strict_currency=False)
    assert ds.currency == ""
    assert ds.summary()["currencies"] == {"EUR": 1, "JPY": 1, "USD": 1}
    assert ds.lines["line_value"].tolist() == [100.0, 100.0, 1000.0]  # not converted
    (p,) = [p for p in ds.problems if p.code == "several_currencies"]
    assert "EUR 1" in p.message and "JPY 1" in p.message and "--currency EUR --rates rates.csv" in p.message


def test_inspect_with_a_missing_rate_names_it(tmp_path, two_currencies):
    rates = write(tmp_path / "rates.csv", "currency,rate\nEUR,1.10\n")
    cfg = load_config(None, env={}).with_overrides({"currency": "USD"})
    ds = load_dataset([str(two_currencies)], cfg, rates=rates, strict_currency=False)
    (p,) = [p for p in ds.problems if p.code == "several_currencies"]
    assert p.rows == 2 and "--currency USD" in p.message and "'JPY,RATE'" in p.message


def test_inspect_exits_0_on_two_currencies_and_score_refuses(run_cli, two_currencies, tmp_path):
    import json

    shown = run_cli("inspect", two_currencies)
    assert shown.exit_code == 0, shown.stderr
    assert "EUR: 1, JPY: 1, USD: 1" in shown.stdout and "--rates" in shown.stdout
    report = run_cli("inspect", "--format", "json", two_currencies)
    assert report.exit_code == 0
    data = json.loads(report.stdout)
    assert data["dataset"]["currencies"] == {"EUR": 1, "JPY": 1, "USD": 1}
    assert [p["code"] for p in data["files"][0]["problems"]] == ["several_currencies"]
    refused = run_cli("score", two_currencies, "-o", tmp_path / "out.csv")
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "several currencies" in refused.stderr
    rates = write(tmp_path / "rates.csv", "currency,rate\nEUR,1.10\nJPY,0.0067\n")
    converted = run_cli("inspect", "--format", "json", "--currency", "USD", "--rates", rates, two_currencies)
    assert json.loads(converted.stdout)["files"][0]["problems"] == []


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


# ---------------------------------------------------------------- returns and credit notes, whatever the preset

# UCI Online Retail's headers as a Chinese export names them (generic_orders_zh)
UCI_ZH = {"InvoiceNo": "订单号", "StockCode": "商品编码", "Description": "商品名称", "Quantity": "数量",
          "InvoiceDate": "下单时间", "UnitPrice": "单价", "CustomerID": "客户ID", "Country": "国家"}


def uci_twice(shared_data: Path, folder: Path, lines: int) -> tuple[Path, Path]:
    """The first ``lines`` lines of the real UCI file as they are, and the same lines under Chinese headers."""
    import gzip

    with gzip.open(shared_data / "online_retail.csv.gz", "rt", encoding="utf-8", newline="") as f:
        header = f.readline()
        body = "".join(f.readline() for _ in range(lines))
    en, zh = folder / "uci_en.csv", folder / "uci_zh.csv"
    en.write_text(header + body, encoding="utf-8", newline="")
    zh.write_text(",".join(UCI_ZH[h] for h in header.strip().split(",")) + "\n" + body, encoding="utf-8",
                  newline="")
    return en, zh


def test_uci_credit_notes_count_the_same_under_english_and_chinese_headers(shared_data, tmp_path):
    from tiercli.scoring import score_dataset

    en_path, zh_path = uci_twice(shared_data, tmp_path, 60_000)
    en, zh = load(en_path), load(zh_path)
    assert (en.files[0].preset, zh.files[0].preset) == ("generic_orders_en", "generic_orders_zh")
    # what plain pandas counts in these lines: invoices of known customers that are not credit notes; the
    # credit notes' lines (C-invoices) and the stock write-offs (a negative quantity under an ordinary number)
    uci = pd.read_csv(en_path, dtype=str)
    credit = uci["InvoiceNo"].str.startswith("C")
    negative = (pd.to_numeric(uci["Quantity"]) < 0) | (pd.to_numeric(uci["UnitPrice"]) < 0)
    expected_orders = uci.loc[~credit & uci["CustomerID"].notna(), "InvoiceNo"].nunique()
    assert (expected_orders, int(credit.sum()), int((credit | negative).sum())) == (1_903, 1_039, 1_140)
    assert en.summary() == zh.summary()
    assert en.summary()["orders"] == expected_orders
    assert problems(en) == problems(zh)
    assert problems(en)["cancelled"] == int((credit | negative).sum())
    pd.testing.assert_series_equal(en.orders["status"], zh.orders["status"])
    cfg = load_config(None, env={})
    a, b = (score_dataset(ds, cfg, en.last_date, segmenters=["rfm"]).customers for ds in (en, zh))
    cols = ["frequency", "revenue", "monetary", "paid_orders", "rfm", "rfm_tier"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # a customer who only returned goods (in these lines) has no order and no RFM label; credit notes net
    only_returns = a.index[(a["frequency"] == 0) & (a["monetary"] < 0)]
    assert len(only_returns) > 10
    assert b.loc[only_returns, "rfm"].isna().all()


def test_negative_lines_are_returns_under_chinese_headers(tmp_path):
    path = write(tmp_path / "zh.csv", "订单号,下单时间,客户ID,数量,单价\n"
                 "5001,2026-01-01,K1,2,10\n"
                 "5002,2026-01-05,K1,-1,10\n"       # a return: every line negative
                 "C5003,2026-01-06,K2,-3,5\n"       # a credit note
                 "5004,2026-01-07,K3,0,0\n")
    ds = load(path)
    orders = ds.orders.set_index("order_id")
    assert orders["status"].to_dict() == {"5001": "paid", "5002": "cancelled", "C5003": "cancelled",
                                          "5004": "paid"}
    assert orders["net_value"].to_dict() == {"5001": 20.0, "5002": -10.0, "C5003": -15.0, "5004": 0.0}
    assert problems(ds)["cancelled"] == 2


def test_a_c_before_digits_makes_a_mixed_order_a_credit_note_and_cd_stays_an_order(tmp_path):
    rows = ("C536400,2026-01-01,K1,-2,10\nC536400,2026-01-01,K1,1,5\n"     # credit note with a fee line
            "CD000123,2026-01-02,K2,-2,10\nCD000123,2026-01-02,K2,3,10\n"  # an order that nets a returned item
            "6001,2026-01-03,K3,4,10\n6001,2026-01-03,K3,1,-5\n"           # a sale with a discount line
            "CD000124,2026-01-04,K4,1,8\nC6002,2026-01-05,K5,1,8\n")       # positive: orders, whatever the id
    for header in ("Order ID,Order Date,Customer ID,Quantity,Unit Price", "订单号,下单时间,客户ID,数量,单价"):
        ds = load(write(tmp_path / "c.csv", header + "\n" + rows))
        orders = ds.orders.set_index("order_id")
        assert orders["status"].to_dict() == {"C536400": "cancelled", "CD000123": "paid", "6001": "paid",
                                              "CD000124": "paid", "C6002": "paid"}, header
        assert orders["net_value"].to_dict() == pytest.approx(
            {"C536400": -15.0, "CD000123": 10.0, "6001": 35.0, "CD000124": 8.0, "C6002": 8.0})
        assert problems(ds)["cancelled"] == 2


def test_negative_amounts_without_a_quantity_are_credit_notes(tmp_path):
    path = write(tmp_path / "a.csv", "Order ID,Order Date,Customer ID,Amount\n1,2026-01-01,K1,100\n"
                 "2,2026-01-02,K1,-30\n3,2026-01-02,,-5\n")
    ds = load(path)
    assert ds.orders.set_index("order_id")["status"].to_dict() == {"1": "paid", "2": "cancelled", "3": "cancelled"}
    assert problems(ds)["cancelled"] == 2


@pytest.mark.parametrize("word, code", [
    ("退款", "refunded"), ("退货", "refunded"), ("已退款", "refunded"), ("退货退款", "refunded"),
    ("取消", "cancelled"), ("已取消", "cancelled"), ("交易关闭", "cancelled"), ("作废", "cancelled"),
    ("refund", "refunded"), ("Returned", "refunded"), ("RETURN", "refunded"), ("cancel", "cancelled"),
    # a longer status that says refund, return or cancel
    ("买家申请退款", "refunded"), ("退款中", "refunded"), ("Refund issued", "refunded"),
    ("订单已取消", "cancelled"), ("Cancelled by buyer", "cancelled"),
    # ... unless a word turns it round, or it says both: then it stays unknown (not paid, counted)
    ("退款失败", "pending"), ("拒绝退款", "pending"), ("Refund rejected", "pending"), ("取消退款", "pending"),
    ("部分退款", "paid"), ("partially refunded", "paid"), ("交易完成", "paid"),
])
def test_status_words_in_both_languages(tmp_path, word, code):
    for header in ("Order ID,Order Date,Customer ID,Amount,Status", "订单号,下单时间,客户ID,实付金额,订单状态"):
        ds = load(write(tmp_path / "s.csv", f"{header}\n1,2026-01-01,K1,10,{word}\n"))
        assert ds.lines["status"].tolist() == [code], header
        found = problems(ds)
        assert found.get("cancelled", 0) == (code in ("cancelled", "refunded"))
        assert found.get("unknown_status", 0) == (code == "pending")


def test_a_status_word_wins_over_positive_numbers_and_numbers_over_a_paid_status(tmp_path):
    path = write(tmp_path / "s.csv", "订单号,下单时间,客户ID,数量,单价,订单状态\n"
                 "1,2026-01-01,K1,1,10,已退款\n2,2026-01-02,K1,-1,10,交易完成\n3,2026-01-03,K1,1,10,交易完成\n")
    orders = load(path).orders.set_index("order_id")
    assert orders["status"].to_dict() == {"1": "refunded", "2": "cancelled", "3": "paid"}
    assert orders["net_value"].to_dict() == {"1": 0.0, "2": -10.0, "3": 10.0}


# ---------------------------------------------------------------- duplicates across presets


def test_the_same_line_in_an_english_and_a_chinese_export_counts_once(shared_data, tmp_path):
    en_path, zh_path = uci_twice(shared_data, tmp_path, 20_000)
    one, both = load(en_path), load(en_path, zh_path)
    assert {f.preset for f in both.files} == {"generic_orders_en", "generic_orders_zh"}
    assert problems(both)["duplicate_rows"] == problems(one)["duplicate_rows"] + 20_000
    assert len(both.lines) == len(one.lines)
    assert one.summary() | {"order_lines": 0} == both.summary() | {"order_lines": 0}
    cols = ["order_id", "customer", "date", "status", "value", "net_value", "units", "lines"]
    pd.testing.assert_frame_equal(one.orders[cols], both.orders[cols])
    # either way round
    reverse = load(zh_path, en_path)
    assert reverse.orders["net_value"].sum() == pytest.approx(one.orders["net_value"].sum())
    assert reverse.summary()["orders"] == one.summary()["orders"]


def test_keep_duplicates_keeps_repeats_inside_one_export_but_not_across_presets(tmp_path):
    en = write(tmp_path / "en.csv", "Order ID,Order Date,Customer ID,Quantity,Unit Price\n"
               "1,2026-01-01,K1,1,10\n1,2026-01-01,K1,1,10\n2,2026-01-02,K2,1,5\n")
    zh = write(tmp_path / "zh.csv", "订单号,下单时间,客户ID,数量,单价\n1,2026-01-01,K1,1,10\n2,2026-01-02,K2,1,5\n"
               "3,2026-01-03,K3,1,7\n")
    kept = load(en, zh, keep_duplicates=True).orders.set_index("order_id")["value"]
    assert kept.to_dict() == {"1": 20.0, "2": 5.0, "3": 7.0}  # the repeat inside en.csv stays
    once = load(en, zh).orders.set_index("order_id")["value"]
    assert once.to_dict() == {"1": 10.0, "2": 5.0, "3": 7.0}
    # a line that differs in any canonical field (here the quantity) is not a duplicate
    en2 = write(tmp_path / "en2.csv", "Order ID,Order Date,Customer ID,Quantity,Unit Price\n1,2026-01-01,K1,1,10\n")
    zh2 = write(tmp_path / "zh2.csv", "订单号,下单时间,客户ID,数量,单价\n1,2026-01-01,K1,2,10\n")
    assert "duplicate_rows" not in problems(load(en2, zh2))
