#!/usr/bin/env python3
"""Generate realistic order exports at any size, in the UCI Online Retail layout.

    python benchmarks/generate.py                                   # 1M lines, ~6k customers, CSV
    python benchmarks/generate.py --format xlsx --out /tmp/b/orders.xlsx
    python benchmarks/generate.py --lines 10000000 --out /tmp/b/orders-10m.csv
    python benchmarks/generate.py --lines 1000000 --customers 100000 --out /tmp/b/wide.csv

Columns ``InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country``
(what ``generic_orders_en`` reads), shaped like UCI Online Retail II (1,067,371 lines, 5,942 customers,
43 countries, Dec 2009 - Dec 2011): orders of ~20 lines, heavy-tailed buyers, ~90% of customers in the
United Kingdom, C-prefixed credit notes with negative quantities (~2% of lines), ~20% of lines from guest
orders without a CustomerID, ~1% exact duplicate lines, a few descriptions with commas, stock codes
such as ``85123A`` and ``POST``.  Stock codes, descriptions, prices and how often each product sells come
from the real file's catalogue (``../shared/data/online_retail.csv.gz``, issue 15) when it is there, so
text lengths and repeats match a real export; else from a small made-up vocabulary.

``--format xlsx`` writes TWO sheets split by year (``Year 2009-2010``, ``Year 2010-2011``) with
XlsxWriter in constant_memory mode, typed like the real workbook: numeric invoice numbers, stock
codes and customer ids are number cells (12346 is stored as 12346.0), dates are date cells,
credit notes and lettered stock codes are text.  An empty CustomerID is an empty cell.

Deterministic: the same ``--seed`` and sizes give byte-identical files.  Vectorized with numpy: the
per-line work is fancy indexing of per-order and per-product arrays; only the final CSV/XLSX
writing touches every cell.  Needs numpy and pandas (and xlsxwriter for ``--format xlsx``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
START = np.datetime64("2009-12-01")
DAYS = 739  # to 2011-12-09, as UCI Online Retail II
FIRST_INVOICE = 489434
CREATED = dt.datetime(2024, 1, 1, 0, 0, 0)  # fixed workbook property, so xlsx output is byte-identical

COUNTRIES = [
    "United Kingdom", "EIRE", "Germany", "France", "Netherlands", "Spain", "Switzerland", "Belgium", "Portugal",
    "Australia", "Sweden", "Italy", "Channel Islands", "Norway", "Finland", "Denmark", "Austria", "Cyprus",
    "Japan", "Poland", "Greece", "Unspecified", "USA", "Israel", "Iceland", "Singapore", "Canada", "Malta",
    "United Arab Emirates", "Lithuania", "Hong Kong", "Czech Republic", "European Community", "Bahrain",
    "Brazil", "RSA", "Lebanon", "Saudi Arabia", "Korea", "Thailand", "Nigeria", "West Indies", "Bermuda",
]
assert len(COUNTRIES) == 43

_ADJ = ["WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "CREAM", "BLACK", "VINTAGE", "RETRO", "JUMBO",
        "SMALL", "LARGE", "REGENCY", "PANTRY", "HANGING", "GLASS", "METAL", "WOODEN", "PAPER", "SET OF 3",
        "SET OF 6", "PACK OF 12", "HEART", "STAR", "FLORAL", "SPOTTY", "STRIPED", "CHRISTMAS", "PARTY"]
_THING = ["HEART", "LANTERN", "T-LIGHT", "CUPID", "BUNTING", "TEACUP", "CAKE", "BAG", "BOTTLE", "CANDLE",
          "DOORMAT", "CLOCK", "MUG", "NAPKINS", "BOX", "TIN", "JAR", "FRAME", "SIGN", "BELL", "BOWL",
          "PURSE", "CUSHION", "BASKET", "GARLAND", "ORNAMENT", "CHALKBOARD", "LUNCH BOX", "PLATE", "SPOON"]
_KIND = ["HOLDER", "DECORATION", "COVER", "STAND", "CASES", "RACK", "HOOK", "WRAP", "SET", "STICKERS",
         "CARD", "MAGNET", "DESIGN", "KIT", "DISPLAY"]
_SPECIAL = [("POST", "POSTAGE", 18.0), ("M", "Manual", 2.5), ("DOT", "DOTCOM POSTAGE", 120.0),
            ("C2", "CARRIAGE", 50.0), ("BANK CHARGES", "Bank Charges", 15.0)]
_QTY = np.array([1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 25, 36, 48, 72, 96, 100, 144])
_QTY_P = np.array([14, 10, 6, 5, 9, 3, 4, 20, 3, 2, 8, 3, 2, 3, 1, 1, 1, 1], dtype=float)


REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "online_retail.csv.gz"


def _real_products(path: Path = REAL):
    """The real file's catalogue (issue 15): every stock code with its most frequent description, its median
    positive price and its share of the lines, so generated text (lengths, repeats, specials such as POST,
    M, BANK CHARGES) is distributed as in the real export.  None when the file is not there."""
    if not path.exists():
        return None
    import pandas as pd

    df = pd.read_csv(path, usecols=["StockCode", "Description", "UnitPrice"],
                     dtype={"StockCode": str, "Description": str}, keep_default_na=False, na_values=[""])
    df = df[df["Description"].notna() & (df["UnitPrice"] > 0)]
    g = df.groupby("StockCode", sort=True)
    desc = g["Description"].agg(lambda s: s.value_counts().index[0])
    price = g["UnitPrice"].median().round(2)
    pop = g.size().astype(float)
    codes = desc.index.to_numpy(dtype=object)
    return codes, desc.to_numpy(dtype=object), price.to_numpy(dtype=float), (pop / pop.sum()).to_numpy()


def _products(rng: np.random.Generator, n: int):
    """Stock codes, descriptions, prices and popularity of ``n`` products (plus a few specials); the real
    file's catalogue instead when it is available."""
    real = _real_products()
    if real is not None:
        return real
    numbers = rng.choice(np.arange(10002, 90000), n, replace=False)
    suffix = np.where(rng.random(n) < 0.3, rng.choice(list("ABCDEFGLPS"), n), "")
    codes = np.char.add(numbers.astype(str), suffix.astype(str)).astype(object)
    a, t, k = rng.integers(0, len(_ADJ), n), rng.integers(0, len(_THING), n), rng.integers(0, len(_KIND), n)
    desc = np.array([f"{_ADJ[i]} {_THING[j]} {_KIND[m]}" for i, j, m in zip(a, t, k)], dtype=object)
    comma = rng.random(n) < 0.03  # "SET OF 3 CAKE TINS, PANTRY DESIGN": quoted in the CSV
    desc[comma] = np.array([d + ", " + _ADJ[i] + " DESIGN" for d, i in zip(desc[comma], rng.integers(0, len(_ADJ), comma.sum()))],
                           dtype=object)
    price = np.round(np.exp(rng.normal(np.log(2.5), 0.8, n)), 2).clip(0.06, 650.0)
    pop = np.exp(rng.normal(0.0, 1.0, n))  # best sellers, without repeating inside orders
    codes = np.concatenate([codes, np.array([s[0] for s in _SPECIAL], dtype=object)])
    desc = np.concatenate([desc, np.array([s[1] for s in _SPECIAL], dtype=object)])
    price = np.concatenate([price, np.array([s[2] for s in _SPECIAL])])
    pop = np.concatenate([pop, np.full(len(_SPECIAL), pop.sum() * 0.002)])  # postage on ~1% of lines
    return codes, desc, price, pop / pop.sum()


def generate(lines: int = 1_000_000, customers: int = 6_000, seed: int = 2011) -> dict[str, np.ndarray]:
    """Columns of ``lines`` order lines, in invoice order (dates ascending), as numpy arrays."""
    rng = np.random.default_rng(seed)
    n_dup = int(round(lines * 0.01))
    n_cancel = int(round(lines * 0.02))
    n_normal = lines - n_dup - n_cancel
    span_min = DAYS * 24 * 60

    # customers: id, country, activity weight, active window (some arrive late, some leave early)
    ids = 12346 + np.sort(rng.choice(max(customers * 2, 10_000), customers, replace=False))
    cweights = np.array([0.0] + [1.0 / (i + 1) ** 1.1 for i in range(len(COUNTRIES) - 1)])
    cweights = cweights / cweights.sum() * 0.1
    cweights[0] = 0.9
    cust_country = rng.choice(len(COUNTRIES), customers, p=cweights)
    cust_country[: min(customers, len(COUNTRIES))] = np.arange(min(customers, len(COUNTRIES)))  # all 43 appear
    activity = np.exp(rng.normal(0.0, 1.3, customers))
    begin = np.where(rng.random(customers) < 0.35, 0.0, rng.uniform(0.0, 0.95, customers)) * span_min
    stay = rng.exponential(1.2 * span_min, customers)
    finish = np.minimum(begin + stay, span_min)
    finish = np.maximum(finish, begin + 1440)

    # orders: 80% of lines from known customers, 20% from guests; ~20 lines per order, fewer when
    # customers are many for the lines (every customer should still have orders)
    mean_lines = float(np.clip(lines * 0.8 / (customers * 4.5), 1.5, 21.0))
    est = int(n_normal / mean_lines * 1.1) + 16
    per_order = rng.geometric(1.0 / mean_lines, est)
    cum = np.cumsum(per_order)
    n_orders = int(np.searchsorted(cum, n_normal)) + 1
    if n_orders > est:  # vanishingly rare: top up
        extra = rng.geometric(1.0 / mean_lines, n_orders - est + 16)
        per_order = np.concatenate([per_order, extra])
        cum = np.cumsum(per_order)
        n_orders = int(np.searchsorted(cum, n_normal)) + 1
    per_order = per_order[:n_orders].copy()
    per_order[-1] -= int(cum[n_orders - 1] - n_normal)
    guest = rng.random(n_orders) < 0.2
    order_cust = np.full(n_orders, -1)
    known = ~guest
    # every customer buys at least once, the rest by activity
    first = rng.permutation(customers)[: min(customers, int(known.sum()))]
    k_idx = np.flatnonzero(known)
    order_cust[k_idx[: len(first)]] = first
    rest = k_idx[len(first):]
    order_cust[rest] = rng.choice(customers, len(rest), p=activity / activity.sum())
    u = rng.random(n_orders)
    at = np.where(guest, u * span_min,
                  begin[order_cust.clip(0)] + u * (finish[order_cust.clip(0)] - begin[order_cust.clip(0)]))
    order_country = np.where(guest, rng.choice(len(COUNTRIES), n_orders, p=cweights), cust_country[order_cust.clip(0)])

    # credit notes: a known customer's C-invoice with 1-3 negative lines, after that customer's order
    n_c_orders = int(n_cancel / 1.5 * 1.2) + 16 if n_cancel else 0
    c_lines = np.ones(n_c_orders, dtype=np.int64)
    if n_c_orders:
        c_lines += rng.integers(0, 2, n_c_orders)
        c_cum = np.cumsum(c_lines)
        n_c_orders = int(np.searchsorted(c_cum, n_cancel)) + 1
        c_lines = c_lines[:n_c_orders]
        c_lines[-1] -= int(c_cum[n_c_orders - 1] - n_cancel)
    src = rng.choice(k_idx, n_c_orders) if len(k_idx) else np.zeros(n_c_orders, dtype=np.int64)
    c_cust = order_cust[src]
    c_at = np.minimum(at[src] + rng.exponential(7 * 1440, n_c_orders), span_min - 1)
    c_country = order_country[src]

    # all invoices by time: invoice numbers rise with dates, as in the real export
    all_at = np.concatenate([at, c_at])
    all_cust = np.concatenate([order_cust, c_cust])
    all_country = np.concatenate([order_country, c_country])
    all_lines = np.concatenate([per_order, c_lines])
    is_credit = np.concatenate([np.zeros(n_orders, bool), np.ones(n_c_orders, bool)])
    # business hours: fold the minute of the day into 07:30-20:00
    minute_of_day = (all_at % 1440) * (750 / 1440) + 450
    all_at = (all_at // 1440) * 1440 + np.floor(minute_of_day)
    order = np.argsort(all_at, kind="stable")
    all_at, all_cust, all_country, all_lines, is_credit = (x[order] for x in (all_at, all_cust, all_country,
                                                                               all_lines, is_credit))
    keep = all_lines > 0
    all_at, all_cust, all_country, all_lines, is_credit = (x[keep] for x in (all_at, all_cust, all_country,
                                                                              all_lines, is_credit))
    n_inv = len(all_at)
    inv_no = (FIRST_INVOICE + np.arange(n_inv)).astype(str).astype(object)
    inv_no[is_credit] = np.char.add("C", inv_no[is_credit].astype(str)).astype(object)
    when = START.astype("datetime64[m]") + all_at.astype("int64").astype("timedelta64[m]")

    # lines: repeat the invoice fields, draw products and quantities
    line_inv = np.repeat(np.arange(n_inv), all_lines)
    codes, desc, price, pop = _products(rng, 4000)
    prod = rng.choice(len(codes), len(line_inv), p=pop)
    qty = rng.choice(_QTY, len(line_inv), p=_QTY_P / _QTY_P.sum())
    qty = np.where(is_credit[line_inv], -qty, qty)
    unit = price[prod]
    bulk = (rng.random(len(line_inv)) < 0.08) & (qty >= 24)
    unit = np.where(bulk, np.round(unit * 0.85, 2), unit)
    unit = np.where(unit <= 0, 0.01, unit)

    # ~1% exact duplicate lines, right after the line they repeat
    dup = np.sort(rng.choice(len(line_inv), n_dup, replace=False)) if n_dup else np.array([], dtype=np.int64)
    take = np.sort(np.concatenate([np.arange(len(line_inv)), dup]), kind="stable")
    line_inv, prod, qty, unit = line_inv[take], prod[take], qty[take], unit[take]

    cust_of_line = all_cust[line_inv]
    cust_id = np.where(cust_of_line >= 0, ids[cust_of_line.clip(0)], -1)
    return {
        "InvoiceNo": inv_no[line_inv],
        "StockCode": codes[prod],
        "Description": desc[prod],
        "Quantity": qty.astype(np.int64),
        "InvoiceDate": when[line_inv],
        "UnitPrice": unit,
        "CustomerID": cust_id,  # -1: none
        "Country": np.array(COUNTRIES, dtype=object)[all_country[line_inv]],
    }


def write_csv(cols: dict[str, np.ndarray], out: Path, chunk: int = 1_000_000) -> None:
    """UCI-style CSV: ``2010-12-01 08:26:00`` dates, ``2.55`` prices, empty CustomerID for guests."""
    import pandas as pd

    n = len(cols["InvoiceNo"])
    compression = "gzip" if out.suffix == ".gz" else None
    mode = "w"
    for start in range(0, max(n, 1), chunk):
        sl = slice(start, min(start + chunk, n))
        dates = np.datetime_as_string(cols["InvoiceDate"][sl], unit="s")
        cid = cols["CustomerID"][sl]
        cid_text = cid.astype(str).astype(object)
        cid_text[cid < 0] = None
        frame = pd.DataFrame({
            "InvoiceNo": cols["InvoiceNo"][sl], "StockCode": cols["StockCode"][sl],
            "Description": cols["Description"][sl], "Quantity": cols["Quantity"][sl],
            "InvoiceDate": np.char.replace(dates, "T", " "), "UnitPrice": cols["UnitPrice"][sl],
            "CustomerID": cid_text, "Country": cols["Country"][sl],
        }, columns=HEADER)
        if compression:
            frame.to_csv(out, mode=mode, header=start == 0, index=False, lineterminator="\n",
                         compression={"method": "gzip", "mtime": 0})
            if n > chunk:
                raise SystemExit("gzip output is written in one chunk only: use fewer lines or plain .csv")
        else:
            frame.to_csv(out, mode=mode, header=start == 0, index=False, lineterminator="\n")
        mode = "a"


def write_xlsx(cols: dict[str, np.ndarray], out: Path) -> list[str]:
    """Two sheets split by year, typed cells, XlsxWriter constant_memory.  Returns the sheet names."""
    import xlsxwriter

    n = len(cols["InvoiceNo"])
    minutes = (cols["InvoiceDate"] - START).astype("timedelta64[m]").astype("int64")
    serial = (START - np.datetime64("1899-12-30")).astype(int) + minutes / 1440.0
    year_split = int(np.searchsorted(minutes, 365 * 1440))  # lines are in date order
    y0 = int(str(START)[:4])
    bounds = [(f"Year {y0}-{y0 + 1}", 0, year_split), (f"Year {y0 + 1}-{y0 + 2}", year_split, n)]

    inv = cols["InvoiceNo"]
    inv_num = np.array([s.isdigit() for s in inv.tolist()])
    code = cols["StockCode"]
    code_num = np.array([s.isdigit() for s in code.tolist()])
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": CREATED})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    names = []
    for name, a, b in bounds:
        if b <= a and names:
            continue
        names.append(name)
        ws = wb.add_worksheet(name)
        for j, h in enumerate(HEADER):
            ws.write_string(0, j, h)
        ws_num, ws_str = ws.write_number, ws.write_string
        rows = zip(inv[a:b].tolist(), inv_num[a:b].tolist(), code[a:b].tolist(), code_num[a:b].tolist(),
                   cols["Description"][a:b].tolist(), cols["Quantity"][a:b].tolist(), serial[a:b].tolist(),
                   cols["UnitPrice"][a:b].tolist(), cols["CustomerID"][a:b].tolist(), cols["Country"][a:b].tolist())
        for r, (iv, ivn, sc, scn, de, q, d, p, c, co) in enumerate(rows, start=1):
            if ivn:
                ws_num(r, 0, int(iv))
            else:
                ws_str(r, 0, iv)
            if scn:
                ws_num(r, 1, int(sc))
            else:
                ws_str(r, 1, sc)
            ws_str(r, 2, de)
            ws_num(r, 3, q)
            ws_num(r, 4, d, datefmt)
            ws_num(r, 5, p)
            if c >= 0:
                ws_num(r, 6, float(c))  # stored as 12346.0, as Excel holds it
            ws_str(r, 7, co)
    wb.close()
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000, help="order lines (data rows), default 1,000,000")
    ap.add_argument("--customers", type=int, default=6_000, help="customers with an id, default 6,000")
    ap.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--out", type=Path, help="output file (default: orders-<lines>.<format> in the current folder)")
    args = ap.parse_args(argv)
    if args.lines < 10 or args.customers < 1:
        ap.error("--lines must be >= 10 and --customers >= 1")
    out = args.out or Path(f"orders-{args.lines}.{args.format}")
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cols = generate(args.lines, args.customers, args.seed)
    t1 = time.perf_counter()
    if args.format == "csv":
        write_csv(cols, out)
        extra = ""
    else:
        extra = f", sheets {write_xlsx(cols, out)}"
    t2 = time.perf_counter()
    n_cust = len(np.unique(cols["CustomerID"][cols["CustomerID"] >= 0]))
    print(f"wrote {out}: {len(cols['InvoiceNo']):,} lines, {n_cust:,} customers{extra} "
          f"(generate {t1 - t0:.1f}s, write {t2 - t1:.1f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
