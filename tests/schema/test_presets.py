"""Presets: real platform layouts recognised by their headers, and what each layout means."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.errors import ConfigError, InputError
from tiercli.io.read import read_file
from tiercli.schema.dataset import load_dataset
from tiercli.schema.presets import detect, load_presets, norm_header

PRESETS = load_presets()


def load(*paths, **settings):
    return load_dataset([str(p) for p in paths], load_config(None, env={}).with_overrides(settings))


def headers_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig").splitlines()[0]
    return next(csv.reader([text], delimiter="\t" if path.suffix == ".tsv" else ","))


def lines_of(ds, order_id: str) -> pd.DataFrame:
    return ds.lines[ds.lines["order_id"] == order_id].reset_index(drop=True)


def order(ds, order_id: str) -> pd.Series:
    return ds.orders.set_index("order_id").loc[order_id]


# ---------------------------------------------------------------- real header rows


REAL = {
    "shopify_orders_export.header.csv": ("shopify_orders", "shopify_orders.csv"),
    "shopify_orders_export_2022.header.csv": ("shopify_orders", "shopify_orders_2022.csv"),
    "shopify_customers_export.header.csv": ("shopify_customers", "shopify_customers.csv"),
    "amazon_order_fulfillment_legacy.header.tsv": ("amazon_fulfillment", "amazon_fulfillment.txt"),
    "amazon_all_orders.header.tsv": ("amazon_all_orders", "amazon_all_orders.txt"),
    "woocommerce_order_export.header.csv": ("woocommerce_orders", "woocommerce_orders.csv"),
}


@pytest.mark.parametrize("header_file", sorted(REAL))
def test_real_header_rows_alone_pick_their_platform(shared_data, header_file):
    preset, _ = REAL[header_file]
    m = detect(headers_of(shared_data / "platform-headers" / header_file), PRESETS)
    assert m.preset.name == preset
    assert m.signature_hits, "a platform layout should win on its own headers"
    assert "signature" in m.why()


@pytest.mark.parametrize("header_file", sorted(REAL))
def test_platform_fixtures_carry_the_real_header_rows(shared_data, data_dir, header_file):
    _, fixture = REAL[header_file]
    raw = read_file(data_dir / "platform" / fixture)[0]
    assert list(raw.frame.columns) == headers_of(shared_data / "platform-headers" / header_file)
    assert raw.rows > 0


@pytest.mark.parametrize("header_file", sorted(REAL))
def test_platform_fixtures_are_detected(data_dir, header_file):
    preset, fixture = REAL[header_file]
    raw = read_file(data_dir / "platform" / fixture)[0]
    assert detect(list(raw.frame.columns), PRESETS, label=fixture).preset.name == preset


def test_generic_english_maps_the_uci_columns(data_dir):
    raw = read_file(data_dir / "generic" / "uci_sample.csv")[0]
    m = detect(list(raw.frame.columns), PRESETS)
    assert m.preset.name == "generic_orders_en"
    assert m.mapping == {"order_id": "InvoiceNo", "date": "InvoiceDate", "customer_id": "CustomerID",
                         "country": "Country", "product": "Description", "sku": "StockCode",
                         "quantity": "Quantity", "unit_price": "UnitPrice"}


def test_norm_header_ignores_case_space_punctuation_and_full_width():
    assert norm_header(" Order-ID ") == norm_header("order_id") == norm_header("ORDER ID") == "orderid"
    assert norm_header("国家/地区") == norm_header("国家（地区）") == norm_header("国家 / 地区")
    assert norm_header("ＳＫＵ") == "sku"


# ---------------------------------------------------------------- Shopify


@pytest.fixture(scope="module", params=["shopify_orders.csv", "shopify_orders_2022.csv"])
def shopify(request, data_dir):
    return load(data_dir / "platform" / request.param)


def test_shopify_later_lines_take_the_order_fields_of_the_first_line(shopify):
    first, second = lines_of(shopify, "#1001").to_dict("records")
    for field in ("email", "customer", "status", "date", "currency", "country", "accepts_marketing", "name"):
        assert second[field] == first[field], field
    assert second["email"] == "ana.silva@example.com"
    assert second["status"] == "paid"
    assert (first["product"], second["product"]) == ("Walnut Board - Large", "Walnut Board - Small")
    # line fields are never filled: each line keeps its own quantity and price
    assert (first["line_value"], second["line_value"]) == (100.0, 50.0)
    assert lines_of(shopify, "#1003")["status"].tolist() == ["cancelled"] * 3


def test_shopify_orders_fold_into_orders_with_their_status(shopify):
    assert order(shopify, "#1001")[["status", "paid", "value", "net_value", "lines"]].tolist() == \
        ["paid", True, 150.0, 150.0, 2]
    assert order(shopify, "#1002")["status"] == "refunded"
    assert order(shopify, "#1003")["status"] == "cancelled"  # voided, with Cancelled at
    assert order(shopify, "#1004")["status"] == "pending"
    partly = order(shopify, "#1005")
    assert (partly["status"], partly["net_value"]) == ("paid", 110.0)  # 120 less the 10 refunded
    assert shopify.summary()["orders"] == 2
    assert shopify.summary()["customers"] == 3  # ANA.SILVA@EXAMPLE.COM is ana.silva@example.com


def test_shopify_offsets_become_utc_wall_time(shopify):
    assert order(shopify, "#1001")["date"] == pd.Timestamp("2026-03-01 15:00")
    assert order(shopify, "#1005")["date"] == pd.Timestamp("2026-04-03 04:30")  # the next day in UTC


def test_shopify_customers_consent_comes_from_accepts_email_marketing(data_dir):
    ds = load(data_dir / "platform" / "shopify_customers.csv")
    c = ds.customers.set_index("customer")
    assert sorted(c.index) == ["ana.silva@example.com", "ben.okafor@example.net", "chloe.martin@example.org"]
    assert c["accepts_marketing"].to_dict() == {"ana.silva@example.com": True, "ben.okafor@example.net": False,
                                                "chloe.martin@example.org": True}
    assert c.loc["ana.silva@example.com", "name"] == "Ana Silva"


def test_shopify_orders_and_customers_share_the_customer_key(data_dir):
    ds = load(data_dir / "platform" / "shopify_orders.csv", data_dir / "platform" / "shopify_customers.csv")
    assert set(ds.orders["customer"]) <= set(ds.customers["customer"])
    assert ds.summary()["customers"] == 3


# ---------------------------------------------------------------- Amazon, WooCommerce


def test_amazon_fulfillment_keys_customers_by_buyer_email(data_dir):
    ds = load(data_dir / "platform" / "amazon_fulfillment.txt")
    assert ds.files[0].preset == "amazon_fulfillment"
    assert ds.files[0].mapping["email"] == "buyer-email"
    by_customer = ds.orders.groupby("customer")["order_id"].nunique().to_dict()
    assert by_customer == {"k3j5q7w9x1@marketplace.example.com": 2, "p8m2n4b6v0@marketplace.example.com": 1}
    assert order(ds, "111-0000001-0000001")["value"] == pytest.approx(99.98 + 19.99)  # item-price is the line total


def test_amazon_all_orders_says_customers_cannot_be_tiered_from_it(data_dir):
    with pytest.raises(InputError) as err:
        load(data_dir / "platform" / "amazon_all_orders.txt")
    msg = str(err.value)
    assert "amazon_all_orders.txt" in msg
    assert "cannot be tiered" in msg and "buyer-email" in msg  # what to download instead


def test_woocommerce_orders(data_dir):
    ds = load(data_dir / "platform" / "woocommerce_orders.csv")
    assert ds.files[0].preset == "woocommerce_orders"
    second = lines_of(ds, "2101").iloc[1]
    assert (second["email"], second["status"], second["country"]) == ("farah.haddad@example.com", "paid", "AE")
    assert second["name"] == "Farah Haddad"
    status = ds.orders.set_index("order_id")["status"].to_dict()
    assert status == {"2101": "paid", "2102": "paid", "2103": "refunded", "2104": "cancelled", "2105": "pending"}
    assert order(ds, "2101")["value"] == pytest.approx(2 * 18 + 32)


# ---------------------------------------------------------------- Chinese headers


ZH_ALIASES = {  # canonical field -> the header names the issue lists
    "order_id": ["订单号", "订单编号"],
    "date": ["下单时间", "创建时间", "付款时间"],
    "customer": ["买家", "买家名称", "客户名称"],
    "email": ["买家邮箱", "邮箱"],
    "amount": ["金额", "订单金额", "实付金额"],
    "country": ["国家", "收货国家"],
    "sample": ["样品", "样单"],
}


@pytest.mark.parametrize("i", range(3))
def test_chinese_header_aliases(tmp_path, i):
    pick = {k: v[i % len(v)] for k, v in ZH_ALIASES.items()}
    header = [pick["order_id"], pick["date"], pick["customer"], pick["email"], pick["country"], "数量", "单价",
              pick["amount"], "订单状态", pick["sample"]]
    rows = [["1001", "2026-01-02 10:00:00", "Kumar Textiles", "Buy@Kumar.example.com", "印度", "10", "3.5", "35.00",
             "交易成功", "否"],
            ["1002", "2026-01-03 10:00:00", "Kumar Textiles", "buy@kumar.example.com", "印度", "1", "3.5", "3.50",
             "交易成功", "是"]]
    path = tmp_path / "导出.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8-sig")
    ds = load(path)
    f = ds.files[0]
    assert (f.kind, f.preset) == ("orders", "generic_orders_zh")
    assert f.mapping["order_id"] == pick["order_id"]
    assert f.mapping["date"] == pick["date"]
    assert f.mapping["email"] == pick["email"]
    assert f.mapping["country"] == pick["country"]
    assert f.mapping["quantity"] == "数量" and f.mapping["unit_price"] == "单价" and f.mapping["status"] == "订单状态"
    assert pick["amount"] in (f.mapping.get("amount"), f.mapping.get("order_total"))
    assert pick["customer"] in (f.mapping.get("customer_id"), f.mapping.get("name"))
    lines = ds.lines.set_index("order_id")
    # 买家 is the buyer's account (the key); with only a name column the e-mail keys the customer
    key = "Kumar Textiles" if f.mapping.get("customer_id") == pick["customer"] else "buy@kumar.example.com"
    assert lines["customer"].tolist() == [key, key]
    assert lines["status"].tolist() == ["paid", "paid"]
    assert lines["is_sample"].tolist() == [False, True]  # a 是/否 column headed 样品 or 样单
    assert ds.orders["value"].tolist() == [35.0, 3.5]


def test_chinese_order_export_with_the_full_layout(data_dir):
    ds = load(data_dir / "generic" / "zh_orders.csv")
    f = ds.files[0]
    assert f.preset == "generic_orders_zh"
    assert f.mapping["date"] == "下单时间" and f.mapping["paid_date"] == "付款时间"
    assert f.mapping["order_type"] == "订单类型"
    status = ds.orders.set_index("order_id")["status"].to_dict()
    assert status == {"8801": "paid", "8802": "pending", "8803": "paid", "8804": "refunded", "8805": "cancelled",
                      "8806": "paid"}
    assert ds.orders.set_index("order_id")["is_sample"].to_dict()["8803"]  # 样品订单


# ---------------------------------------------------------------- kinds come from headers, never names


@pytest.mark.parametrize("fixture, kind, preset", [
    ("inquiries.csv", "inquiries", "inquiries"),
    ("events.csv", "events", "events"),
    ("customers.csv", "customers", "customers"),
    ("after_sales.csv", "after_sales", "after_sales"),
    ("contact_log.csv", "contacts", "contact_log"),
])
@pytest.mark.parametrize("misleading", ["orders.csv", "customers_export.csv", "inquiries 2026.csv"])
def test_kinds_are_detected_from_headers_not_file_names(tmp_path, data_dir, fixture, kind, preset, misleading):
    path = tmp_path / misleading
    shutil.copy(data_dir / "kinds" / fixture, path)
    f = load(path).files[0]
    assert (f.kind, f.preset) == (kind, preset)


def test_an_order_export_named_like_a_customer_list_is_orders(tmp_path, data_dir):
    path = tmp_path / "customers.csv"
    shutil.copy(data_dir / "generic" / "uci_sample.csv", path)
    assert load(path).files[0].kind == "orders"


def test_kind_tables_are_filled(data_dir):
    ds = load(*(data_dir / "kinds" / n for n in ("inquiries.csv", "events.csv", "customers.csv", "after_sales.csv",
                                                  "contact_log.csv")), data_dir / "generic" / "zh_orders.csv")
    assert ds.inquiries.set_index("inquiry_id")["quoted"].to_dict() == {"Q-001": True, "Q-002": False}
    assert ds.inquiries.set_index("inquiry_id")["status"].to_dict() == {"Q-001": "open", "Q-002": "lost"}
    assert ds.events["stage"].tolist() == ["awareness", "interest", "loyalty"]
    assert ds.customers.set_index("customer")["blacklisted"].to_dict() == {"00871": False, "03310": True}
    # a case that names only its order takes the order's customer
    assert ds.after_sales.set_index("case_id")["customer"].to_dict() == {"AS-01": "00871", "AS-02": "00871"}
    assert ds.contacts["customer"].tolist() == ["00871"]


# ---------------------------------------------------------------- overrides: --preset and [columns]


def test_preset_flag_overrides_detection(run_cli, data_dir):
    path = data_dir / "platform" / "amazon_fulfillment.txt"
    detected = json.loads(run_cli("inspect", "--format", "json", path).stdout)["files"][0]
    assert detected["preset"] == "amazon_fulfillment"
    result = run_cli("inspect", "--format", "json", "--preset", "generic_orders_en", path)
    assert result.exit_code == 0, result.stderr
    forced = json.loads(result.stdout)["files"][0]
    assert forced["preset"] == "generic_orders_en"
    assert forced["mapping"]["order_id"] == "order-id"
    # what the forced preset makes of the layout: the generic one takes item-price for a unit price
    assert detected["mapping"]["amount"] == "item-price"
    assert forced["mapping"]["unit_price"] == "item-price" and "amount" not in forced["mapping"]


def test_preset_flag_with_an_unknown_name_lists_the_presets(run_cli, data_dir):
    result = run_cli("inspect", "--preset", "shopfy", data_dir / "generic" / "ids.csv")
    assert result.exit_code == 2
    assert "shopfy" in result.stderr and "shopify_orders" in result.stderr and "generic_orders_zh" in result.stderr


def test_preset_flag_that_does_not_fit_names_the_missing_column(run_cli, data_dir):
    result = run_cli("inspect", "--preset", "shopify_orders", data_dir / "generic" / "ids.csv")
    assert result.exit_code == 2
    assert "shopify_orders" in result.stderr and "needs a column for" in result.stderr
    assert "[columns]" in result.stderr


def _german_orders(tmp_path) -> Path:
    path = tmp_path / "rechnungen.csv"
    path.write_text('Rechnung,Datum,Kunde,Betrag,Status\nR1,2026-01-02,K1,"1.234,50",bezahlt\n'
                    'R2,2026-01-03,K2,"99,00",storniert\n', encoding="utf-8")
    return path


def test_columns_table_in_tiercli_toml_maps_unknown_headers(run_cli, tmp_path):
    path = _german_orders(tmp_path)
    assert run_cli("inspect", path).exit_code == 2  # nothing fits without the mapping
    config = tmp_path / "conf" / "tiercli.toml"
    config.parent.mkdir()
    config.write_text('[columns]\norder_id = "Rechnung"\ndate = "Datum"\ncustomer_id = "Kunde"\namount = "Betrag"\n'
                      'status = "Status"\n\n[status]\npaid = ["bezahlt"]\ncancelled = ["storniert"]\n',
                      encoding="utf-8")
    result = run_cli("inspect", "--format", "json", "--config", config, path)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    f = report["files"][0]
    # a generic preset, not a platform whose layout the file does not have
    assert f["preset"] == "generic_orders_en"
    assert f["mapping"] == {"order_id": "Rechnung", "date": "Datum", "customer_id": "Kunde", "amount": "Betrag",
                            "status": "Status"}
    assert ("cancelled", 1) in [(p["code"], p["rows"]) for p in f["problems"]]
    assert report["dataset"]["orders"] == 1


def test_columns_table_overrides_a_detected_mapping(run_cli, tmp_path, data_dir):
    config = tmp_path / "tiercli.toml"
    config.write_text('[columns.orders]\ncountry = "Shipping Country"\n', encoding="utf-8")
    result = run_cli("inspect", "--format", "json", "--config", config, data_dir / "platform" / "shopify_orders.csv")
    assert result.exit_code == 0, result.stderr
    f = json.loads(result.stdout)["files"][0]
    assert f["preset"] == "shopify_orders"
    assert f["mapping"]["country"] == "Shipping Country"


def test_a_user_preset_folder_adds_a_layout(tmp_path):
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "kasse.toml").write_text(
        'name = "kasse"\ntitle = "Kassenexport"\nkind = "orders"\nsignature = ["Belegnummer"]\n\n[columns]\n'
        'order_id = ["Belegnummer"]\ndate = ["Belegdatum"]\ncustomer_id = ["Kundennummer"]\namount = ["Umsatz"]\n',
        encoding="utf-8")
    assert detect(["Belegnummer", "Belegdatum", "Kundennummer", "Umsatz"], load_presets([presets])).preset.name == "kasse"
    (presets / "broken.toml").write_text('name = "broken"\nkind = "invoices"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown kind"):
        load_presets([presets])


def test_unknown_layout_lists_the_headers_and_the_closest_preset(data_dir):
    with pytest.raises(InputError) as err:
        detect(["订单号", "买家ID", "商品名称", "数量", "实付金额", "订单状态"], PRESETS, label="no_date.csv")
    msg = str(err.value)
    assert "订单号, 买家ID" in msg
    assert "closest is generic_orders_zh" in msg and "lacks date" in msg
    assert "--preset" in msg and "[columns]" in msg
