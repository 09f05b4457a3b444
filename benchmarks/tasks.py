#!/usr/bin/env python3
"""The references ``run.py`` times as whole processes, one per call (each imports only what it needs).

    python benchmarks/tasks.py duckdb FILE.csv [--threads N]   floor for CSV: per-customer last date,
                                                               order count and value straight from the file
    python benchmarks/tasks.py fastexcel FILE.xlsx             floor for XLSX: Arrow read of every sheet
    python benchmarks/tasks.py pymc FILE.csv OUT.csv           peer: pandas read, PyMC-Marketing rfm_segments,
                                                               CSV write
    python benchmarks/tasks.py lifetimes FILE.csv OUT.csv      peer: pandas read, lifetimes
                                                               summary_data_from_transaction_data, CSV write
    python benchmarks/tasks.py pandas_rfm FILE.csv OUT.csv     plain-pandas RFM quintiles (documented stand-in
                                                               for PyMC-Marketing where it cannot be installed)

fastexcel, duckdb, pymc-marketing and lifetimes come from the benchmark's own environment
(benchmarks/requirements.txt), never from tiercli's dependencies.  The peers get the same
transactions tiercli reads (UCI layout): lines with a CustomerID, credit notes (C-invoices) left out,
value = Quantity x UnitPrice.  Each prints one short line (row counts) so a broken run is visible.
"""

from __future__ import annotations

import sys


def duckdb_floor(path: str, threads: int | None) -> None:
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    rows = con.execute(
        "SELECT CustomerID, max(InvoiceDate) AS last_date, count(DISTINCT InvoiceNo) AS orders, "
        "sum(Quantity * UnitPrice) AS value FROM read_csv(?) WHERE CustomerID IS NOT NULL GROUP BY CustomerID",
        [path],
    ).fetchall()
    print(f"duckdb: {len(rows)} customers")


def fastexcel_floor(path: str) -> None:
    import fastexcel

    reader = fastexcel.read_excel(path)
    n = 0
    for name in reader.sheet_names:
        n += reader.load_sheet(name).to_arrow().num_rows
    print(f"fastexcel: {n} rows in {len(reader.sheet_names)} sheets")


def _transactions(path: str):
    import pandas as pd

    df = pd.read_csv(path, engine="pyarrow", dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str},
                     parse_dates=["InvoiceDate"])
    df = df[df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C")]
    return df.assign(value=df["Quantity"] * df["UnitPrice"])


def pymc(path: str, out: str) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    from pymc_marketing.clv import rfm_segments

    df = _transactions(path)
    seg = rfm_segments(df, customer_id_col="CustomerID", datetime_col="InvoiceDate", monetary_value_col="value")
    seg.to_csv(out, index=False)
    print(f"pymc-marketing rfm_segments: {len(seg)} customers")


def lifetimes_peer(path: str, out: str) -> None:
    from lifetimes.utils import summary_data_from_transaction_data

    df = _transactions(path)
    summary = summary_data_from_transaction_data(df, "CustomerID", "InvoiceDate", monetary_value_col="value")
    summary.to_csv(out)
    print(f"lifetimes summary: {len(summary)} customers")


def pandas_rfm(path: str, out: str) -> None:
    import pandas as pd

    df = _transactions(path)
    end = df["InvoiceDate"].max().normalize()
    g = df.groupby("CustomerID")
    rfm = pd.DataFrame({
        "recency": (end - g["InvoiceDate"].max().dt.normalize()).dt.days,
        "frequency": g["InvoiceNo"].nunique(),
        "monetary": g["value"].sum(),
    })
    for col, sign in (("recency", -1), ("frequency", 1), ("monetary", 1)):
        rfm[col[0] + "_score"] = pd.qcut((sign * rfm[col]).rank(method="first"), 5, labels=False) + 1
    rfm["rfm"] = rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    rfm.to_csv(out)
    print(f"pandas rfm: {len(rfm)} customers")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    task, args = argv[0], argv[1:]
    if task == "duckdb":
        threads = int(args[args.index("--threads") + 1]) if "--threads" in args else None
        duckdb_floor(args[0], threads)
    elif task == "fastexcel":
        fastexcel_floor(args[0])
    elif task == "pymc":
        pymc(args[0], args[1])
    elif task == "lifetimes":
        lifetimes_peer(args[0], args[1])
    elif task == "pandas_rfm":
        pandas_rfm(args[0], args[1])
    else:
        print(f"unknown task {task!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
