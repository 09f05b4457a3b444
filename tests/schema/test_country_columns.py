"""Country columns: every header exports use for the country maps to `country`; every output reads it one way."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tiercli.config import load_config
from tiercli.schema.dataset import load_dataset
from tiercli.schema.presets import load_presets, match_preset

HEADERS = ["国家二字码", "国家/地区", "国家（地区）", "收货国家", "Ship Country", "country code", "Country Code"]


@pytest.mark.parametrize("preset", ["generic_orders_zh", "customers", "inquiries"])
@pytest.mark.parametrize("header", HEADERS)
def test_country_headers_map_to_country(preset, header):
    m = match_preset(load_presets()[preset], ["买家ID", "buyer id", header])
    assert m.mapping.get("country") == header


@pytest.mark.parametrize("header", ["Ship Country", "country code", "Country", "Shipping Country", "Country/Region"])
def test_english_order_exports_map_their_country_column(header):
    m = match_preset(load_presets()["generic_orders_en"], ["Order ID", "Customer ID", header])
    assert m.mapping.get("country") == header


ROWS = [("8001", "2026-03-02", "b1", "IE", "120.00"), ("8002", "2026-03-05", "b2", "GB", "80.00"),
        ("8003", "2026-03-09", "b3", "ZA", "60.00"), ("8004", "2026-04-01", "b1", "IE", "40.00")]


def _erp_export(tmp_path):
    """A Chinese ERP-style export whose only country column is the two-letter code."""
    header = ["订单号", "下单时间", "买家ID", "国家二字码", "实付金额", "订单状态"]
    lines = [",".join(header)] + [",".join([*r, "已完成"]) for r in ROWS]
    path = tmp_path / "erp.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_an_erp_export_with_two_letter_codes_names_countries_in_the_output_language(tmp_path, run_cli):
    path = _erp_export(tmp_path)
    ds = load_dataset([path], load_config())
    assert ds.files[0].mapping["country"] == "国家二字码"
    # CSV keeps the cell as exported and adds the ISO code
    out = tmp_path / "out.csv"
    run_cli("score", str(path), "-o", str(out), "--segmenters", "rfm", "-q")
    text = out.read_text(encoding="utf-8-sig").splitlines()
    head = text[0].split(",")
    assert head[3:5] == ["country", "country_code"]
    assert {tuple(r.split(",")[3:5]) for r in text[1:]} == {("IE", "IE"), ("GB", "GB"), ("ZA", "ZA")}
    # the workbook names the country in the output language
    for lang, names in (("en", {"Ireland", "United Kingdom", "South Africa"}), ("zh", {"爱尔兰", "英国", "南非"})):
        book = tmp_path / f"out.{lang}.xlsx"
        run_cli("score", str(path), "-o", str(book), "--segmenters", "rfm", "-q", "--lang", lang)
        ws = openpyxl.load_workbook(book, read_only=True)["客户" if lang == "zh" else "Customers"]
        rows = list(ws.iter_rows(values_only=True))
        col = rows[0].index("国家" if lang == "zh" else "Country")
        assert {r[col] for r in rows[1:] if r[col]} == names


def test_the_market_calendar_names_countries_in_the_output_language(tmp_path, run_cli):
    path = _erp_export(tmp_path)
    env = ["--lang", "zh"]
    result = run_cli("markets", str(path), "--format", "json", *env)
    months = json.loads(result.stdout)["months"]
    march = months[2]["leads"]
    # three customers, one each: no country has the two customers a market needs by default
    assert march == []
    cfg = tmp_path / "tiercli.toml"
    cfg.write_text("[markets]\nmin_customers = 1\n", encoding="utf-8")
    result = run_cli("markets", str(path), "--format", "json", "--config", str(cfg), *env)
    march = json.loads(result.stdout)["months"][2]["leads"]
    assert [(x["country"], x["country_name"]) for x in march] == [("IE", "爱尔兰"), ("GB", "英国"), ("ZA", "南非")]
