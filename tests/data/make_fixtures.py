#!/usr/bin/env python3
"""Write the small fixture files under tests/data/ (run it again after changing a fixture).

    python tests/data/make_fixtures.py [--headers /work/shared/data/platform-headers]

Everything is made up: people and companies are invented, e-mail addresses use only the
reserved example.com / example.net / example.org domains.  The platform fixtures take the
EXACT header rows of real exports from ``platform-headers/`` (see /work/shared/data/README.md)
and add a few generated data rows; tests/schema/test_presets.py checks that the headers
in the fixtures still equal the real ones.  The output is byte-identical on every run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
HEADERS = HERE.parents[1].parent / "shared" / "data" / "platform-headers"
CREATED = dt.datetime(2026, 1, 1, 8, 0, 0)  # fixed, so workbooks are byte-identical

# which real header file each platform fixture is built from
PLATFORM_FILES = {
    "shopify_orders.csv": "shopify_orders_export.header.csv",
    "shopify_orders_2022.csv": "shopify_orders_export_2022.header.csv",
    "shopify_customers.csv": "shopify_customers_export.header.csv",
    "amazon_fulfillment.txt": "amazon_order_fulfillment_legacy.header.tsv",
    "amazon_all_orders.txt": "amazon_all_orders.header.tsv",
    "woocommerce_orders.csv": "woocommerce_order_export.header.csv",
}


def read_header(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig").splitlines()[0]
    delim = "\t" if path.suffix == ".tsv" else ","
    return next(csv.reader([text], delimiter=delim))


def write_rows(path: Path, header: list[str], rows: list[dict | list], *, encoding: str = "utf-8",
               delimiter: str = ",") -> None:
    """Write a header and rows (dicts by header name, missing = empty; or lists) as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        if isinstance(r, dict):
            unknown = set(r) - set(header)
            assert not unknown, f"{path.name}: not in the header: {unknown}"
            w.writerow([r.get(h, "") for h in header])
        else:
            w.writerow(r)
    path.write_bytes(buf.getvalue().encode(encoding))


# ---------------------------------------------------------------- platform exports

def shopify_orders(header: list[str]) -> list[dict]:
    """Five orders; only the first line of an order carries the order-level fields (as Shopify exports)."""
    rows = [
        # #1001: two lines, paid; the e-mail has spaces and capitals (keys are trimmed, lower-cased)
        {"Name": "#1001", "Email": "  Ana.Silva@Example.com ", "Financial Status": "paid",
         "Paid at": "2026-03-01 10:05:00 -0500", "Fulfillment Status": "fulfilled", "Accepts Marketing": "yes",
         "Currency": "USD", "Subtotal": "150.00", "Shipping": "0.00", "Taxes": "12.00", "Total": "162.00",
         "Created at": "2026-03-01 10:00:00 -0500", "Lineitem quantity": "2", "Lineitem name": "Walnut Board - Large",
         "Lineitem price": "50.00", "Lineitem sku": "WB-L", "Billing Name": "Ana Silva",
         "Billing Country": "US", "Shipping Country": "US", "Vendor": "Hearth & Loom", "Id": "5609399963054",
         "Source": "web"},
        {"Name": "#1001", "Lineitem quantity": "1", "Lineitem name": "Walnut Board - Small",
         "Lineitem price": "50.00", "Lineitem sku": "WB-S", "Vendor": "Hearth & Loom"},
        # #1002: one line, refunded in full
        {"Name": "#1002", "Email": "ben.okafor@example.net", "Financial Status": "refunded",
         "Paid at": "2026-03-05 09:00:00 -0500", "Fulfillment Status": "fulfilled", "Accepts Marketing": "no",
         "Currency": "USD", "Subtotal": "80.00", "Total": "80.00", "Created at": "2026-03-05 08:59:00 -0500",
         "Lineitem quantity": "1", "Lineitem name": "Linen Apron", "Lineitem price": "80.00",
         "Lineitem sku": "LA-1", "Billing Name": "Ben Okafor", "Billing Country": "CA",
         "Refunded Amount": "80.00", "Vendor": "Hearth & Loom", "Id": "5609399963055"},
        # #1003: three lines, voided and cancelled
        {"Name": "#1003", "Email": "chloe.martin@example.org", "Financial Status": "voided",
         "Fulfillment Status": "unfulfilled", "Accepts Marketing": "yes", "Currency": "USD", "Subtotal": "90.00",
         "Total": "90.00", "Created at": "2026-03-06 12:00:00 -0500", "Lineitem quantity": "1",
         "Lineitem name": "Tea Towel", "Lineitem price": "30.00", "Lineitem sku": "TT-1",
         "Billing Name": "Chloe Martin", "Billing Country": "FR", "Cancelled at": "2026-03-07 12:00:00 -0500",
         "Vendor": "Hearth & Loom", "Id": "5609399963056"},
        {"Name": "#1003", "Lineitem quantity": "1", "Lineitem name": "Tea Towel Blue", "Lineitem price": "30.00",
         "Lineitem sku": "TT-2"},
        {"Name": "#1003", "Lineitem quantity": "1", "Lineitem name": "Tea Towel Red", "Lineitem price": "30.00",
         "Lineitem sku": "TT-3"},
        # #1004: pending, same customer as #1001 written another way
        {"Name": "#1004", "Email": "ana.silva@example.com", "Financial Status": "pending",
         "Fulfillment Status": "unfulfilled", "Accepts Marketing": "yes", "Currency": "USD", "Subtotal": "40.00",
         "Total": "40.00", "Created at": "2026-03-20 15:00:00 -0500", "Lineitem quantity": "1",
         "Lineitem name": "Coaster Set", "Lineitem price": "40.00", "Lineitem sku": "CS-4",
         "Billing Name": "Ana Silva", "Billing Country": "US", "Id": "5609399963057"},
        # #1005: partially refunded; created late in the evening at -05:00, i.e. the next day in UTC
        {"Name": "#1005", "Email": "ANA.SILVA@EXAMPLE.COM", "Financial Status": "partially_refunded",
         "Paid at": "2026-04-02 23:31:00 -0500", "Fulfillment Status": "fulfilled", "Accepts Marketing": "yes",
         "Currency": "USD", "Subtotal": "120.00", "Total": "120.00", "Created at": "2026-04-02 23:30:00 -0500",
         "Lineitem quantity": "1", "Lineitem name": "Walnut Board - Large", "Lineitem price": "100.00",
         "Lineitem sku": "WB-L", "Billing Name": "Ana Silva", "Billing Country": "US",
         "Refunded Amount": "10.00", "Id": "5609399963058"},
        {"Name": "#1005", "Lineitem quantity": "1", "Lineitem name": "Coaster Set", "Lineitem price": "20.00",
         "Lineitem sku": "CS-4"},
    ]
    return [{k: v for k, v in r.items() if k in header} for r in rows]


def shopify_customers(header: list[str]) -> list[dict]:
    return [
        {"First Name": "Ana", "Last Name": "Silva", "Email": "Ana.Silva@Example.com", "Accepts Email Marketing": "yes",
         "Country": "United States", "Country Code": "US", "Accepts SMS Marketing": "no", "Total Spent": "270.00",
         "Total Orders": "3", "Tax Exempt": "no"},
        {"First Name": "Ben", "Last Name": "Okafor", "Email": "ben.okafor@example.net", "Accepts Email Marketing": "no",
         "Country": "Canada", "Country Code": "CA", "Accepts SMS Marketing": "no", "Total Spent": "0.00",
         "Total Orders": "1", "Tags": "wholesale", "Tax Exempt": "no"},
        {"First Name": "Chloe", "Last Name": "Martin", "Email": "chloe.martin@example.org",
         "Accepts Email Marketing": "yes", "Company": "Maison Martin", "Country": "France", "Country Code": "FR",
         "Accepts SMS Marketing": "yes", "Total Spent": "0.00", "Total Orders": "1", "Tax Exempt": "no"},
    ]


def amazon_fulfillment() -> list[dict]:
    base = {"currency": "USD", "ship-service-level": "Standard", "ship-country": "US", "item-tax": "0.00",
            "shipping-price": "0.00", "shipping-tax": "0.00"}
    return [
        {**base, "order-id": "111-0000001-0000001", "order-item-id": "10000000000001",
         "purchase-date": "2026-03-01T08:00:00+00:00", "payments-date": "2026-03-01T08:05:00+00:00",
         "buyer-email": "k3j5q7w9x1@marketplace.example.com", "buyer-name": "Dana Reyes", "sku": "WB-L",
         "product-name": "Walnut Board Large", "quantity-purchased": "2", "item-price": "99.98",
         "recipient-name": "Dana Reyes", "ship-city": "Austin", "ship-state": "TX"},
        {**base, "order-id": "111-0000001-0000001", "order-item-id": "10000000000002",
         "purchase-date": "2026-03-01T08:00:00+00:00", "payments-date": "2026-03-01T08:05:00+00:00",
         "buyer-email": "k3j5q7w9x1@marketplace.example.com", "buyer-name": "Dana Reyes", "sku": "CS-4",
         "product-name": "Coaster Set", "quantity-purchased": "1", "item-price": "19.99",
         "recipient-name": "Dana Reyes", "ship-city": "Austin", "ship-state": "TX"},
        {**base, "order-id": "111-0000002-0000002", "order-item-id": "10000000000003",
         "purchase-date": "2026-03-15T20:30:00+00:00", "payments-date": "2026-03-15T20:31:00+00:00",
         "buyer-email": "k3j5q7w9x1@marketplace.example.com", "buyer-name": "Dana Reyes", "sku": "LA-1",
         "product-name": "Linen Apron", "quantity-purchased": "1", "item-price": "39.99",
         "recipient-name": "Dana Reyes", "ship-city": "Austin", "ship-state": "TX"},
        {**base, "order-id": "112-0000003-0000003", "order-item-id": "10000000000004",
         "purchase-date": "2026-03-20T11:00:00+00:00", "payments-date": "2026-03-20T11:02:00+00:00",
         "buyer-email": "p8m2n4b6v0@marketplace.example.com", "buyer-name": "Eli Novak", "sku": "TT-1",
         "product-name": "Tea Towel", "quantity-purchased": "3", "item-price": "44.97",
         "recipient-name": "Eli Novak", "ship-city": "Denver", "ship-state": "CO"},
    ]


def amazon_all_orders() -> list[dict]:
    base = {"fulfillment-channel": "Amazon", "sales-channel": "Amazon.com", "ship-service-level": "Expedited",
            "item-status": "Shipped", "currency": "USD", "ship-country": "US", "is-business-order": "false"}
    return [
        {**base, "amazon-order-id": "113-0000004-0000004", "purchase-date": "2026-03-02T10:00:00+00:00",
         "last-updated-date": "2026-03-03T10:00:00+00:00", "order-status": "Shipped", "product-name": "Tea Towel",
         "sku": "TT-1", "asin": "B000000001", "quantity": "1", "item-price": "14.99", "ship-city": "Boise"},
        {**base, "amazon-order-id": "113-0000005-0000005", "purchase-date": "2026-03-04T10:00:00+00:00",
         "last-updated-date": "2026-03-04T12:00:00+00:00", "order-status": "Cancelled",
         "product-name": "Coaster Set", "sku": "CS-4", "asin": "B000000002", "quantity": "1",
         "item-price": "19.99", "ship-city": "Reno"},
    ]


def woocommerce_orders() -> list[dict]:
    def order(num, status, date, first, last, email, country, lines, refund="0.00"):
        out = []
        for i, (sku, name, qty, cost) in enumerate(lines, 1):
            row = {"Order Number": num, "Item #": str(i), "SKU": sku, "Name": name, "Quantity": str(qty),
                   "Quantity (- Refund)": str(qty), "Item Cost": f"{cost:.2f}",
                   "Order Line Total": f"{qty * cost:.2f}"}
            if i == 1:  # order-level fields on the first line only
                row.update({"Order Status": status, "Order Date": date, "First Name (Billing)": first,
                            "Last Name (Billing)": last, "Email (Billing)": email,
                            "Country Code (Billing)": country, "Order Refund Amount": refund,
                            "Order Total Amount": f"{sum(q * c for _, _, q, c in lines):.2f}"})
            out.append(row)
        return out

    return [
        *order("2101", "completed", "2026-03-10 14:22", "Farah", "Haddad", "farah.haddad@example.com", "AE",
               [("MUG-1", "Stoneware Mug", 2, 18.0), ("MUG-2", "Stoneware Jug", 1, 32.0)]),
        *order("2102", "processing", "2026-03-11 09:00", "Gus", "Lindqvist", "gus@example.net", "SE",
               [("MUG-1", "Stoneware Mug", 4, 18.0)]),
        *order("2103", "refunded", "2026-03-12 17:45", "Farah", "Haddad", "farah.haddad@example.com", "AE",
               [("JUG-1", "Big Jug", 1, 55.0)], refund="55.00"),
        *order("2104", "cancelled", "2026-03-13 08:10", "Hana", "Sato", "hana.sato@example.org", "JP",
               [("MUG-2", "Stoneware Jug", 1, 32.0)]),
        *order("2105", "on-hold", "2026-03-14 12:00", "Gus", "Lindqvist", "gus@example.net", "SE",
               [("MUG-3", "Espresso Cup", 6, 9.5)]),
    ]


# ---------------------------------------------------------------- Chinese sellers' platform and ERP exports

# The real header rows of these exports live beside the tests, in tests/data/platform-headers/ (SOURCES.md
# there names the public code each row was taken from); the rows below are made up.
CN_HEADERS = HERE / "platform-headers"
CN_PLATFORM_FILES = {
    "aliexpress_orders.xlsx": "aliexpress_order_export.header.csv",
    "dianxiaomi_orders.csv": "dianxiaomi_order_export.header.csv",
}


def read_header_record(path: Path) -> list[str]:
    """The first CSV record of a header file (a header cell may hold a line break, as AliExpress's does)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def aliexpress_orders(header: list[str]) -> list[list]:
    """速卖通 订单批量导出: one row per order; 产品信息 packs the order's products into one multi-line cell;
    amounts as "$12.34", times as "yyyy.MM.dd HH:mm" (as the public importers of the export read them)."""
    product = header[10]  # 产品信息\n（双击单元格展开所有产品信息！）

    def item(n, title, colour, sku, qty):
        return f"【{n}】{title}\n(产品属性: Color:{colour})\n(商家编码:{sku})\n(产品数量:{qty} piece)"

    def order(num, status, buyer, placed, paid, goods, shipping, items, country, city, address, note=""):
        row = {"订单号": num, "订单状态": status, "负责人(业务员)": "cn_sales_01", "买家名称": buyer,
               "下单时间": placed, "付款时间": paid, "产品总金额": f"${goods:.2f}", "物流费用": f"${shipping:.2f}",
               "订单金额": f"${goods + shipping:.2f}", "满立减": "$0.00", product: "\n".join(items),
               "订单备注": note, "收货地址": f"{address}, {city}, {country}", "收货人名称": buyer, "收货国家": country,
               "州/省": "", "城市": city, "地址": address, "邮编": "00-001", "联系电话": "+00 000 000 000",
               "手机": "+00 000 000 001", "买家选择物流": "AliExpress Standard Shipping", "发货期限": "2026-04-30"}
        if status in ("订单结束", "等待买家收货", "部分发货", "含纠纷的订单"):
            row.update({"实际发货物流:运单号": "CAINIAO:LP00000000000001", "发货时间": "2026-04-01"})
        if status == "订单结束":
            row["确认收货时间"] = "2026-04-20"
        return [row.get(h, "") for h in header]

    runner = ("Linen Table Runner", "Beige", "LTR-BG")
    napkins = ("Cotton Napkins Set of 4", "Grey", "NAP-4")
    return [
        # Olek Varnay: two finished orders and one under dispute (paid all the same)
        order("8100000000000001", "订单结束", "Olek Varnay", "2026.01.05 10:11", "2026.01.05 10:15", 24.0, 3.5,
              [item(1, *runner, 2)], "Poland", "Gdansk", "ul. Przykladowa 1"),
        order("8100000000000002", "订单结束", "Olek Varnay", "2026.03.02 18:40", "2026.03.02 18:41", 45.0, 0.0,
              [item(1, *runner, 2), item(2, *napkins, 3)], "Poland", "Gdansk", "ul. Przykladowa 1"),
        order("8100000000000008", "含纠纷的订单", "Olek Varnay", "2026.03.31 07:05", "2026.03.31 07:06", 15.0, 0.0,
              [item(1, *napkins, 1)], "Poland", "Gdansk", "ul. Przykladowa 1", note="colour differs"),
        # Marisol Quenta: one waiting to be shipped, one the buyer asked to cancel
        order("8100000000000003", "等待您发货", "Marisol Quenta", "2026.03.20 12:00", "2026.03.20 12:02", 18.0, 2.0,
              [item(1, *napkins, 1)], "Spain", "Valencia", "Calle Ejemplo 5"),
        order("8100000000000006", "买家申请取消", "Marisol Quenta", "2026.03.29 21:30", "2026.03.29 21:31", 12.0,
              2.0, [item(1, *runner, 1)], "Spain", "Valencia", "Calle Ejemplo 5"),
        # Jonah Tell: one on its way, one never paid
        order("8100000000000004", "等待买家收货", "Jonah Tell", "2026.03.25 03:15", "2026.03.25 03:20", 60.0, 5.0,
              [item(1, *runner, 5)], "United States", "Denver", "1 Sample Ave"),
        order("8100000000000005", "等待买家付款", "Jonah Tell", "2026.03.28 04:00", "", 24.0, 0.0,
              [item(1, *runner, 2)], "United States", "Denver", "1 Sample Ave"),
        # Aiko Brandt: part of the order shipped
        order("8100000000000007", "部分发货", "Aiko Brandt", "2026.03.30 09:45", "2026.03.30 09:46", 30.0, 0.0,
              [item(1, *napkins, 2)], "Germany", "Bremen", "Musterweg 7"),
    ]


def dianxiaomi_orders() -> list[dict]:
    """店小秘 订单导出: one row per product line, the order's fields on each line; made-up values."""
    buyers = {
        "olek": {"买家账号": "pl1180044aqbx", "买家姓名": "Olek Varnay", "买家Email": "",
                 "收货人姓名": "Olek Varnay", "收货人国家": "Poland", "中文国家名": "波兰", "国家二字码": "PL",
                 "收货人城市": "Gdansk", "详细地址": "ul. Przykladowa 1", "地址1": "ul. Przykladowa 1"},
        "aiko": {"买家账号": "de2290013kkrt", "买家姓名": "Aiko Brandt", "买家Email": "a.brandt@example.net",
                 "收货人姓名": "Aiko Brandt", "收货人国家": "Germany", "中文国家名": "德国", "国家二字码": "DE",
                 "收货人城市": "Bremen", "详细地址": "Musterweg 7", "地址1": "Musterweg 7"},
        "jonah": {"买家账号": "us5502871mmqz", "买家姓名": "Jonah Tell", "买家Email": "jonah.tell@example.com",
                  "收货人姓名": "Jonah Tell", "收货人国家": "United States", "中文国家名": "美国",
                  "国家二字码": "US", "收货人城市": "Denver", "详细地址": "1 Sample Ave", "地址1": "1 Sample Ave"},
    }
    products = {"LTR-BG": ("Linen Table Runner", "亚麻桌旗 米色", "18.50", "1005000000000101"),
                "NAP-4": ("Cotton Napkins Set of 4", "棉质餐巾 4条装", "9.80", "1005000000000102"),
                "TCL-W": ("Waffle Tablecloth", "华夫格桌布 白色", "26.00", "1005000000000103")}

    def order(pkg, num, status, who, placed, paid, lines, shipping="0.00", refund="0.00"):
        total = sum(qty * price for _, qty, price in lines) + float(shipping)
        out = []
        for sku, qty, price in lines:
            name, name_cn, cost, product_id = products[sku]
            out.append({"包裹号": pkg, "订单号": num, "交易号": num, "订单状态": status, "平台渠道": "aliexpress",
                        "店铺账号": "demo-store-01", "下单时间": placed, "付款时间": paid, "付款方式": "",
                        "币种缩写": "USD", "订单金额": f"{total:.2f}", "买家支付运费": shipping, "退款金额": refund,
                        "SKU": sku, "产品ID": product_id, "产品名称": name,
                        "产品售价": f"{price:.2f}", "产品数量": str(qty), "多品名": name, "商品SKU": sku,
                        "商品编码": sku, "商品名称": name_cn, "商品采购价": cost, "发货仓库": "默认仓库",
                        "收货人电话": "+00 000 000 000", "邮编": "00000", "物流方式": "燕文专线",
                        **buyers[who]})
        return out

    return [
        *order("XM7K2A01", "3021000000000001", "已发货", "olek", "2026-02-03 09:12:44", "2026-02-03 09:15:02",
               [("LTR-BG", 2, 12.0), ("NAP-4", 1, 14.0)], shipping="3.50"),
        *order("XM7K2A02", "3021000000000002", "已付款", "aiko", "2026-02-20 16:20:00", "2026-02-20 16:21:30",
               [("TCL-W", 1, 30.0)]),
        *order("XM7K2A03", "3021000000000003", "待审核", "olek", "2026-03-05 08:00:10", "2026-03-05 08:01:00",
               [("NAP-4", 1, 14.0), ("LTR-BG", 1, 12.0)]),
        *order("XM7K2A04", "3021000000000004", "已退款", "jonah", "2026-03-10 22:45:00", "2026-03-10 22:46:00",
               [("LTR-BG", 1, 22.0)], refund="22.00"),
        *order("XM7K2A05", "3021000000000005", "已审核", "jonah", "2026-03-18 13:30:00", "2026-03-18 13:31:00",
               [("TCL-W", 1, 30.0), ("NAP-4", 1, 25.0)]),
        *order("XM7K2A06", "3021000000000006", "待付款", "aiko", "2026-03-25 10:00:00", "",
               [("NAP-4", 1, 19.0)]),
        *order("XM7K2A07", "3021000000000007", "运输中", "olek", "2026-03-28 19:05:00", "2026-03-28 19:06:00",
               [("TCL-W", 1, 28.0)]),
    ]


# ---------------------------------------------------------------- generic exports

UCI_HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
UCI_ROWS = [
    ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "2010-12-01 08:26:00", "2.55", "17850", "United Kingdom"],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "2010-12-01 08:26:00", "3.39", "17850", "United Kingdom"],
    ["536366", "22633", "HAND WARMER UNION JACK", "6", "2010-12-01 08:28:00", "1.85", "17850", "United Kingdom"],
    ["536367", "84879", "ASSORTED COLOUR BIRD ORNAMENT", "32", "2010-12-01 08:34:00", "1.69", "13047", "United Kingdom"],
    # an exact repeated line (the real file has 5,268 of them)
    ["536367", "84879", "ASSORTED COLOUR BIRD ORNAMENT", "32", "2010-12-01 08:34:00", "1.69", "13047", "United Kingdom"],
    ["536370", "22728", "ALARM CLOCK BAKELIKE PINK", "24", "2010-12-01 08:45:00", "3.75", "12583", "France"],
    # a cancellation: C-invoice, negative quantity
    ["C536379", "D", "Discount", "-1", "2010-12-01 09:41:00", "27.50", "14527", "United Kingdom"],
    ["C536383", "35004C", "SET OF 3 COLOURED  FLYING DUCKS", "-1", "2010-12-01 09:49:00", "4.65", "13047", "United Kingdom"],
    # no customer id
    ["536414", "22139", "", "56", "2010-12-01 11:52:00", "0", "", "United Kingdom"],
    ["536544", "21773", "DECORATIVE ROSE BATHROOM BOTTLE", "1", "2010-12-01 14:32:00", "2.51", "", "United Kingdom"],
    ["536596", "21624", "VINTAGE UNION JACK DOORSTOP", "1", "2010-12-01 14:39:00", "5.95", "12583", "France"],
]

ZH_HEADER = ["订单号", "下单时间", "付款时间", "买家ID", "买家名称", "买家邮箱", "收货国家", "商品名称", "数量", "单价",
             "实付金额", "币种", "订单状态", "订单类型"]
ZH_ROWS = [
    ["8801", "2026-02-01 10:00:00", "2026-02-01 10:05:00", "00871", "Kumar Textiles", "buy@kumar.example.com", "印度",
     "刺绣桌布", "100", "3.50", "350.00", "USD", "交易完成", "普通订单"],
    ["8802", "2026-02-03 11:00:00", "", "00871", "Kumar Textiles", "buy@kumar.example.com", "印度",
     "刺绣靠垫", "5", "4.00", "20.00", "USD", "等待买家付款", "普通订单"],
    ["8803", "2026-02-04 12:00:00", "2026-02-04 12:01:00", "01020", "Nordic Home AB", "inköp@nordic.example.com",
     "瑞典", "刺绣桌布", "2", "3.50", "7.00", "USD", "交易完成", "样品订单"],
    ["8804", "2026-02-05 09:30:00", "2026-02-05 09:31:00", "01020", "Nordic Home AB", "inköp@nordic.example.com",
     "瑞典", "刺绣靠垫", "50", "4.00", "200.00", "USD", "已退款", "普通订单"],
    ["8805", "2026-02-06 16:00:00", "", "02231", "Lima Bazar SAC", "", "秘鲁", "刺绣围巾", "20", "6.00", "120.00",
     "USD", "交易关闭", "普通订单"],
    ["8806", "2026-02-07 08:00:00", "2026-02-07 08:10:00", "", "", "", "美国", "刺绣围巾", "10", "6.00", "60.00",
     "USD", "交易完成", "普通订单"],
]

# the same orders written with the other Chinese aliases the issue lists
ZH_ALT_HEADER = ["订单编号", "创建时间", "买家", "客户名称", "邮箱", "国家", "数量", "单价", "订单金额", "订单状态", "样单"]
ZH_ALT_ROWS = [
    ["9901", "2026年2月1日 10:00", "00871", "Kumar Textiles", "buy@kumar.example.com", "印度", "100", "3.50", "350.00",
     "已完成", "否"],
    ["9902", "2026年2月4日 12:00", "01020", "Nordic Home AB", "", "瑞典", "2", "3.50", "7.00", "已完成", "是"],
    ["9903", "2026年2月5日 09:30", "01020", "Nordic Home AB", "", "瑞典", "50", "4.00", "200.00", "已取消", "否"],
]

IDS_HEADER = ["Order ID", "Order Date", "Customer ID", "Email", "Amount"]
IDS_ROWS = [
    ["5001", "2026-01-05", "12346", "", "10.00"],
    ["5002", "2026-01-06", "00123", "", "20.00"],
    ["5003", "2026-01-07", "", "  Mixed.Case@Example.COM ", "30.00"],
    ["5004", "2026-01-08", "", "mixed.case@example.com", "40.00"],
    ["5005", "2026-01-09", "", "", "50.00"],
]

# one table of Chinese text, written in every encoding Chinese sellers' tools save
ZH_ENC_HEADER = ["订单编号", "下单时间", "买家ID", "买家名称", "国家", "商品名称", "数量", "单价", "订单状态"]
ZH_ENC_ROWS = [
    ["7001", "2026-01-10 09:00:00", "A001", "张伟贸易有限公司", "中国香港", "手工刺绣丝巾", "12", "8.50", "交易完成"],
    ["7002", "2026-01-11 10:30:00", "A002", "李娜服饰商行", "新加坡", "真丝刺绣靠垫套", "30", "5.20", "交易完成"],
    ["7003", "2026-01-12 14:15:00", "A001", "张伟贸易有限公司", "中国香港", "苏绣团扇礼盒装", "5", "22.00", "已取消"],
    ["7004", "2026-01-13 16:45:00", "A003", "王芳进出口公司", "马来西亚", "刺绣桌旗（长款）", "8", "15.00", "等待买家付款"],
    ["7005", "2026-01-14 11:20:00", "A004", "陈静家居用品店", "泰国", "手工刺绣餐垫四件套", "20", "6.80", "已退款"],
]
ZH_ENCODINGS = {"utf8": "utf-8", "utf8_bom": "utf-8-sig", "utf16": "utf-16", "gbk": "gbk", "gb18030": "gb18030"}

# one table of Western European text, written as Excel saves it in Europe (semicolons, decimal commas)
WEST_HEADER = ["Order ID", "Order Date", "Customer ID", "Customer Name", "Country", "Quantity", "Amount"]
WEST_ROWS = [
    ["RE-1001", "2026-02-01", "K-1007", "Zoë Lefèvre", "Frankreich", "29", "678,04 €"],
    ["RE-1002", "2026-02-02", "K-1011", "Jürgen Bäcker", "Deutschland", "30", "1.336,11 €"],
    ["RE-1003", "2026-02-03", "K-1015", "Renée Dubois", "Österreich", "40", "1.234,56 €"],
    ["RE-1004", "2026-02-04", "K-1023", "Günther Schön", "Österreich", "19", "(12,50) €"],
    ["RE-1005", "2026-02-05", "K-1007", "Zoë Lefèvre", "Frankreich", "3", "9,99 €"],
]
WEST_VARIANTS = {  # name: (encoding, delimiter)
    "utf8": ("utf-8", ";"), "utf8_bom": ("utf-8-sig", ";"), "utf16": ("utf-16", "\t"),
    "cp1252": ("cp1252", ";"), "pipe": ("utf-8", "|"),
}


# ---------------------------------------------------------------- other kinds

KIND_FILES = {
    "inquiries.csv": (["询盘编号", "询盘时间", "买家ID", "买家名称", "国家", "询盘产品", "采购数量", "是否报价", "是否寄样", "询盘状态"], [
        ["Q-001", "2026-01-03 09:00:00", "00871", "Kumar Textiles", "印度", "刺绣桌布", "500", "是", "否", "跟进中"],
        ["Q-002", "2026-01-04 10:00:00", "03310", "Atlas Trading", "摩洛哥", "刺绣靠垫", "200", "否", "否", "已流失"],
    ]),
    "events.csv": (["visitor id", "event time", "customer id", "event", "source"], [
        ["v-01", "2026-01-05 08:00:00", "", "page view", "google"],
        ["v-01", "2026-01-05 08:01:00", "", "add to cart", "google"],
        ["v-02", "2026-01-06 12:00:00", "00871", "review", "email"],
    ]),
    "customers.csv": (["买家ID", "买家名称", "邮箱", "国家", "客户类型", "是否接收营销邮件", "黑名单"], [
        ["00871", "Kumar Textiles", "buy@kumar.example.com", "印度", "批发商", "是", ""],
        ["03310", "Atlas Trading", "atlas@example.org", "摩洛哥", "零售商", "否", "是"],
    ]),
    "after_sales.csv": (["售后单号", "订单号", "买家ID", "创建时间", "售后状态", "问题类型"], [
        ["AS-01", "8804", "00871", "2026-02-10 10:00:00", "已解决", "质量问题"],
        ["AS-02", "8801", "", "2026-02-11 10:00:00", "处理中", "物流延误"],
    ]),
    "contact_log.csv": (["customer_id", "email", "sent_at", "purpose", "campaign"], [
        ["00871", "buy@kumar.example.com", "2026-02-15T09:00:00", "winback", "spring-2026"],
    ]),
}


# ---------------------------------------------------------------- workbooks

def write_workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    """Sheets of rows; ints and floats become numeric cells, datetimes date cells, text stays text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    wb.set_properties({"created": CREATED, "author": "tiercli tests"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(i, j, v, date_fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, v)
    wb.close()


MONTH_HEADER = ["Order ID", "Order Date", "Customer ID", "Email", "Quantity", "Unit Price", "Status"]


def monthly_sheets() -> dict[str, list[list]]:
    """A workbook of monthly sheets, as sellers keep them: numeric ids, real date cells, one empty sheet."""
    d = dt.datetime
    return {
        "2026-01": [MONTH_HEADER,
                    [6001, d(2026, 1, 3, 9, 0), 12346, "a@example.com", 2, 10.5, "paid"],
                    [6002, d(2026, 1, 20, 15, 30), "00123", "b@example.com", 1, 99.0, "paid"]],
        "2026-02": [MONTH_HEADER,
                    [6003, d(2026, 2, 2, 8, 0), 12346, "a@example.com", 3, 10.5, "cancelled"],
                    [6004, d(2026, 2, 14, 12, 0), 20001, "c@example.com", 10, 1.25, "paid"]],
        "Notes": [],
        "2026-03": [MONTH_HEADER,
                    [6005, d(2026, 3, 1, 10, 0), 20001, "c@example.com", 1, 1234.5, "refunded"]],
    }


def overlap_sheets() -> dict[str, list[list]]:
    """Two sheets saved from overlapping date ranges: order 6102 is on both."""
    d = dt.datetime
    return {
        "Jan": [MONTH_HEADER,
                [6101, d(2026, 1, 3), 30001, "x@example.com", 1, 10.0, "paid"],
                [6102, d(2026, 1, 31), 30002, "y@example.com", 2, 20.0, "paid"]],
        "Jan-Feb": [MONTH_HEADER,
                    [6102, d(2026, 1, 31), 30002, "y@example.com", 2, 20.0, "paid"],
                    [6103, d(2026, 2, 5), 30001, "x@example.com", 3, 30.0, "paid"]],
    }


# ---------------------------------------------------------------- bad inputs

def bad_files(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "empty.csv").write_bytes(b"")
    (dest / "blank.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n  \r\n")
    rng = random.Random(20260101)
    (dest / "garbage.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    write_rows(dest / "unknown_columns.csv", ["foo", "bar", "baz"], [["1", "alpha", "x"], ["2", "beta", "y"]])
    # a Chinese order export without any date column
    write_rows(dest / "no_date.csv", ["订单号", "买家ID", "商品名称", "数量", "实付金额", "订单状态"],
               [["8801", "00871", "刺绣桌布", "100", "350.00", "交易完成"]])
    # a workbook cut short (an interrupted download)
    write_workbook(dest / "_whole.xlsx", {"Orders": [MONTH_HEADER, [1, dt.datetime(2026, 1, 1), 1, "a@example.com", 1, 1.0, "paid"]]})
    whole = (dest / "_whole.xlsx").read_bytes()
    (dest / "_whole.xlsx").unlink()
    (dest / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    # what a platform sends instead of the export when the session has expired
    (dest / "login_page.xlsx").write_bytes(
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>\n")
    (dest / "report.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    # a legacy .xls (OLE2 compound file signature) whose body is damaged
    (dest / "damaged.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(1024)))


# ---------------------------------------------------------------- main

def build(dest: Path = HERE, headers: Path = HEADERS) -> None:
    """Write every fixture under ``dest`` (platform fixtures need the real header rows in ``headers``)."""
    plat = dest / "platform"
    real = {name: read_header(headers / src) for name, src in PLATFORM_FILES.items()}
    write_rows(plat / "shopify_orders.csv", real["shopify_orders.csv"], shopify_orders(real["shopify_orders.csv"]))
    write_rows(plat / "shopify_orders_2022.csv", real["shopify_orders_2022.csv"],
               shopify_orders(real["shopify_orders_2022.csv"]))
    write_rows(plat / "shopify_customers.csv", real["shopify_customers.csv"],
               shopify_customers(real["shopify_customers.csv"]))
    write_rows(plat / "amazon_fulfillment.txt", real["amazon_fulfillment.txt"], amazon_fulfillment(), delimiter="\t")
    write_rows(plat / "amazon_all_orders.txt", real["amazon_all_orders.txt"], amazon_all_orders(), delimiter="\t")
    write_rows(plat / "woocommerce_orders.csv", real["woocommerce_orders.csv"], woocommerce_orders())
    cn = {name: read_header_record(CN_HEADERS / src) for name, src in CN_PLATFORM_FILES.items()}
    write_workbook(plat / "aliexpress_orders.xlsx",
                   {"Sheet1": [cn["aliexpress_orders.xlsx"], *aliexpress_orders(cn["aliexpress_orders.xlsx"])]})
    write_rows(plat / "dianxiaomi_orders.csv", cn["dianxiaomi_orders.csv"], dianxiaomi_orders(), encoding="utf-8-sig")

    gen = dest / "generic"
    write_rows(gen / "uci_sample.csv", UCI_HEADER, UCI_ROWS)
    write_rows(gen / "zh_orders.csv", ZH_HEADER, ZH_ROWS)
    write_rows(gen / "zh_orders_alt.csv", ZH_ALT_HEADER, ZH_ALT_ROWS)
    write_rows(gen / "ids.csv", IDS_HEADER, IDS_ROWS)

    enc = dest / "encodings"
    for name, encoding in ZH_ENCODINGS.items():
        delim = "\t" if encoding == "utf-16" else ","
        write_rows(enc / f"zh_{name}.csv", ZH_ENC_HEADER, ZH_ENC_ROWS, encoding=encoding, delimiter=delim)
    for name, (encoding, delim) in WEST_VARIANTS.items():
        suffix = ".txt" if delim in "\t|" else ".csv"
        write_rows(enc / f"west_{name}{suffix}", WEST_HEADER, WEST_ROWS, encoding=encoding, delimiter=delim)

    kinds = dest / "kinds"
    for name, (header, rows) in KIND_FILES.items():
        write_rows(kinds / name, header, rows)

    wbs = dest / "workbooks"
    write_workbook(wbs / "monthly.xlsx", monthly_sheets())
    write_workbook(wbs / "overlap.xlsx", overlap_sheets())
    # the id fixture as a workbook: 12346 a numeric cell, 00123 a text cell
    write_workbook(wbs / "ids.xlsx", {"Sheet1": [IDS_HEADER] + [
        [int(r[0]), r[1], (int(r[2]) if r[2] and not r[2].startswith("0") else r[2] or None), r[3] or None,
         float(r[4])] for r in IDS_ROWS]})

    bad_files(dest / "bad")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--headers", type=Path, default=HEADERS, help="folder of real platform header rows")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    build(args.out, args.headers)


if __name__ == "__main__":
    main()
